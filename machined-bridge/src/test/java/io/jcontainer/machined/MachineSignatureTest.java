package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainer.machined.internal.DBusErrors;
import io.jcontainer.machined.internal.Machine1Manager;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client sends machined's exact signatures, and the fake refuses any other, as machined does: a wrong Java
 * type in {@link Machine1Manager} fails here rather than on a real host.
 */
class MachineSignatureTest {
    private static PrivateBus bus;
    private static FakeMachined machined;

    /** RegisterMachineWithNetwork with the leader as {@code int}: signature {@code sayssiai}, not machined's. */
    @DBusInterfaceName("org.freedesktop.machine1.Manager")
    public interface SignedLeaderManager extends DBusInterface {
        void RegisterMachineWithNetwork(String name, byte[] id, String service, String clazz, int leader,
                String rootDirectory, int[] ifindices);
    }

    /** The interfaces as {@code List<UInt32>}: signature {@code sayssusau}. */
    @DBusInterfaceName("org.freedesktop.machine1.Manager")
    public interface UnsignedInterfacesManager extends DBusInterface {
        void RegisterMachineWithNetwork(String name, byte[] id, String service, String clazz, UInt32 leader,
                String rootDirectory, java.util.List<UInt32> ifindices);
    }

    @BeforeAll
    static void startBus() throws Exception {
        bus = PrivateBus.start();
        machined = FakeMachined.start(bus.address());
    }

    @AfterAll
    static void stopBus() throws Exception {
        if (machined != null) {
            machined.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    @Test
    void clientInterfaceDeclaresMachinedsSignatures() throws Exception {
        FakeMachined.checkDeclaredSignatures(Machine1Manager.class, FakeMachined.MACHINED_SIGNATURES);
    }

    @Test
    void fakeRefusesLeaderSentAsSignedInt() throws Exception {
        try (DBusConnection connection = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            SignedLeaderManager wrong = connection.getRemoteObject(FakeMachined.BUS_NAME, FakeMachined.MANAGER_PATH,
                    SignedLeaderManager.class);

            DBusExecutionException e = assertThrows(DBusExecutionException.class, () ->
                    wrong.RegisterMachineWithNetwork("web", new byte[16], "jcontainer", "container", 4242, "",
                            new int[0]));

            assertEquals("org.freedesktop.DBus.Error.UnknownMethod", DBusErrors.remoteErrorName(e));
            assertFalse(machined.has("web"));
        }
    }

    @Test
    void fakeRefusesInterfacesSentAsUnsigned() throws Exception {
        try (DBusConnection connection = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            UnsignedInterfacesManager wrong = connection.getRemoteObject(FakeMachined.BUS_NAME,
                    FakeMachined.MANAGER_PATH, UnsignedInterfacesManager.class);

            DBusExecutionException e = assertThrows(DBusExecutionException.class, () ->
                    wrong.RegisterMachineWithNetwork("web", new byte[16], "jcontainer", "container",
                            new UInt32(4242), "", java.util.List.of(new UInt32(3))));

            assertEquals("org.freedesktop.DBus.Error.UnknownMethod", DBusErrors.remoteErrorName(e));
            assertFalse(machined.has("web"));
        }
    }

    @Test
    void signatureMismatchReachesCallersAsMachinedExceptionWithTheName() {
        DBusExecutionException e = new org.freedesktop.dbus.errors.UnknownMethod("No such method");

        MachinedException mapped = DBusErrors.translate("register machine 'web'", e);

        assertEquals("org.freedesktop.DBus.Error.UnknownMethod", mapped.errorName());
        assertEquals("Failed to register machine 'web': No such method", mapped.getMessage());
    }
}
