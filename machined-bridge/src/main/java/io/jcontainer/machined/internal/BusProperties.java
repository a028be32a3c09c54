package io.jcontainer.machined.internal;

import java.util.Map;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.Variant;

/**
 * {@code org.freedesktop.DBus.Properties}, read side, returning {@link Variant}s so that the caller sees each
 * value's D-Bus signature (dbus-java's own {@code Properties.Get} unwraps it).
 */
@DBusInterfaceName("org.freedesktop.DBus.Properties")
@SuppressWarnings("checkstyle:MethodName") // D-Bus member names
public interface BusProperties extends DBusInterface {
    Variant<?> Get(String interfaceName, String propertyName);

    Map<String, Variant<?>> GetAll(String interfaceName);
}
