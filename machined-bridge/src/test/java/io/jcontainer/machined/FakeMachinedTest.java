package io.jcontainer.machined;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A private dbus-daemon with {@link FakeMachined} on it and a {@link MachineManager} connected to
 * it, for the test classes that talk to machined; machines are forgotten before each test.
 */
abstract class FakeMachinedTest {
    static PrivateBus bus;
    static FakeMachined machined;
    static MachineManager manager;

    @BeforeAll
    static void startBus() throws Exception {
        bus = PrivateBus.start();
        machined = FakeMachined.start(bus.address());
        manager = new MachineManager(bus.address());
    }

    @AfterAll
    static void stopBus() throws Exception {
        if (manager != null) {
            manager.close();
        }
        if (machined != null) {
            machined.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    @BeforeEach
    void forgetMachines() {
        machined.reset();
    }
}
