package io.jcontainer.machined;

import io.jcontainer.machined.internal.Bus;
import io.jcontainer.machined.internal.BusProperties;
import io.jcontainer.machined.internal.Machine1Manager;
import io.jcontainer.machined.internal.MachineEntry;
import io.jcontainer.machined.internal.PropertyValues;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * A client of systemd-machined ({@code org.freedesktop.machine1}): registers containers as machines so that
 * {@code machinectl} sees them, lists and inspects machines, terminates and signals them.
 *
 * <p>Each instance holds one private bus connection; close it when done. Every failure is a
 * {@link MachinedException} naming the machine, typed where callers act on it (see its subclasses).
 */
public final class MachineManager implements AutoCloseable {
    public static final String BUS_NAME = "org.freedesktop.machine1";
    public static final String OBJECT_PATH = "/org/freedesktop/machine1";
    public static final String MACHINE_INTERFACE = "org.freedesktop.machine1.Machine";
    /** machined takes a machine id of exactly this many bytes, or none. */
    public static final int MACHINE_ID_LENGTH = 16;

    private final Bus bus;
    private final Machine1Manager manager;

    /** Connects to the system bus. */
    public MachineManager() throws MachinedException {
        this(Bus.system());
    }

    /**
     * Connects to the bus at {@code busAddress}, in {@code DBUS_SYSTEM_BUS_ADDRESS} syntax
     * ({@code unix:path=/run/dbus/system_bus_socket}); tests pass a private {@code dbus-daemon}'s address.
     */
    public MachineManager(String busAddress) throws MachinedException {
        this(Bus.at(Objects.requireNonNull(busAddress, "busAddress")));
    }

    private MachineManager(Bus bus) throws MachinedException {
        this.bus = bus;
        try {
            this.manager = bus.remote(BUS_NAME, OBJECT_PATH, Machine1Manager.class);
        } catch (MachinedException e) {
            bus.close();
            throw e;
        }
    }

    /**
     * Registers a machine whose processes already run ({@code RegisterMachineWithNetwork}, as systemd-nspawn
     * does with {@code --keep-unit}): machined records the leader's unit as the machine's unit.
     *
     * @param name the machine name (a valid host name)
     * @param id16 the machine id, exactly {@value #MACHINE_ID_LENGTH} bytes, or empty/{@code null} for none
     * @param service the registering manager: {@code jcontainer}
     * @param machineClass {@code container} or {@code vm}
     * @param leaderPid the container's PID 1 as the host sees it
     * @param rootDirectory the container's root on the host, or empty/{@code null}
     * @param ifindices host-side interface indices of the container's links, or empty/{@code null}
     * @throws MachineExistsException when a machine of that name is registered already
     * @throws AccessDeniedException when polkit refuses
     */
    public void registerMachineWithNetwork(String name, byte[] id16, String service, String machineClass,
            int leaderPid, String rootDirectory, int[] ifindices) throws MachinedException {
        requireName(name);
        byte[] id = id16 == null ? new byte[0] : id16.clone();
        if (id.length != 0 && id.length != MACHINE_ID_LENGTH) {
            throw new IllegalArgumentException("Machine id for '" + name + "' has " + id.length
                    + " bytes, machined takes " + MACHINE_ID_LENGTH + " or none, refusing.");
        }
        if (leaderPid <= 0) {
            throw new IllegalArgumentException("Invalid leader PID " + leaderPid + " for machine '" + name
                    + "', refusing.");
        }
        String root = rootDirectory == null ? "" : rootDirectory;
        int[] links = ifindices == null ? new int[0] : ifindices.clone();
        Bus.run("register machine '" + name + "'", () -> manager.RegisterMachineWithNetwork(name, id,
                Objects.requireNonNull(service, "service"), Objects.requireNonNull(machineClass, "machineClass"),
                new UInt32(leaderPid), root, links));
    }

    /** Drops the machine from machined without touching its processes. */
    public void unregisterMachine(String name) throws MachinedException {
        requireName(name);
        Bus.run("unregister machine '" + name + "'", () -> manager.UnregisterMachine(name));
    }

    /** Stops the machine: machined stops its unit ({@code machinectl terminate}). */
    public void terminateMachine(String name) throws MachinedException {
        requireName(name);
        Bus.run("terminate machine '" + name + "'", () -> manager.TerminateMachine(name));
    }

    /** Sends {@code signal} to the machine's leader or all its processes ({@code machinectl kill}). */
    public void killMachine(String name, MachineKillTarget who, int signal) throws MachinedException {
        requireName(name);
        Objects.requireNonNull(who, "who");
        Bus.run("kill machine '" + name + "' with signal " + signal,
                () -> manager.KillMachine(name, who.wireName(), signal));
    }

    /** Every registered machine, in machined's order. */
    public List<Machine> listMachines() throws MachinedException {
        List<MachineEntry> entries = Bus.call("list machines", manager::ListMachines);
        List<Machine> machines = new ArrayList<>(entries.size());
        for (MachineEntry entry : entries) {
            machines.add(new Machine(entry.getName(), entry.getClazz(), entry.getService(), entry.getPath().getPath()));
        }
        return List.copyOf(machines);
    }

    /**
     * The machine's object path.
     *
     * @throws NoSuchMachineException when no machine of that name is registered
     */
    public String getMachine(String name) throws MachinedException {
        requireName(name);
        DBusPath path = Bus.call("look up machine '" + name + "'", () -> manager.GetMachine(name));
        return path.getPath();
    }

    /**
     * The machine's properties, read in one {@code GetAll} with each value's D-Bus type checked.
     *
     * @throws NoSuchMachineException when no machine of that name is registered
     */
    public MachineProperties machineProperties(String name) throws MachinedException {
        String path = getMachine(name);
        String action = "read properties of machine '" + name + "'";
        BusProperties properties = bus.remote(BUS_NAME, path, BusProperties.class);
        Map<String, Variant<?>> all = Bus.call(action, () -> properties.GetAll(MACHINE_INTERFACE));
        PropertyValues values = new PropertyValues("machine '" + name + "'", all);
        long timestampUsec = values.uint64("Timestamp");
        return new MachineProperties(
                values.string("Name"),
                HexFormat.of().formatHex(values.bytes("Id")),
                values.string("Service"),
                values.string("Unit"),
                values.string("Class"),
                values.uint32("Leader"),
                values.string("RootDirectory"),
                values.int32s("NetworkInterfaces"),
                values.string("State"),
                timestampUsec == 0 ? null : Instant.EPOCH.plus(timestampUsec, ChronoUnit.MICROS));
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Machine name must not be empty");
        }
    }

    @Override
    public void close() {
        bus.close();
    }
}
