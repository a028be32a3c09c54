package io.jcontainer.cli;

import io.jcontainer.jnspawn.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** When a container's PID 1 started: its start time in ticks after boot, plus the boot time of /proc/stat. */
final class Uptime {
    /** USER_HZ: /proc/PID/stat's start time is in these ticks on every Linux architecture jcontainer builds for. */
    private static final long TICKS_PER_SECOND = 100;

    private Uptime() {
    }

    /** Milliseconds since the epoch when {@code running}'s PID 1 started. */
    static long startedAtMillis(ContainerState running) throws CliException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).strip()) * 1000
                            + running.startTime() * 1000 / TICKS_PER_SECOND;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new CliException("Failed to read the boot time from /proc/stat: " + e.getMessage(), e);
        }
        throw new CliException("No btime in /proc/stat.");
    }
}
