package io.jcontainer.machined;

import io.jcontainer.machined.internal.Bus;
import io.jcontainer.machined.internal.BusProperties;
import io.jcontainer.machined.internal.PropertyValues;
import io.jcontainer.machined.internal.Systemd1Manager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.freedesktop.dbus.types.Variant;

/**
 * A client of the systemd manager ({@code org.freedesktop.systemd1}): starts, stops, restarts and signals units
 * such as {@code jcontainer@web.service} and reads their state.
 *
 * <p>Start, stop and restart return the queued job's object path without waiting for the job to finish, like
 * {@code systemctl --no-block}. Each instance holds one private bus connection; close it when done.
 */
public final class SystemdManager implements AutoCloseable {
    public static final String BUS_NAME = "org.freedesktop.systemd1";
    public static final String OBJECT_PATH = "/org/freedesktop/systemd1";
    public static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    public static final String SERVICE_INTERFACE = "org.freedesktop.systemd1.Service";

    /** Read one by one: a GetAll of a real service returns some 200 properties we do not use. */
    private static final List<String> UNIT_PROPERTIES = List.of("Id", "LoadState", "ActiveState", "SubState");
    private static final List<String> SERVICE_PROPERTIES = List.of("MainPID", "Result", "ExecMainCode",
            "ExecMainStatus");

    private final Bus bus;
    private final Systemd1Manager manager;

    /** Connects to the system bus. */
    public SystemdManager() throws MachinedException {
        this(Bus.system());
    }

    /** Connects to the bus at {@code busAddress} ({@code unix:path=...}); tests pass a private bus. */
    public SystemdManager(String busAddress) throws MachinedException {
        this(Bus.at(Objects.requireNonNull(busAddress, "busAddress")));
    }

    private SystemdManager(Bus bus) throws MachinedException {
        this.bus = bus;
        try {
            this.manager = bus.remote(BUS_NAME, OBJECT_PATH, Systemd1Manager.class);
        } catch (MachinedException e) {
            bus.close();
            throw e;
        }
    }

    /** Queues a start job; returns the job's object path. */
    public String startUnit(String name, JobMode mode) throws MachinedException {
        requireName(name);
        return Bus.call("start unit '" + name + "'", () -> manager.StartUnit(name, mode.wireName())).getPath();
    }

    /** Queues a stop job; returns the job's object path. */
    public String stopUnit(String name, JobMode mode) throws MachinedException {
        requireName(name);
        return Bus.call("stop unit '" + name + "'", () -> manager.StopUnit(name, mode.wireName())).getPath();
    }

    /** Queues a restart job; returns the job's object path. */
    public String restartUnit(String name, JobMode mode) throws MachinedException {
        requireName(name);
        return Bus.call("restart unit '" + name + "'", () -> manager.RestartUnit(name, mode.wireName())).getPath();
    }

    /** Sends {@code signal} to the unit's processes ({@code systemctl kill}). */
    public void killUnit(String name, UnitKillTarget whom, int signal) throws MachinedException {
        requireName(name);
        Objects.requireNonNull(whom, "whom");
        Bus.run("kill unit '" + name + "' with signal " + signal,
                () -> manager.KillUnit(name, whom.wireName(), signal));
    }

    /**
     * The object path of a loaded unit.
     *
     * @throws NoSuchUnitException when the unit is not loaded
     */
    public String getUnit(String name) throws MachinedException {
        requireName(name);
        return Bus.call("look up unit '" + name + "'", () -> manager.GetUnit(name)).getPath();
    }

    /** The object path of a unit, loading it first if needed; a missing unit loads as {@code not-found}. */
    public String loadUnit(String name) throws MachinedException {
        requireName(name);
        return Bus.call("load unit '" + name + "'", () -> manager.LoadUnit(name)).getPath();
    }

    /**
     * The unit's state, loading the unit if needed ({@code LoadState=not-found} for a missing one rather than an
     * error); the service fields are read for {@code .service} units only.
     */
    public UnitProperties unitProperties(String name) throws MachinedException {
        String path = loadUnit(name);
        String action = "read properties of unit '" + name + "'";
        BusProperties properties = bus.remote(BUS_NAME, path, BusProperties.class);
        Map<String, Variant<?>> values = new HashMap<>();
        for (String property : UNIT_PROPERTIES) {
            values.put(property, Bus.call(action, () -> properties.Get(UNIT_INTERFACE, property)));
        }
        PropertyValues unit = new PropertyValues("unit '" + name + "'", values);
        String id = unit.string("Id");
        if (!id.endsWith(".service")) {
            return new UnitProperties(id, unit.string("LoadState"), unit.string("ActiveState"),
                    unit.string("SubState"), 0, "", 0, 0);
        }
        for (String property : SERVICE_PROPERTIES) {
            values.put(property, Bus.call(action, () -> properties.Get(SERVICE_INTERFACE, property)));
        }
        PropertyValues service = new PropertyValues("unit '" + name + "'", values);
        return new UnitProperties(id, service.string("LoadState"), service.string("ActiveState"),
                service.string("SubState"), service.uint32("MainPID"), service.string("Result"),
                service.int32("ExecMainCode"), service.int32("ExecMainStatus"));
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Unit name must not be empty");
        }
    }

    @Override
    public void close() {
        bus.close();
    }
}
