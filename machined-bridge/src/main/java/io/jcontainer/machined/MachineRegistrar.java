package io.jcontainer.machined;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;

/**
 * Registers a container with systemd-machined as jnspawn does it, recovering from a stale
 * registration of the same name.
 *
 * <p>After a container stops, machined drops its machine only once it notices the unit is gone;
 * a fast restart can meet "Machine 'web' already exists". When the machine that holds the name
 * has a leader that no longer runs, it is stale: it is unregistered and the registration retried
 * for a short while. A machine whose leader still runs is a real conflict and is reported.
 *
 * <p>Unregistered, not terminated: after a reboot inside a {@code Boot=yes} container systemd
 * restarts the unit, and the old machine is still there because its unit never went inactive.
 * TerminateMachine would ask systemd to stop that very unit while its start job runs (machined
 * answers "Resource deadlock avoided", or cancels the restart); UnregisterMachine only drops the
 * record.
 */
public final class MachineRegistrar {
    public static final String SERVICE = "jcontainer";
    public static final String CLASS = "container";
    /** How long a stale registration may take to go away. */
    public static final long RETRY_MILLIS = 3000;

    private final MachineManager manager;
    private final IntPredicate leaderRuns;

    public MachineRegistrar(MachineManager manager) {
        this(manager, MachineRegistrar::runs);
    }

    /** @param leaderRuns whether a leader PID still runs (tests inject it) */
    public MachineRegistrar(MachineManager manager, IntPredicate leaderRuns) {
        this.manager = manager;
        this.leaderRuns = leaderRuns;
    }

    /**
     * Registers {@code name} (service "jcontainer", class "container") with {@code leader} as its
     * PID 1; already registered with this leader counts as done.
     */
    public void register(String name, byte[] id, int leader, String rootDirectory, int[] ifindices)
            throws MachinedException {
        long deadline = System.currentTimeMillis() + RETRY_MILLIS;
        while (true) {
            try {
                manager.registerMachineWithNetwork(name, id, SERVICE, CLASS, leader, rootDirectory, ifindices);
                return;
            } catch (MachineExistsException exists) {
                int old;
                try {
                    old = manager.machineProperties(name).leader();
                } catch (NoSuchMachineException gone) {
                    continue; // dropped meanwhile: try again at once
                }
                if (old == leader) {
                    return;
                }
                if (leaderRuns.test(old)) {
                    throw new MachineExistsException("Failed to register machine '" + name
                            + "': it already exists and its leader (PID " + old + ") still runs", exists.errorName(), exists);
                }
                try {
                    manager.unregisterMachine(name);
                } catch (NoSuchMachineException gone) {
                    // dropped meanwhile
                }
                if (System.currentTimeMillis() > deadline) {
                    throw exists;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw exists;
                }
            }
        }
    }

    /** Whether a process runs: it exists and is not a zombie. */
    static boolean runs(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int paren = stat.lastIndexOf(')');
            return paren > 0 && paren + 2 < stat.length() && stat.charAt(paren + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
