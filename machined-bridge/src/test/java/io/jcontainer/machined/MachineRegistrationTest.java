package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Registering, listing, inspecting and removing machines through {@link MachineManager}, against
 * {@link FakeMachined}.
 */
class MachineRegistrationTest extends FakeMachinedTest {
    private static final byte[] ID = HexFormat.of().parseHex("0123456789abcdeffedcba9876543210");

    @Test
    void registeredMachineIsListedWithClassServiceAndPath() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "/var/lib/jcontainer/web",
                new int[] {3, 7});

        List<Machine> machines = manager.listMachines();

        assertEquals(List.of(new Machine("web", "container", "jcontainer", "/org/freedesktop/machine1/machine/web")),
                machines);
    }

    @Test
    void propertiesRoundTripIdLeaderAndInterfaces() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "/var/lib/jcontainer/web",
                new int[] {3, 7});

        MachineProperties properties = manager.machineProperties("web");

        assertEquals("web", properties.name());
        assertEquals("0123456789abcdeffedcba9876543210", properties.id());
        assertArrayEquals(ID, HexFormat.of().parseHex(properties.id()));
        assertEquals("jcontainer", properties.service());
        assertEquals("container", properties.machineClass());
        assertEquals(4242, properties.leader());
        assertEquals("/var/lib/jcontainer/web", properties.rootDirectory());
        assertEquals(List.of(3, 7), properties.networkInterfaces());
        assertEquals("running", properties.state());
        assertEquals("jcontainer@web.service", properties.unit());
        assertNotNull(properties.timestamp());
    }

    @Test
    void machineWithoutIdOrInterfacesHasEmptyOnes() throws Exception {
        manager.registerMachineWithNetwork("plain", null, "jcontainer", "container", 1, null, null);

        MachineProperties properties = manager.machineProperties("plain");

        assertEquals("", properties.id());
        assertEquals(List.of(), properties.networkInterfaces());
        assertEquals("", properties.rootDirectory());
    }

    @Test
    void leaderAboveSignedShortRangeSurvives() throws Exception {
        // PIDs go up to 2^22 (pid_max); "u" must not be truncated or sign-mangled on the way.
        manager.registerMachineWithNetwork("bigpid", ID, "jcontainer", "container", 4_194_303, "", new int[0]);

        assertEquals(4_194_303, manager.machineProperties("bigpid").leader());
    }

    @Test
    void getMachineReturnsMachinedsEscapedPath() throws Exception {
        manager.registerMachineWithNetwork("my-box", ID, "jcontainer", "container", 4242, "", new int[0]);

        assertEquals("/org/freedesktop/machine1/machine/my_2dbox", manager.getMachine("my-box"));
        assertEquals("my-box", manager.machineProperties("my-box").name());
    }

    @Test
    void unregisterRemovesTheMachine() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]);

        manager.unregisterMachine("web");

        assertFalse(machined.has("web"));
        assertEquals(List.of(), manager.listMachines());
    }

    @Test
    void terminateRemovesTheMachine() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]);

        manager.terminateMachine("web");

        assertFalse(machined.has("web"));
    }

    @Test
    void killSendsWhoAndSignal() throws Exception {
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", 4242, "", new int[0]);

        manager.killMachine("web", MachineKillTarget.ALL, 15);
        manager.killMachine("web", MachineKillTarget.LEADER, 9);

        assertEquals(List.of(new FakeMachined.Kill("web", "all", 15), new FakeMachined.Kill("web", "leader", 9)),
                machined.kills());
        assertTrue(machined.has("web"));
    }

    @Test
    void listsSeveralMachinesInRegistrationOrder() throws Exception {
        manager.registerMachineWithNetwork("a", ID, "jcontainer", "container", 10, "", new int[0]);
        manager.registerMachineWithNetwork("b", null, "systemd-nspawn", "container", 11, "", new int[0]);

        assertEquals(List.of("a", "b"), manager.listMachines().stream().map(Machine::name).toList());
        assertEquals("systemd-nspawn", manager.listMachines().get(1).service());
    }
}
