package io.jcontainer.machined;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.freedesktop.DBus.Error.PropertyReadOnly;
import org.freedesktop.DBus.Error.UnknownProperty;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.freedesktop.systemd1.NoSuchUnit;

/**
 * A fake of the systemd manager for tests: owns {@code org.freedesktop.systemd1} on a private bus and exports
 * StartUnit, StopUnit, RestartUnit, KillUnit, GetUnit and LoadUnit, plus one object per loaded unit with the
 * {@code Unit} and {@code Service} properties jcontainer reads.
 *
 * <p>A fake because the real manager is PID 1, which a build machine's test JVM cannot have; the real one is
 * exercised in vm-tests. It keeps systemd's signatures, error names and messages, object paths and property
 * types; a started service gets a made-up main PID and runs until stopped.
 */
final class FakeSystemd implements AutoCloseable {
    static final String BUS_NAME = "org.freedesktop.systemd1";
    static final String MANAGER_PATH = "/org/freedesktop/systemd1";
    static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    static final String SERVICE_INTERFACE = "org.freedesktop.systemd1.Service";
    static final int MAIN_PID = 4242;

    /** {@code org.freedesktop.systemd1.Manager} with systemd's signatures (org.freedesktop.systemd1(5)). */
    @DBusInterfaceName("org.freedesktop.systemd1.Manager")
    public interface Manager extends DBusInterface {
        DBusPath StartUnit(String name, String mode);

        DBusPath StopUnit(String name, String mode);

        DBusPath RestartUnit(String name, String mode);

        void KillUnit(String name, String whom, int signal);

        DBusPath GetUnit(String name);

        DBusPath LoadUnit(String name);
    }

    /** A call as received: verb, unit, and mode or whom/signal. */
    record Call(String verb, String unit, String argument) {
    }

    private final DBusConnection connection;
    private final Set<String> unitFiles = ConcurrentHashMap.newKeySet();
    private final Map<String, UnitObject> loaded = new LinkedHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger jobs = new AtomicInteger();

    private FakeSystemd(DBusConnection connection) {
        this.connection = connection;
    }

    static FakeSystemd start(String address) throws DBusException {
        DBusConnection connection = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        FakeSystemd fake = new FakeSystemd(connection);
        connection.exportObject(MANAGER_PATH, fake.new ManagerObject());
        connection.requestBusName(BUS_NAME);
        return fake;
    }

    /** Makes {@code name} a unit with a unit file, so it can be loaded and started. */
    void addUnitFile(String name) {
        unitFiles.add(name);
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized void reset() {
        for (UnitObject unit : loaded.values()) {
            connection.unExportObject(unit.path);
        }
        loaded.clear();
        unitFiles.clear();
        calls.clear();
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            // test teardown; the daemon goes next
        }
    }

    /** systemd's unit path: bus_label_escape() of the name under /org/freedesktop/systemd1/unit. */
    static String unitPath(String name) {
        StringBuilder path = new StringBuilder(MANAGER_PATH + "/unit/");
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && Character.isLetterOrDigit(c)) {
                path.append(c);
            } else {
                path.append('_').append(String.format("%02x", b & 0xff));
            }
        }
        return path.toString();
    }

    private synchronized UnitObject load(String name) {
        UnitObject unit = loaded.get(name);
        if (unit == null) {
            unit = new UnitObject(name, unitFiles.contains(name) ? "loaded" : "not-found");
            try {
                connection.exportObject(unit.path, unit);
            } catch (DBusException e) {
                throw new IllegalStateException(e);
            }
            loaded.put(name, unit);
        }
        return unit;
    }

    private UnitObject loadForJob(String name) {
        UnitObject unit = load(name);
        if (!unit.exists()) {
            // systemd: "Unit %s not found." (BUS_ERROR_NO_SUCH_UNIT via unit_load_state_error())
            throw new NoSuchUnit("Unit " + name + " not found.");
        }
        return unit;
    }

    private DBusPath job() {
        return new DBusPath(MANAGER_PATH + "/job/" + jobs.incrementAndGet());
    }

    private final class ManagerObject implements Manager {
        @Override
        public DBusPath StartUnit(String name, String mode) {
            calls.add(new Call("start", name, mode));
            loadForJob(name).run();
            return job();
        }

        @Override
        public DBusPath StopUnit(String name, String mode) {
            calls.add(new Call("stop", name, mode));
            loadForJob(name).stop();
            return job();
        }

        @Override
        public DBusPath RestartUnit(String name, String mode) {
            calls.add(new Call("restart", name, mode));
            UnitObject unit = loadForJob(name);
            unit.stop();
            unit.run();
            return job();
        }

        @Override
        public void KillUnit(String name, String whom, int signal) {
            synchronized (FakeSystemd.this) {
                if (!loaded.containsKey(name)) {
                    throw new NoSuchUnit("Unit " + name + " not loaded.");
                }
            }
            calls.add(new Call("kill", name, whom + " " + signal));
        }

        @Override
        public DBusPath GetUnit(String name) {
            synchronized (FakeSystemd.this) {
                UnitObject unit = loaded.get(name);
                if (unit == null) {
                    // systemd: "Unit %s not loaded."
                    throw new NoSuchUnit("Unit " + name + " not loaded.");
                }
                return new DBusPath(unit.path);
            }
        }

        @Override
        public DBusPath LoadUnit(String name) {
            return new DBusPath(load(name).path);
        }

        @Override
        public String getObjectPath() {
            return MANAGER_PATH;
        }
    }

    /**
     * A unit object. It implements dbus-java's own {@link Properties}: dbus-java answers {@code Properties.Get} on
     * an exported object itself unless the object implements that interface.
     */
    private static final class UnitObject implements Properties {
        final String path;
        final String name;
        final String loadState;
        private volatile String activeState = "inactive";
        private volatile String subState = "dead";
        private volatile int mainPid;

        UnitObject(String name, String loadState) {
            this.path = unitPath(name);
            this.name = name;
            this.loadState = loadState;
        }

        boolean exists() {
            return !"not-found".equals(loadState);
        }

        void run() {
            activeState = "active";
            subState = "running";
            mainPid = MAIN_PID;
        }

        void stop() {
            activeState = "inactive";
            subState = "dead";
            mainPid = 0;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String interfaceName, String propertyName) {
            Variant<?> value = GetAll(interfaceName).get(propertyName);
            if (value == null) {
                throw new UnknownProperty("Unknown property or interface.");
            }
            // Returned as the variant itself, so the reply carries systemd's type ("u", not an inferred one).
            return (A) value;
        }

        @Override
        public <A> void Set(String interfaceName, String propertyName, A value) {
            throw new PropertyReadOnly("Property " + propertyName + " is read-only.");
        }

        @Override
        public Map<String, Variant<?>> GetAll(String interfaceName) {
            Map<String, Variant<?>> values = new LinkedHashMap<>();
            if (UNIT_INTERFACE.equals(interfaceName)) {
                values.put("Id", new Variant<>(name, "s"));
                values.put("LoadState", new Variant<>(loadState, "s"));
                values.put("ActiveState", new Variant<>(activeState, "s"));
                values.put("SubState", new Variant<>(subState, "s"));
            } else if (SERVICE_INTERFACE.equals(interfaceName) && name.endsWith(".service")) {
                values.put("MainPID", new Variant<>(new UInt32(mainPid), "u"));
                values.put("Result", new Variant<>("success", "s"));
                values.put("ExecMainCode", new Variant<>(0, "i"));
                values.put("ExecMainStatus", new Variant<>(0, "i"));
            }
            return values;
        }

        @Override
        public String getObjectPath() {
            return path;
        }
    }
}
