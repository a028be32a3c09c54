package io.jcontainer.machined.internal;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * The methods of {@code org.freedesktop.systemd1.Manager} that jcontainer calls, with systemd's signatures
 * (org.freedesktop.systemd1(5)).
 */
@DBusInterfaceName("org.freedesktop.systemd1.Manager")
@SuppressWarnings("checkstyle:MethodName") // D-Bus member names
public interface Systemd1Manager extends DBusInterface {
    /** {@code StartUnit(s name, s mode) -> o job}. */
    DBusPath StartUnit(String name, String mode);

    DBusPath StopUnit(String name, String mode);

    DBusPath RestartUnit(String name, String mode);

    /** {@code KillUnit(s name, s whom, i signal)}. */
    void KillUnit(String name, String whom, int signal);

    /** {@code GetUnit(s name) -> o}; {@code NoSuchUnit} when the unit is not loaded. */
    DBusPath GetUnit(String name);

    /** {@code LoadUnit(s name) -> o}; loads the unit (a missing one shows {@code LoadState=not-found}). */
    DBusPath LoadUnit(String name);
}
