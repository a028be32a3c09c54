package io.jcontainer.cli;

import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.LaunchException;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code inspect} shows of a container: {@code show}'s report, the settings of its file, its published ports
 * and, while jnspawn's record says it runs, its PID 1 and the confinement {@code exec} gives a command in it.
 */
final class ContainerInspection {
    private ContainerInspection() {
    }

    /**
     * The container {@code name} as a map, or null when no container has that name and {@code required} is false.
     *
     * @throws CliException no such container and {@code required}
     */
    static Map<String, Object> of(Host host, String name, boolean required) throws CliException {
        Path file;
        try {
            file = ContainerFiles.locate(name, host.searchDirs());
        } catch (SettingsException e) {
            if (required) {
                throw new CliException("No such container: " + e.getMessage(), e);
            }
            return null;
        }
        Map<String, Object> o;
        try (ContainerStates states = ContainerStates.open(host)) {
            o = ShowCommand.toMap(ContainerReport.collect(host, name, states));
        } catch (SettingsException e) {
            throw new CliException(e.getMessage(), e);
        }
        o.put("config", config(file));
        ContainerFile parsed = parsed(file);
        o.put("health", parsed == null ? null : HealthState.inspect(host, name, parsed));
        Map<String, Object> process = new LinkedHashMap<>();
        try {
            Optional<ContainerState> state = ContainerState.read(host.runtimeDir(), name);
            boolean running = state.isPresent() && state.get().alive();
            process.put("running", running);
            if (running) {
                ContainerState s = state.get();
                process.put("leader", s.leader());
                process.put("capabilities", String.format("%016x", s.capabilities()));
                process.put("noNewPrivileges", s.noNewPrivileges());
                process.put("uid", Integer.toUnsignedLong(s.uid()));
                process.put("gid", Integer.toUnsignedLong(s.gid()));
                process.put("workingDirectory", s.workingDirectory());
            }
            process.put("problem", null);
        } catch (LaunchException e) {
            process.put("running", null);
            process.put("problem", e.getMessage());
        }
        o.put("process", process);
        return o;
    }

    private static ContainerFile parsed(Path file) {
        try {
            return ContainerFile.parse(file);
        } catch (SettingsException e) {
            return null;
        }
    }

    /** The [Container] settings that say what runs and how; null for a file that cannot be parsed. */
    private static Map<String, Object> config(Path file) {
        ContainerFile f;
        try {
            f = ContainerFile.parse(file);
        } catch (SettingsException e) {
            return null;
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("exec", f.exec());
        c.put("environment", f.environment());
        c.put("user", f.user());
        c.put("workingDirectory", f.workingDirectory());
        c.put("hostname", f.hostname());
        c.put("network", f.network() == null ? null : f.network().toString());
        c.put("publishPorts", f.publishPorts());
        List<String> binds = new ArrayList<>();
        for (BindSpec b : f.binds()) {
            binds.add(b.toString());
        }
        c.put("binds", binds);
        List<String> readOnly = new ArrayList<>();
        for (BindSpec b : f.bindsReadOnly()) {
            readOnly.add(b.toString());
        }
        c.put("bindsReadOnly", readOnly);
        c.put("privateUsers", f.privateUsers() == null ? null : f.privateUsers().toString());
        c.put("readOnly", f.readOnly());
        c.put("ephemeral", f.ephemeral());
        c.put("boot", f.boot());
        return c;
    }
}
