package io.jcontainer.jnspawn.internal.cgroup;

import io.jcontainer.jnspawn.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a process into every cgroup another one is in, as {@code /proc/PID/cgroup} lists them: a command run by
 * {@code jcontainer exec} gets the container's device policy, its resource limits and its unit (so stopping the
 * container stops it too), like runc's exec.
 */
public final class CgroupJoin {
    public static final Path MOUNTS = Path.of("/sys/fs/cgroup");

    private CgroupJoin() {
    }

    /** The directories of {@code pid}'s cgroups on this host; hierarchies not mounted under /sys/fs/cgroup are left out. */
    public static List<Path> cgroupsOf(long pid) throws LaunchException {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        } catch (IOException e) {
            throw new LaunchException("Failed to read the cgroups of process " + pid + ": " + e.getMessage(), e);
        }
        List<Path> dirs = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length != 3 || !f[2].startsWith("/")) {
                continue;
            }
            Path base = mountOf(f[1]);
            if (base != null) {
                dirs.add(Path.of(base + f[2]));
            }
        }
        return dirs;
    }

    /** Moves {@code pid} into each of {@code cgroups}; a cgroup that cannot take it is an error. */
    public static void join(long pid, List<Path> cgroups) throws LaunchException {
        for (Path dir : cgroups) {
            try {
                Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
            } catch (IOException e) {
                throw new LaunchException("Failed to move pid " + pid + " into the container's cgroup '" + dir + "': "
                        + e.getMessage(), e);
            }
        }
    }

    /** Where the hierarchy of a /proc/PID/cgroup line is mounted: "" is cgroup v2, else v1 controllers or name=. */
    private static Path mountOf(String controllers) {
        if (controllers.isEmpty()) {
            // Hybrid hosts mount v2 at unified/, pure v2 hosts at the top.
            Path unified = MOUNTS.resolve("unified");
            return Files.exists(MOUNTS.resolve("cgroup.procs")) ? MOUNTS
                    : Files.isDirectory(unified) ? unified : null;
        }
        String name = controllers.startsWith("name=") ? controllers.substring(5) : controllers;
        Path dir = MOUNTS.resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        for (String part : name.split(",")) {
            if (Files.isDirectory(MOUNTS.resolve(part))) {
                return MOUNTS.resolve(part);
            }
        }
        return null;
    }
}
