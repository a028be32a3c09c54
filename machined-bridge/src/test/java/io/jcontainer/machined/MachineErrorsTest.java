package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.messages.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** machined's errors arrive as this module's typed exceptions, one line naming the machine. */
class MachineErrorsTest extends FakeMachinedTest {
    private static final byte[] ID = HexFormat.of().parseHex("0123456789abcdeffedcba9876543210");

    @Test
    void registeringTwiceRaisesMachineExists() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]);

        MachineExistsException e = assertThrows(MachineExistsException.class, () ->
                manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4243, "", new int[0]));

        assertEquals("org.freedesktop.machine1.MachineExists", e.errorName());
        assertEquals("Failed to register machine 'web': Machine 'web' already exists", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"terminate", "unregister", "kill", "getMachine", "properties"})
    void unknownMachineRaisesNoSuchMachine(String verb) {
        NoSuchMachineException e = assertThrows(NoSuchMachineException.class, () -> {
            switch (verb) {
                case "terminate" -> manager.terminateMachine("ghost");
                case "unregister" -> manager.unregisterMachine("ghost");
                case "kill" -> manager.killMachine("ghost", MachineKillTarget.ALL, 15);
                case "getMachine" -> manager.getMachine("ghost");
                case "properties" -> manager.machineProperties("ghost");
                default -> throw new AssertionError(verb);
            }
        });

        assertEquals("org.freedesktop.machine1.NoSuchMachine", e.errorName());
        assertEquals(-1, e.getMessage().indexOf('\n'));
        assertEquals(true, e.getMessage().startsWith("Failed to "), e.getMessage());
        assertEquals(true, e.getMessage().contains(" machine 'ghost'"), e.getMessage());
        assertEquals(true, e.getMessage().endsWith(": No machine 'ghost' known"), e.getMessage());
    }

    @ParameterizedTest(name = "interactive={0}")
    @CsvSource({
        "false, org.freedesktop.DBus.Error.AccessDenied",
        "true,  org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
    })
    void deniedCallerRaisesAccessDenied(boolean interactive, String errorName) {
        machined.denyUid(Integer.parseInt(FakeMachined.uidOfThisProcess()), interactive);

        AccessDeniedException e = assertThrows(AccessDeniedException.class, () ->
                manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]));

        assertEquals(errorName, e.errorName());
        assertEquals(true, e.getMessage().startsWith("Failed to register machine 'web': "), e.getMessage());
        assertFalse(machined.has("web"));
    }

    @Test
    void deniedUidOfAnotherUserDoesNotRefuseUs() throws Exception {
        machined.denyUid(Integer.parseInt(FakeMachined.uidOfThisProcess()) + 4711, false);

        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]);

        assertEquals(1, manager.listMachines().size());
    }

    @ParameterizedTest(name = "interactive={0}")
    @CsvSource({
        "false, org.freedesktop.DBus.Error.AccessDenied",
        "true,  org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
    })
    void fakeSendsTheRealErrorNamesOnTheWire(boolean interactive, String deniedName) throws Exception {
        // Read the error reply's name header itself: dbus-java's class lookup would hide a wrong spelling.
        try (DBusConnection connection = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            FakeMachined.Manager raw = connection.getRemoteObject(FakeMachined.BUS_NAME, FakeMachined.MANAGER_PATH,
                    FakeMachined.Manager.class);

            assertEquals("org.freedesktop.machine1.NoSuchMachine", errorNameOf(connection, raw, "ghost"));
            machined.denyUid(Integer.parseInt(FakeMachined.uidOfThisProcess()), interactive);
            assertEquals(deniedName, errorNameOf(connection, raw, "ghost"));
        }
    }

    private static String errorNameOf(DBusConnection connection, FakeMachined.Manager raw, String machine) {
        Message reply = connection.callMethodAsync(raw, "TerminateMachine", machine).getCall().getReply(5_000);
        return ((org.freedesktop.dbus.messages.Error) reply).getName();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 15, 17, 32})
    void idOfWrongLengthIsRefusedBeforeTheCall(int length) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                manager.registerMachineWithNetwork("web", new byte[length], "jcontainer", "container", 4242, "",
                        new int[0]));

        assertEquals("Machine id for 'web' has " + length + " bytes, machined takes 16 or none, refusing.",
                e.getMessage());
        assertFalse(machined.has("web"));
    }

    @Test
    void nonPositiveLeaderIsRefused() {
        assertThrows(IllegalArgumentException.class, () ->
                manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 0, "", new int[0]));
    }
}
