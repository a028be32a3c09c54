package org.freedesktop.systemd1;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * The D-Bus error {@code org.freedesktop.systemd1.ShuttingDown}, declared so that dbus-java keeps its name.
 *
 * <p>dbus-java turns an error reply into the {@link DBusExecutionException} subclass whose class name is the error
 * name, and into a bare {@code DBusExecutionException} (name lost) when no such class exists. {@code
 * io.jcontainer.machined.internal.DBusErrors} maps this to the module's exception types.
 */
public class ShuttingDown extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    public ShuttingDown(String message) {
        super(message);
    }
}
