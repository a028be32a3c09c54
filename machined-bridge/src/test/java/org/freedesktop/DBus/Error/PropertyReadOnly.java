package org.freedesktop.DBus.Error;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * Raised by the test fakes to send the real error name {@code org.freedesktop.DBus.Error.PropertyReadOnly}:
 * dbus-java names an error reply after the thrown class, and its own {@code
 * org.freedesktop.dbus.errors.PropertyReadOnly} would go out under that lower-case name, which real services never
 * send.
 */
public class PropertyReadOnly extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    public PropertyReadOnly(String message) {
        super(message);
    }
}
