package io.jcontainer.machined;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.freedesktop.DBus.Error.AccessDenied;
import org.freedesktop.DBus.Error.InteractiveAuthorizationRequired;
import org.freedesktop.DBus.Error.UnknownProperty;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Marshalling;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.connections.base.AbstractConnectionBase;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;
import org.freedesktop.machine1.MachineExists;
import org.freedesktop.machine1.NoSuchMachine;

/**
 * A fake of systemd-machined for tests: owns {@code org.freedesktop.machine1} on a private bus and exports the
 * {@code org.freedesktop.machine1.Manager} methods jcontainer uses, plus one {@code Machine} object per machine.
 *
 * <p>A fake because the real machined needs systemd as PID 1, which build machines lack; the real one is
 * exercised in vm-tests. It keeps machined's contract where the client depends on it: the exact method
 * signatures (declared in {@link Manager} and checked against {@link #MACHINED_SIGNATURES} at start, so a
 * client sending other types gets {@code UnknownMethod} as from machined), the real error names
 * ({@code MachineExists}, {@code NoSuchMachine}, {@code AccessDenied}), machined's messages, its object paths
 * and its property types.
 */
final class FakeMachined implements AutoCloseable {
    static final String BUS_NAME = "org.freedesktop.machine1";
    static final String MANAGER_PATH = "/org/freedesktop/machine1";
    static final String MACHINE_INTERFACE = "org.freedesktop.machine1.Machine";

    /**
     * machined's in/out signatures for the methods faked here (systemd v252 {@code src/machine/machined-dbus.c},
     * the vtable of {@code org.freedesktop.machine1.Manager}).
     */
    static final Map<String, String> MACHINED_SIGNATURES = Map.of(
            "RegisterMachineWithNetwork", "sayssusai -> ",
            "UnregisterMachine", "s -> ",
            "TerminateMachine", "s -> ",
            "KillMachine", "ssi -> ",
            "ListMachines", " -> a(ssso)",
            "GetMachine", "s -> o");

    /** The manager interface as machined declares it; the Java types give the D-Bus signatures. */
    @DBusInterfaceName("org.freedesktop.machine1.Manager")
    public interface Manager extends DBusInterface {
        void RegisterMachineWithNetwork(String name, byte[] id, String service, String clazz, UInt32 leader,
                String rootDirectory, int[] ifindices);

        void UnregisterMachine(String name);

        void TerminateMachine(String name);

        void KillMachine(String name, String who, int signal);

        List<ListEntry> ListMachines();

        DBusPath GetMachine(String name);
    }

    /** {@code org.freedesktop.DBus.Properties} of a machine object, answering with typed variants. */
    @DBusInterfaceName("org.freedesktop.DBus.Properties")
    public interface MachineProperties extends DBusInterface {
        Variant<?> Get(String interfaceName, String propertyName);

        Map<String, Variant<?>> GetAll(String interfaceName);
    }

    /** One {@code (ssso)} of {@code ListMachines}. */
    public static final class ListEntry extends Struct {
        @Position(0)
        public final String name;
        @Position(1)
        public final String clazz;
        @Position(2)
        public final String service;
        @Position(3)
        public final DBusPath path;

        public ListEntry(String name, String clazz, String service, DBusPath path) {
            this.name = name;
            this.clazz = clazz;
            this.service = service;
            this.path = path;
        }
    }

    /** A {@code KillMachine} call as received. */
    record Kill(String name, String who, int signal) {
    }

    private final DBusConnection connection;
    private final Map<String, MachineObject> machines = new LinkedHashMap<>();
    private final List<Kill> kills = new CopyOnWriteArrayList<>();
    /** Names passed to TerminateMachine: on real machined that also stops the machine's unit. */
    private final List<String> terminated = new CopyOnWriteArrayList<>();
    private volatile Integer deniedUid;
    private volatile boolean deniedInteractive;

    private FakeMachined(DBusConnection connection) {
        this.connection = connection;
    }

    /** Connects to {@code address}, takes machined's bus name and exports the manager object. */
    static FakeMachined start(String address) throws DBusException {
        checkDeclaredSignatures(Manager.class, MACHINED_SIGNATURES);
        DBusConnection connection = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        FakeMachined fake = new FakeMachined(connection);
        connection.exportObject(MANAGER_PATH, fake.new ManagerObject());
        connection.requestBusName(BUS_NAME);
        return fake;
    }

    /** Fails unless each method of {@code type} has exactly the given D-Bus in/out signature. */
    static void checkDeclaredSignatures(Class<?> type, Map<String, String> expected) throws DBusException {
        for (var entry : expected.entrySet()) {
            var method = List.of(type.getMethods()).stream()
                    .filter(m -> m.getName().equals(entry.getKey())).findFirst()
                    .orElseThrow(() -> new AssertionError(type.getName() + " lacks " + entry.getKey()));
            String in = Marshalling.getDBusType(method.getGenericParameterTypes());
            String out = method.getReturnType() == void.class ? ""
                    : String.join("", Marshalling.getDBusType(method.getGenericReturnType()));
            String actual = in + " -> " + out;
            if (!actual.equals(entry.getValue())) {
                throw new AssertionError(type.getName() + "." + entry.getKey() + " has D-Bus signature '" + actual
                        + "', machined declares '" + entry.getValue() + "'");
            }
        }
    }

    /** Refuses the mutating calls of processes running as {@code uid}, as polkit would. */
    void denyUid(int uid, boolean interactive) {
        deniedInteractive = interactive;
        deniedUid = uid;
    }

    synchronized void reset() {
        deniedUid = null;
        for (MachineObject machine : machines.values()) {
            connection.unExportObject(machine.path);
        }
        machines.clear();
        kills.clear();
        terminated.clear();
    }

    List<String> terminated() {
        return List.copyOf(terminated);
    }

    synchronized boolean has(String name) {
        return machines.containsKey(name);
    }

    List<Kill> kills() {
        return List.copyOf(kills);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            // test teardown; the daemon goes next
        }
    }

    static String uidOfThisProcess() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** machined's object path: sd_bus_path_encode() of the name under /org/freedesktop/machine1/machine. */
    static String machinePath(String name) {
        StringBuilder path = new StringBuilder(MANAGER_PATH + "/machine/");
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c))) {
                path.append(c);
            } else {
                path.append('_').append(String.format("%02x", b & 0xff));
            }
        }
        return path.toString();
    }

    private void checkCaller() {
        Integer denied = deniedUid;
        if (denied == null) {
            return;
        }
        String caller = AbstractConnectionBase.getCallInfo().getSource();
        try {
            DBus bus = connection.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
            if (bus.GetConnectionUnixUser(caller).intValue() != denied) {
                return;
            }
        } catch (DBusException e) {
            throw new IllegalStateException(e);
        }
        if (deniedInteractive) {
            throw new InteractiveAuthorizationRequired("Interactive authentication required.");
        }
        throw new AccessDenied("Access denied");
    }

    private synchronized MachineObject machine(String name) {
        MachineObject machine = machines.get(name);
        if (machine == null) {
            // machined: sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE, "No machine '%s' known", name)
            throw new NoSuchMachine("No machine '" + name + "' known");
        }
        return machine;
    }

    private synchronized void remove(String name) {
        MachineObject machine = machine(name);
        machines.remove(name);
        connection.unExportObject(machine.path);
    }

    private final class ManagerObject implements Manager {
        @Override
        public void RegisterMachineWithNetwork(String name, byte[] id, String service, String clazz, UInt32 leader,
                String rootDirectory, int[] ifindices) {
            checkCaller();
            if (id.length != 0 && id.length != 16) {
                throw new org.freedesktop.DBus.Error.InvalidArgs("Invalid machine ID");
            }
            synchronized (FakeMachined.this) {
                if (machines.containsKey(name)) {
                    // machined: "Machine '%s' already exists"
                    throw new MachineExists("Machine '" + name + "' already exists");
                }
                MachineObject machine = new MachineObject(name, id, service, clazz, leader, rootDirectory, ifindices);
                try {
                    connection.exportObject(machine.path, machine);
                } catch (DBusException e) {
                    throw new IllegalStateException(e);
                }
                machines.put(name, machine);
            }
        }

        @Override
        public void UnregisterMachine(String name) {
            checkCaller();
            remove(name);
        }

        @Override
        public void TerminateMachine(String name) {
            checkCaller();
            terminated.add(name);
            remove(name);
        }

        @Override
        public void KillMachine(String name, String who, int signal) {
            checkCaller();
            machine(name);
            kills.add(new Kill(name, who, signal));
        }

        @Override
        public List<ListEntry> ListMachines() {
            synchronized (FakeMachined.this) {
                List<ListEntry> entries = new ArrayList<>();
                for (MachineObject m : machines.values()) {
                    entries.add(new ListEntry(m.name, m.clazz, m.service, new DBusPath(m.path)));
                }
                return entries;
            }
        }

        @Override
        public DBusPath GetMachine(String name) {
            return new DBusPath(machine(name).path);
        }

        @Override
        public String getObjectPath() {
            return MANAGER_PATH;
        }
    }

    private static final class MachineObject implements MachineProperties {
        final String path;
        final String name;
        final String service;
        final String clazz;
        final Map<String, Variant<?>> properties = new LinkedHashMap<>();

        MachineObject(String name, byte[] id, String service, String clazz, UInt32 leader, String rootDirectory,
                int[] ifindices) {
            this.path = machinePath(name);
            this.name = name;
            this.service = service;
            this.clazz = clazz;
            long nowUsec = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
            // Types as machined's vtable declares them (src/machine/machine-dbus.c).
            properties.put("Name", new Variant<>(name, "s"));
            properties.put("Id", new Variant<>(id, "ay"));
            properties.put("Timestamp", new Variant<>(new UInt64(nowUsec), "t"));
            properties.put("TimestampMonotonic", new Variant<>(new UInt64(1_000_000L), "t"));
            properties.put("Service", new Variant<>(service, "s"));
            properties.put("Unit", new Variant<>("jcontainer@" + name + ".service", "s"));
            properties.put("Leader", new Variant<>(leader, "u"));
            properties.put("Class", new Variant<>(clazz, "s"));
            properties.put("RootDirectory", new Variant<>(rootDirectory, "s"));
            properties.put("NetworkInterfaces", new Variant<>(ifindices, "ai"));
            properties.put("State", new Variant<>("running", "s"));
        }

        @Override
        public Variant<?> Get(String interfaceName, String propertyName) {
            Variant<?> value = MACHINE_INTERFACE.equals(interfaceName) ? properties.get(propertyName) : null;
            if (value == null) {
                throw new UnknownProperty("Unknown property " + interfaceName + "." + propertyName);
            }
            return value;
        }

        @Override
        public Map<String, Variant<?>> GetAll(String interfaceName) {
            return MACHINE_INTERFACE.equals(interfaceName) ? properties : Map.of();
        }

        @Override
        public String getObjectPath() {
            return path;
        }
    }
}
