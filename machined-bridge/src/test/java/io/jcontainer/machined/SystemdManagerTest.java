package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starting, stopping, signalling and inspecting units through {@link SystemdManager}, against {@link FakeSystemd}. */
class SystemdManagerTest {
    private static final String UNIT = "jcontainer@web.service";

    private static PrivateBus bus;
    private static FakeSystemd systemd;
    private static SystemdManager manager;

    @BeforeAll
    static void startBus() throws Exception {
        bus = PrivateBus.start();
        systemd = FakeSystemd.start(bus.address());
        manager = new SystemdManager(bus.address());
    }

    @AfterAll
    static void stopBus() throws Exception {
        if (manager != null) {
            manager.close();
        }
        if (systemd != null) {
            systemd.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    @BeforeEach
    void forgetUnits() {
        systemd.reset();
        systemd.addUnitFile(UNIT);
    }

    @Test
    void startedServiceIsActiveWithMainPid() throws Exception {
        String job = manager.startUnit(UNIT, JobMode.REPLACE);

        assertTrue(job.startsWith("/org/freedesktop/systemd1/job/"), job);
        assertEquals(new UnitProperties(UNIT, "loaded", "active", "running", FakeSystemd.MAIN_PID, "success", 0, 0),
                manager.unitProperties(UNIT));
        assertEquals(List.of(new FakeSystemd.Call("start", UNIT, "replace")), systemd.calls());
    }

    @Test
    void stoppedServiceIsInactiveWithoutMainPid() throws Exception {
        manager.startUnit(UNIT, JobMode.REPLACE);

        manager.stopUnit(UNIT, JobMode.FAIL);

        UnitProperties properties = manager.unitProperties(UNIT);
        assertEquals("inactive", properties.activeState());
        assertEquals("dead", properties.subState());
        assertEquals(0, properties.mainPid());
        assertEquals(new FakeSystemd.Call("stop", UNIT, "fail"), systemd.calls().get(1));
    }

    @Test
    void restartSendsModeAndLeavesServiceRunning() throws Exception {
        manager.restartUnit(UNIT, JobMode.IGNORE_DEPENDENCIES);

        assertEquals("active", manager.unitProperties(UNIT).activeState());
        assertEquals(List.of(new FakeSystemd.Call("restart", UNIT, "ignore-dependencies")), systemd.calls());
    }

    @Test
    void killSendsWhomAndSignal() throws Exception {
        manager.startUnit(UNIT, JobMode.REPLACE);

        manager.killUnit(UNIT, UnitKillTarget.MAIN, 10);

        assertEquals(new FakeSystemd.Call("kill", UNIT, "main 10"), systemd.calls().get(1));
    }

    @Test
    void getUnitReturnsSystemdsEscapedPath() throws Exception {
        manager.loadUnit(UNIT);

        assertEquals("/org/freedesktop/systemd1/unit/jcontainer_40web_2eservice", manager.getUnit(UNIT));
    }

    @Test
    void getUnitOfUnloadedUnitRaisesNoSuchUnit() {
        NoSuchUnitException e = assertThrows(NoSuchUnitException.class, () -> manager.getUnit("jcontainer@x.service"));

        assertEquals("org.freedesktop.systemd1.NoSuchUnit", e.errorName());
        assertEquals("Failed to look up unit 'jcontainer@x.service': Unit jcontainer@x.service not loaded.",
                e.getMessage());
    }

    @Test
    void startingUnitWithoutFileRaisesNoSuchUnit() {
        NoSuchUnitException e = assertThrows(NoSuchUnitException.class, () ->
                manager.startUnit("jcontainer@ghost.service", JobMode.REPLACE));

        assertEquals("Failed to start unit 'jcontainer@ghost.service': Unit jcontainer@ghost.service not found.",
                e.getMessage());
    }

    @Test
    void propertiesOfUnitWithoutFileSayNotFound() throws Exception {
        UnitProperties properties = manager.unitProperties("jcontainer@ghost.service");

        assertEquals("not-found", properties.loadState());
        assertEquals("inactive", properties.activeState());
        assertFalse(properties.exists());
    }

    @Test
    void nonServiceUnitHasNoServiceFields() throws Exception {
        systemd.addUnitFile("machines.target");

        UnitProperties properties = manager.unitProperties("machines.target");

        assertEquals(new UnitProperties("machines.target", "loaded", "inactive", "dead", 0, "", 0, 0), properties);
    }
}
