package io.jcontainer.cli;

import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.LaunchException;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer ps}: the containers that have a file, as {@code docker ps} lists them. Running means the unit
 * is active or machined has the machine; where systemd is not PID 1, that jnspawn's record
 * ({@code /run/jcontainer/NAME.state}) names a live leader. A caller who may not read the record (not root) sees
 * the transient containers ({@code run}'s files) with state {@value ContainerStates#UNKNOWN}.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists the running containers (-a: every container file). Without systemd as PID 1, the ones "
            + "jnspawn runs in the foreground (a non-root caller sees those of 'jcontainer run' with state '-').",
        footer = {"", "Example:", "  jcontainer ps -a --json"})
final class PsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-a", "--all"}, description = "Also the containers that do not run.")
    boolean all;

    @Option(names = "--json", description = "A JSON array of {name, image, command, state, health, status, file}; "
            + "health is starting, healthy, unhealthy or null (no check, not running); status is Docker's "
            + "(Up 3 minutes (healthy)).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, String>> rows = new ArrayList<>();
        boolean systemd = host.systemdBooted();
        Path transientDir = host.transientDir();
        List<ContainerFiles.Entry> files = ContainerFiles.effective(host.searchDirs());
        if (!systemd) {
            // In the foreground: jnspawn's record of a running container (root may read it) tells.
            for (ContainerFiles.Entry e : files) {
                String state = foregroundState(host, e.name());
                if (all || state.equals("running")
                        || state.equals(ContainerStates.UNKNOWN) && e.file().getParent().equals(transientDir)) {
                    rows.add(row(host, e, state));
                }
            }
        } else {
            try (ContainerStates states = ContainerStates.open(host)) {
                for (ContainerFiles.Entry e : files) {
                    String state = state(states, e.name());
                    if (all || state.equals("running")) {
                        rows.add(row(host, e, state));
                    }
                }
                states.printNote(spec.commandLine().getErr());
            }
        }
        if (json) {
            JsonOutput.print(out, rows);
        } else {
            Table table = new Table("NAME", "IMAGE", "COMMAND", "STATE", "STATUS", "FILE");
            for (Map<String, String> r : rows) {
                table.row(r.get("name"), r.get("image"), r.get("command"), r.get("state"), r.get("status"),
                        r.get("file"));
            }
            table.print(out);
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    /**
     * Without systemd: {@code running} while jnspawn's record names a live leader (the same process: its start time
     * matches), {@code stopped} without one, {@value ContainerStates#UNKNOWN} when the record cannot be read (it is
     * root's).
     */
    static String foregroundState(Host host, String name) {
        try {
            Optional<ContainerState> state = ContainerState.read(host.runtimeDir(), name);
            return state.isPresent() && state.get().alive() ? "running" : "stopped";
        } catch (LaunchException e) {
            return ContainerStates.UNKNOWN;
        }
    }

    /** {@code running} when the unit is active or machined has the machine, else the unit's state. */
    static String state(ContainerStates states, String name) {
        ContainerStates.UnitState unit = states.unit(name);
        ContainerStates.MachineState machine = states.machine(name);
        if (unit.summary().equals("active") || machine.properties() != null) {
            return "running";
        }
        return unit.summary();
    }

    /**
     * Docker's STATUS: {@code Up 3 minutes (healthy)} for a running container (the time from jnspawn's record of its
     * PID 1; {@code Up} alone when the record cannot be read), else the state.
     */
    private static String status(Host host, String name, String state, String health) {
        if (!state.equals("running")) {
            return state;
        }
        String up = "Up";
        try {
            Optional<ContainerState> record = ContainerState.read(host.runtimeDir(), name);
            if (record.isPresent()) {
                up += " " + Formats.duration(java.time.Duration.ofMillis(System.currentTimeMillis()
                        - Uptime.startedAtMillis(record.get())));
            }
        } catch (LaunchException | CliException e) {
            // root's record: a caller who may not read it sees "Up" alone
        }
        return health == null ? up : up + " (" + health + ")";
    }

    private static Map<String, String> row(Host host, ContainerFiles.Entry e, String state) {
        String image = ContainerStates.UNKNOWN;
        String command = ContainerStates.UNKNOWN;
        String health = null;
        try {
            ContainerFile file = ContainerFile.parse(e.file());
            image = file.image() != null ? file.image() : String.valueOf(file.directory());
            command = file.exec().isEmpty() ? "(image default)" : String.join(" ", file.exec());
            if (state.equals("running")) {
                health = HealthState.summary(host, e.name(), HealthcheckRunCommand.check(host, file) != null);
            }
        } catch (SettingsException | CliException ex) {
            // an unreadable file still names a container; its image stays unknown
        }
        Map<String, String> row = new LinkedHashMap<>();
        row.put("name", e.name());
        row.put("image", image);
        row.put("command", command);
        row.put("state", state);
        row.put("health", health);
        row.put("status", status(host, e.name(), state, health));
        row.put("file", e.file().toString());
        return row;
    }
}
