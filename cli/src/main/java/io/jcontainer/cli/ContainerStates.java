package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.MachineManager;
import io.jcontainer.machined.MachineProperties;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.NoSuchMachineException;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitProperties;
import java.io.PrintWriter;

/**
 * The unit and machine state of containers, read from systemd and systemd-machined over the system bus.
 * Either may be unreachable (no bus on a build box, systemd not PID 1, machined not running): the state is then
 * unknown, shown as {@value #UNKNOWN}, and the first reason is kept for one note line, never an error.
 */
final class ContainerStates implements AutoCloseable {
    static final String UNKNOWN = "-";
    /** The machine state of a container machined does not know: it is not running (or not registered). */
    static final String NO_MACHINE = "none";

    /** A unit's state, or why it is unknown. */
    record UnitState(UnitProperties properties, String problem) {
        String summary() {
            if (properties == null) {
                return UNKNOWN;
            }
            return properties.exists() ? properties.activeState() : properties.loadState();
        }

        String detail() {
            if (properties == null) {
                return UNKNOWN;
            }
            return properties.exists() ? properties.activeState() + " (" + properties.subState() + ")"
                    : properties.loadState();
        }
    }

    /** A machine's properties, {@code absent} when machined has no such machine, or why it is unknown. */
    record MachineState(MachineProperties properties, boolean absent, String problem) {
        String summary() {
            return properties != null ? properties.state() : absent ? NO_MACHINE : UNKNOWN;
        }
    }

    private final SystemdManager systemd;
    private final MachineManager machined;
    private String firstProblem;

    private ContainerStates(SystemdManager systemd, MachineManager machined, String problem) {
        this.systemd = systemd;
        this.machined = machined;
        this.firstProblem = problem;
    }

    /** Connects to both managers; what cannot be reached stays unknown. */
    static ContainerStates open(Host host) {
        SystemdManager systemd = null;
        MachineManager machined = null;
        String problem = null;
        try {
            systemd = host.systemd();
        } catch (MachinedException | RuntimeException e) {
            problem = message(e);
        }
        try {
            machined = host.machined();
        } catch (MachinedException | RuntimeException e) {
            problem = problem == null ? message(e) : problem;
        }
        return new ContainerStates(systemd, machined, problem);
    }

    UnitState unit(String machine) {
        if (systemd == null) {
            return new UnitState(null, firstProblem);
        }
        try {
            return new UnitState(systemd.unitProperties(ContainerUnitConverter.unitName(machine)), null);
        } catch (MachinedException | RuntimeException e) {
            return new UnitState(null, note(e));
        }
    }

    MachineState machine(String machine) {
        if (machined == null) {
            return new MachineState(null, false, firstProblem);
        }
        try {
            return new MachineState(machined.machineProperties(machine), false, null);
        } catch (NoSuchMachineException e) {
            return new MachineState(null, true, null);
        } catch (MachinedException | RuntimeException e) {
            return new MachineState(null, false, note(e));
        }
    }

    /** One note line on stderr when some state was unknown, with the first reason. */
    void printNote(PrintWriter err) {
        if (firstProblem != null) {
            err.println("jcontainer: note: states shown as '" + UNKNOWN + "' are unknown: " + firstProblem);
            err.flush();
        }
    }

    private String note(Exception e) {
        String m = message(e);
        if (firstProblem == null) {
            firstProblem = m;
        }
        return m;
    }

    private static String message(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void close() {
        if (systemd != null) {
            systemd.close();
        }
        if (machined != null) {
            machined.close();
        }
    }
}
