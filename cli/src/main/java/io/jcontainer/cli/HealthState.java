package io.jcontainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.HealthSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's health as its checks left it, in {@code /run/jcontainer/health/NAME.json} (gone at reboot, as the
 * container): the status ({@value #STARTING}, {@value #HEALTHY}, {@value #UNHEALTHY}), the failing streak and the
 * last {@value #MAX_LOG} results, as Docker's {@code State.Health}. It belongs to one run of the container (its
 * leader's pid and start time): a restarted container starts again from {@value #STARTING}.
 */
final class HealthState {
    static final String STARTING = "starting";
    static final String HEALTHY = "healthy";
    static final String UNHEALTHY = "unhealthy";
    /** Results kept (Docker keeps 5). */
    static final int MAX_LOG = 5;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** The JSON form; public fields for Jackson. */
    public static final class Wire {
        public String status = STARTING;
        public int failingStreak;
        public long leader;
        public long leaderStartTime;
        public List<Map<String, Object>> log = new ArrayList<>();
    }

    private final Wire wire;

    private HealthState(Wire wire) {
        this.wire = wire;
    }

    static Path dir(Host host) {
        return host.runtimeDir().resolve("health");
    }

    static Path file(Host host, String name) {
        return dir(host).resolve(name + ".json");
    }

    /** The recorded health of {@code name}, or null when no check has run for it. */
    static HealthState read(Host host, String name) throws CliException {
        try {
            return new HealthState(JSON.readValue(Files.readAllBytes(file(host, name)), Wire.class));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CliException("Failed to read the health of '" + name + "' from '" + file(host, name) + "': "
                    + ContainerFiles.reason(e), e);
        }
    }

    /** The recorded health of this run of the container, or a new one ({@value #STARTING}). */
    static HealthState forRun(Host host, String name, ContainerState running) throws CliException {
        HealthState s = read(host, name);
        if (s == null || s.wire.leader != running.leader() || s.wire.leaderStartTime != running.startTime()) {
            Wire w = new Wire();
            w.leader = running.leader();
            w.leaderStartTime = running.startTime();
            s = new HealthState(w);
        }
        return s;
    }

    /** Removes what checks recorded of {@code name} ({@code rm}); best effort: /run goes at reboot anyway. */
    static void remove(Host host, String name) {
        try {
            Files.deleteIfExists(file(host, name));
            Files.deleteIfExists(dir(host).resolve(name + ".lock"));
        } catch (IOException e) {
            // left for the reboot; a new container of the name starts from "starting" (another leader)
        }
    }

    /** Holds {@code NAME.lock} until closed: one check of a container at a time (the timer's and a manual one). */
    static AutoCloseable lock(Host host, String name) throws CliException {
        Path lockFile = dir(host).resolve(name + ".lock");
        try {
            Files.createDirectories(dir(host));
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            return () -> {
                lock.release();
                channel.close();
            };
        } catch (IOException e) {
            throw new CliException("Failed to lock '" + lockFile + "': " + ContainerFiles.reason(e), e);
        }
    }

    String status() {
        return wire.status;
    }

    int failingStreak() {
        return wire.failingStreak;
    }

    /**
     * Counts one result, as Docker does: a pass makes the container healthy; a failure adds to the streak, which
     * makes it unhealthy at {@code retries} failures in a row, except while it is still starting within its start
     * period, when failures do not count.
     */
    void record(HealthProbe.Result r, HealthSpec spec, boolean inStartPeriod) {
        if (r.passed()) {
            wire.status = HEALTHY;
            wire.failingStreak = 0;
        } else if (!(wire.status.equals(STARTING) && inStartPeriod)) {
            wire.failingStreak++;
            if (wire.failingStreak >= spec.retries()) {
                wire.status = UNHEALTHY;
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("start", r.start().toString());
        entry.put("end", r.end().toString());
        entry.put("exitCode", r.exitCode());
        entry.put("output", r.output());
        entry.put("truncated", r.truncated());
        wire.log.add(entry);
        while (wire.log.size() > MAX_LOG) {
            wire.log.remove(0);
        }
    }

    /** Writes the state: a temporary file, then renamed over the old one. */
    void write(Host host, String name) throws CliException {
        Path target = file(host, name);
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), "." + name + ".", ".tmp");
            try {
                Files.write(temp, JSON.writeValueAsBytes(wire));
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new CliException("Failed to write '" + target + "': " + ContainerFiles.reason(e), e);
        }
    }

    /** For {@code inspect} and {@code status}: Docker's {@code State.Health} shape. */
    Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", wire.status);
        m.put("failingStreak", wire.failingStreak);
        m.put("log", wire.log);
        return m;
    }

    /** The last result's output, for {@code status}; null without one. */
    String lastOutput() {
        return wire.log.isEmpty() ? null : String.valueOf(wire.log.get(wire.log.size() - 1).get("output"));
    }

    /**
     * For {@code inspect}: the container's check and its recorded health ({@link #report}, or {@value #STARTING}
     * with no results before the first check of this run); null when it has no check. Never fails: what cannot be
     * read is a {@code problem}.
     */
    static Map<String, Object> inspect(Host host, String name, ContainerFile file) {
        HealthSpec check;
        try {
            check = HealthcheckRunCommand.check(host, file);
        } catch (CliException e) {
            return Map.of("problem", e.getMessage());
        }
        if (check == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        String status = summary(host, name, true);
        m.put("status", status);
        HealthState s = null;
        try {
            s = status.equals(STARTING) || status.equals(ContainerStates.UNKNOWN) ? null : read(host, name);
        } catch (CliException e) {
            m.put("problem", e.getMessage());
        }
        m.put("failingStreak", s == null ? 0 : s.wire.failingStreak);
        m.put("log", s == null ? List.of() : s.wire.log);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("test", check.test());
        c.put("intervalMillis", check.intervalMillis());
        c.put("timeoutMillis", check.timeoutMillis());
        c.put("startPeriodMillis", check.startPeriodMillis());
        c.put("retries", check.retries());
        c.put("onFailure", check.onFailure().toString());
        m.put("check", c);
        return m;
    }

    /**
     * The health of a running container for {@code ps}, {@code inspect} and {@code status}: the recorded state when
     * it belongs to the running leader (else {@value #STARTING}: no check has run since the start); null when the
     * container has no check or does not run. Never fails: a state that cannot be read reads as unknown ("-").
     */
    static String summary(Host host, String name, boolean hasCheck) {
        if (!hasCheck) {
            return null;
        }
        try {
            java.util.Optional<ContainerState> running = ContainerState.read(host.runtimeDir(), name);
            HealthState s = read(host, name);
            if (s == null || running.isEmpty()) {
                return STARTING;
            }
            boolean sameRun = s.wire.leader == running.get().leader()
                    && s.wire.leaderStartTime == running.get().startTime();
            return sameRun ? s.wire.status : STARTING;
        } catch (CliException | io.jcontainer.jnspawn.LaunchException e) {
            return ContainerStates.UNKNOWN;
        }
    }
}
