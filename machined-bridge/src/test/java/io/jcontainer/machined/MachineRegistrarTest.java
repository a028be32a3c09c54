package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** jnspawn's registration: service and class, and recovery from a stale machine of the same name. */
class MachineRegistrarTest extends FakeMachinedTest {
    private static final byte[] ID = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

    private static int deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return (int) p.pid();
    }

    @Test
    void registersAsAJcontainerContainer() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        new MachineRegistrar(manager).register("web", ID, self, "/srv/web", new int[0]);
        MachineProperties p = manager.machineProperties("web");
        assertEquals("jcontainer", p.service());
        assertEquals("container", p.machineClass());
        assertEquals(self, p.leader());
        assertEquals("/srv/web", p.rootDirectory());
        assertEquals("00112233445566778899aabbccddeeff", p.id());
    }

    @Test
    void aStaleMachineOfTheSameNameIsReplaced() throws Exception {
        int dead = deadPid();
        assertFalse(MachineRegistrar.runs(dead));
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", dead, "", new int[0]);
        int self = (int) ProcessHandle.current().pid();
        new MachineRegistrar(manager).register("web", ID, self, "", new int[0]);
        assertEquals(self, manager.machineProperties("web").leader(), "the new leader holds the name");
        // Unregistered, never terminated: terminating would stop the unit that is restarting it.
        assertEquals(java.util.List.of(), machined.terminated());
    }

    @Test
    void aMachineWhoseLeaderRunsIsARealConflict() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        assertTrue(MachineRegistrar.runs(self));
        manager.registerMachineWithNetwork("web", ID, "jcontainer", "container", self, "", new int[0]);
        int other = deadPid() + 100000; // any other leader
        MachineExistsException e = assertThrows(MachineExistsException.class,
                () -> new MachineRegistrar(manager).register("web", ID, other, "", new int[0]));
        assertTrue(e.getMessage().contains("'web'") && e.getMessage().contains("PID " + self), e.getMessage());
        assertEquals(self, manager.machineProperties("web").leader(), "the running machine is left alone");
    }

    @Test
    void registeringAgainWithTheSameLeaderIsDone() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        MachineRegistrar r = new MachineRegistrar(manager);
        r.register("web", ID, self, "", new int[0]);
        r.register("web", ID, self, "", new int[0]);
        assertEquals(1, manager.listMachines().size());
    }
}
