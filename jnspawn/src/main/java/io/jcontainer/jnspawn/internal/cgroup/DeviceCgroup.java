package io.jcontainer.jnspawn.internal.cgroup;

import io.jcontainer.jnspawn.LaunchException;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The device policy of a container run in the foreground: a cgroup-v1 {@code devices} group that
 * allows only the nodes its /dev offers.
 *
 * <p>Under systemd the unit's {@code DevicePolicy=closed} does this. In the foreground nothing
 * would, and the container keeps CAP_MKNOD (nspawn's default set): without this group it could
 * mknod a host disk and open it. Where the v1 controller is absent (a pure cgroup-v2 host, which
 * needs a BPF device program), the planner drops CAP_MKNOD instead; see {@link #available()}.
 */
public final class DeviceCgroup {
    /** Where the v1 devices controller is mounted on hybrid and legacy hosts. */
    public static final Path ROOT = Path.of("/sys/fs/cgroup/devices");

    /** nspawn's allow list: null zero full random urandom tty ptmx, pty slaves; mknod of any node. */
    public static final List<String> ALLOW = List.of(
            "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
            "c 5:0 rwm", "c 5:2 rwm", "c 136:* rw", "c *:* m", "b *:* m");

    private final Path dir;

    private DeviceCgroup(Path dir) {
        this.dir = dir;
    }

    /** Whether this host has a writable v1 devices controller. */
    public static boolean available() {
        return PlanInputs.isWritable(ROOT.resolve("devices.deny"));
    }

    /** Creates the group {@code jcontainer/NAME} with the allow list applied. */
    public static DeviceCgroup create(String name) throws LaunchException {
        Path dir = ROOT.resolve("jcontainer").resolve(name);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("devices.deny"), "a");
            for (String rule : ALLOW) {
                Files.writeString(dir.resolve("devices.allow"), rule);
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to set up the device cgroup '" + dir + "': " + e.getMessage(), e);
        }
        return new DeviceCgroup(dir);
    }

    public Path path() {
        return dir;
    }

    /** Moves a process (and so its future children) into the group. */
    public void add(long pid) throws LaunchException {
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
            throw new LaunchException("Failed to move pid " + pid + " into '" + dir + "': " + e.getMessage(), e);
        }
    }

    /** Removes the group; processes that just died may take a moment to leave it. */
    public void remove() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        System.err.println("jnspawn: Failed to remove cgroup '" + dir + "', ignoring.");
    }
}
