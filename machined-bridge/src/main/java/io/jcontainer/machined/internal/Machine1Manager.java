package io.jcontainer.machined.internal;

import java.util.List;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * The methods of {@code org.freedesktop.machine1.Manager} that jcontainer calls, typed so that dbus-java
 * sends machined's exact signatures (systemd {@code src/machine/machined-dbus.c}, org.freedesktop.machine1(5)).
 *
 * <p>Java types decide the wire signature: {@code byte[]} is {@code ay}, {@link UInt32} is {@code u},
 * {@code int[]} is {@code ai}. A wrong type here makes machined answer {@code UnknownMethod}.
 */
@DBusInterfaceName("org.freedesktop.machine1.Manager")
@SuppressWarnings("checkstyle:MethodName") // D-Bus member names
public interface Machine1Manager extends DBusInterface {
    /**
     * {@code RegisterMachineWithNetwork(s name, ay id, s service, s class, u leader, s root_directory,
     * ai ifindices)}.
     */
    void RegisterMachineWithNetwork(String name, byte[] id, String service, String clazz, UInt32 leader,
            String rootDirectory, int[] ifindices);

    void UnregisterMachine(String name);

    void TerminateMachine(String name);

    /** {@code KillMachine(s name, s who, i signal)}; who is {@code leader} or {@code all}. */
    void KillMachine(String name, String who, int signal);

    /** {@code ListMachines() -> a(ssso)}: name, class, service, object path. */
    List<MachineEntry> ListMachines();

    DBusPath GetMachine(String name);
}
