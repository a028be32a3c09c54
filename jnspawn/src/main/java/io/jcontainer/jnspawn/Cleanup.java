package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.cgroup.DeviceCgroup;
import io.jcontainer.jnspawn.internal.network.HostNetwork;
import io.jcontainer.jnspawn.internal.network.NetworkConfig;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what containers left on the host when their jnspawn could not clean up (it was killed, or it
 * handed the container to systemd and the unit's {@code ExecStopPost=} did not run): network leases, the
 * veths and published ports of those leases, staging directories, device cgroups, state records; and the
 * bridge and nft table once no container holds a lease.
 *
 * <p>Nothing of a running container is touched: each item has its holder, checked by pid and start time
 * (a lease: the container's PID 1; a state record: its leader) or by pid (a staging directory or device
 * cgroup: the jnspawn that made it; a device cgroup with processes in it is kept too).
 *
 * <p>{@code jnspawn --cleanup -M NAME} (ExecStopPost=) runs {@link #machine}; {@code jcontainer cleanup}
 * runs {@link #machine} for the names it is given, or {@link #all}.
 */
public final class Cleanup {
    private static final String STAGING_PREFIX = "jnspawn.";

    private final Path runtimeDir;
    private final List<String> removed = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public Cleanup(Path runtimeDir) {
        this.runtimeDir = runtimeDir;
    }

    /**
     * What containers named {@code machine} left, and whatever stale network state other containers left
     * on the bridge.
     */
    public Cleanup machine(String machine) {
        network(machine);
        state(machine);
        staging(machine);
        return this;
    }

    /** What every container that no longer runs left. */
    public Cleanup all() {
        network(null);
        for (Path record : entries(runtimeDir, "*" + ContainerState.SUFFIX)) {
            String file = record.getFileName().toString();
            String machine = file.substring(0, file.length() - ContainerState.SUFFIX.length());
            if (!machine.isEmpty() && !machine.startsWith(".")) {
                state(machine);
            }
        }
        staging(null);
        return this;
    }

    /** What was removed, one item each ({@code lease 10.213.0.2 of 'web'}, {@code staging directory '/run/…'}). */
    public List<String> removed() {
        return List.copyOf(removed);
    }

    /** What could not be removed or read, one line each (the item stays). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** @param machine null: only what is stale on the bridge */
    private void network(String machine) {
        NetworkConfig config;
        try {
            config = NetworkConfig.load();
        } catch (SettingsException e) {
            warnings.add(e.getMessage() + "; not cleaning up the network");
            return;
        }
        HostNetwork network = new HostNetwork(config, runtimeDir);
        if (machine == null) {
            network.sweep();
        } else {
            network.cleanUp(machine);
        }
        removed.addAll(network.removed());
    }

    private void state(String machine) {
        if (ContainerState.remove(runtimeDir, machine)) {
            removed.add("state record '" + ContainerState.path(runtimeDir, machine) + "'");
        }
    }

    /**
     * The staging directories and device cgroups ({@code jnspawn.NAME.PID.N}, createUniqueDirectory) of
     * {@code machine}, or of every machine (null), whose jnspawn no longer runs.
     */
    private void staging(String machine) {
        for (Path dir : new Path[] {runtimeDir, DeviceCgroup.ROOT.resolve("jcontainer")}) {
            for (Path entry : entries(dir, STAGING_PREFIX + (machine == null ? "" : machine + ".") + "*")) {
                // NAME may hold dots, PID and N do not: "jnspawn.a.*" also matches the staging
                // directories of a machine named "a.b", which are not a's to remove.
                String name = entry.getFileName().toString();
                int n = name.lastIndexOf('.');
                int p = name.lastIndexOf('.', n - 1);
                if (p > STAGING_PREFIX.length() && name.substring(p + 1).matches("[0-9]{1,18}\\.[0-9]+")
                        && (machine == null || name.substring(STAGING_PREFIX.length(), p).equals(machine))) {
                    removeIfStale(dir, entry, Long.parseLong(name.substring(p + 1, n)));
                }
            }
        }
    }

    private List<Path> entries(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            for (Path entry : entries) {
                out.add(entry);
            }
        } catch (IOException e) {
            warnings.add("Failed to read '" + dir + "', ignoring: " + e.getMessage());
        }
        return out;
    }

    /** Removes a staging directory or device cgroup made by the jnspawn {@code pid} unless that still runs. */
    private void removeIfStale(Path dir, Path entry, long pid) {
        if (pid > 0 && ProcessHandle.of(pid).isPresent()) {
            return; // that jnspawn still runs
        }
        try {
            if (dir.equals(runtimeDir)) {
                Launcher.deleteTree(entry);
                removed.add("staging directory '" + entry + "'");
            } else if (hasProcesses(entry)) {
                return; // a container handed to systemd still runs in it
            } else if (Files.deleteIfExists(entry)) { // a cgroup: rmdir, never its files
                removed.add("device cgroup '" + entry + "'");
            }
        } catch (IOException e) {
            warnings.add("Failed to remove '" + entry + "', ignoring: " + e.getMessage());
        }
    }

    private static boolean hasProcesses(Path cgroup) {
        try {
            return !Files.readString(cgroup.resolve("cgroup.procs")).isBlank();
        } catch (IOException e) {
            return false; // gone, or not a cgroup: rmdir decides
        }
    }
}
