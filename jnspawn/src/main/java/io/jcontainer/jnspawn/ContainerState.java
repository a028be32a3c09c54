package io.jcontainer.jnspawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code jcontainer exec} and {@code kill} need of a running container, recorded by jnspawn once its payload
 * runs: {@code RUNTIME/NAME.state} (by default {@code /run/jcontainer/web.state}), root-only, written with temp +
 * rename, removed when the container ends (foreground) or by {@code jnspawn --cleanup} (ExecStopPost=).
 *
 * <p>Plain {@code key=value} lines rather than JSON: jnspawn writes it on every start, where Jackson's class
 * loading would cost more than the rest of this class. Values escape backslash and newline.
 *
 * @param leader       the host pid of the container's PID 1
 * @param startTime    field 22 of {@code /proc/LEADER/stat}: tells the leader from a later process of that pid
 * @param capabilities the container's capability bounding set, as a bit mask
 * @param lowers       the overlayfs lower directories of its root, top-most last (for an image: the store's
 *                     {@code layers/CHAINID} directories, which {@code jcontainer gc} keeps while the leader lives)
 */
public record ContainerState(String machine, long leader, long startTime, long capabilities, boolean noNewPrivileges,
        int uid, int gid, List<Integer> groups, String workingDirectory, List<String> env, List<Path> lowers) {
    public static final String SUFFIX = ".state";

    public ContainerState {
        groups = List.copyOf(groups);
        env = List.copyOf(env);
        lowers = List.copyOf(lowers);
    }

    /** A state without lower directories (a container whose root is a plain directory). */
    public ContainerState(String machine, long leader, long startTime, long capabilities, boolean noNewPrivileges,
            int uid, int gid, List<Integer> groups, String workingDirectory, List<String> env) {
        this(machine, leader, startTime, capabilities, noNewPrivileges, uid, gid, groups, workingDirectory, env, List.of());
    }

    /** The state of a container whose PID 1 is {@code leader}, as the launch plan set it up. */
    static ContainerState of(LaunchPlan plan, long leader) {
        return of(plan, leader, startTime(leader));
    }

    /** The state as the launch plan set it up, with the leader given (a plan file's record: slots, see text). */
    static ContainerState of(LaunchPlan plan, long leader, long startTime) {
        return new ContainerState(plan.machine(), leader, startTime, plan.capabilities(),
                plan.noNewPrivileges(), plan.uid(), plan.gid(), plan.groups(), plan.workingDirectory(), plan.env(),
                plan.root() == null ? List.of() : plan.root().lowers());
    }

    /**
     * The states in {@code runtimeDir} whose leader still runs; unreadable records are skipped (they describe no
     * running container this program could act on).
     */
    public static List<ContainerState> running(Path runtimeDir) throws LaunchException {
        List<ContainerState> result = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(runtimeDir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String machine = name.substring(0, name.length() - SUFFIX.length());
                if (machine.isEmpty() || machine.startsWith(".")) {
                    continue;
                }
                try {
                    read(runtimeDir, machine).filter(ContainerState::alive).ifPresent(result::add);
                } catch (LaunchException e) {
                    // not a record of ours, or half of one: nothing running to protect
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LaunchException("Failed to list '" + runtimeDir + "': " + e.getMessage(), e);
        }
        return result;
    }

    /** Where the state of {@code machine} lives. */
    public static Path path(Path runtimeDir, String machine) {
        return runtimeDir.resolve(machine + SUFFIX);
    }

    /** The runtime directory of this installation: {@code jcontainer.runtime}, else /run/jcontainer. */
    public static Path defaultRuntimeDir() {
        return Path.of(System.getProperty("jcontainer.runtime", "/run/jcontainer"));
    }

    /**
     * The start time of process {@code pid} in clock ticks since boot, or -1 when there is no such process or it has
     * ended (a zombie not yet reaped is no container to enter).
     */
    public static long startTime(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
        int paren = stat.lastIndexOf(')');
        String[] rest = paren < 0 ? new String[0] : stat.substring(paren + 2).split(" ");
        if (rest.length < 22 - 2 || rest[0].equals("Z") || rest[0].equals("X")) {
            return -1;
        }
        return Long.parseLong(rest[22 - 3]);
    }

    /** Whether the leader still runs (the same process: its start time matches). */
    public boolean alive() {
        return startTime(leader) == startTime;
    }

    /** Writes the state atomically, readable by root only. */
    void write(Path runtimeDir) throws IOException {
        String sb = text(Long.toString(leader), Long.toString(startTime));
        Path target = path(runtimeDir, machine);
        Path tmp = runtimeDir.resolve("." + machine + SUFFIX + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            // rename(2) within one directory: atomic, and it replaces a stale record.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The record's text with {@code leaderText} and {@code startTimeText} as given: decimal numbers, or the slots a
     * plan file leaves for the exec stage to fill ({@code @LEADER@}, {@code @STARTTIME@}).
     */
    String text(String leaderText, String startTimeText) {
        StringBuilder sb = new StringBuilder("# jcontainer: a running container, for 'jcontainer exec'; written by jnspawn\n");
        line(sb, "machine", machine);
        line(sb, "leader", leaderText);
        line(sb, "starttime", startTimeText);
        line(sb, "capabilities", Long.toUnsignedString(capabilities));
        line(sb, "no_new_privs", noNewPrivileges ? "1" : "0");
        line(sb, "uid", Integer.toUnsignedString(uid));
        line(sb, "gid", Integer.toUnsignedString(gid));
        StringBuilder g = new StringBuilder();
        for (int group : groups) {
            g.append(g.length() == 0 ? "" : ",").append(Integer.toUnsignedString(group));
        }
        line(sb, "groups", g.toString());
        line(sb, "cwd", workingDirectory);
        for (String e : env) {
            line(sb, "env", e);
        }
        for (Path l : lowers) {
            line(sb, "lower", l.toString());
        }
        return sb.toString();
    }

    /** The recorded state of {@code machine}, empty when there is none (it is not running, or never ran). */
    public static Optional<ContainerState> read(Path runtimeDir, String machine) throws LaunchException {
        Path file = path(runtimeDir, machine);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LaunchException("Failed to read '" + file + "': " + e.getMessage(), e);
        }
        String name = null;
        long leader = -1;
        long start = -1;
        long caps = 0;
        boolean nnp = false;
        int uid = 0;
        int gid = 0;
        List<Integer> groups = new ArrayList<>();
        String cwd = "/";
        List<String> env = new ArrayList<>();
        List<Path> lowers = new ArrayList<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            if (raw.isEmpty() || raw.startsWith("#")) {
                continue;
            }
            int eq = raw.indexOf('=');
            if (eq <= 0) {
                throw new LaunchException(file + ":" + number + ": expected KEY=VALUE, refusing.");
            }
            String key = raw.substring(0, eq);
            String value = unescape(raw.substring(eq + 1));
            try {
                switch (key) {
                    case "machine": name = value; break;
                    case "leader": leader = Long.parseLong(value); break;
                    case "starttime": start = Long.parseLong(value); break;
                    case "capabilities": caps = Long.parseUnsignedLong(value); break;
                    case "no_new_privs": nnp = value.equals("1"); break;
                    case "uid": uid = Integer.parseUnsignedInt(value); break;
                    case "gid": gid = Integer.parseUnsignedInt(value); break;
                    case "groups":
                        for (String part : value.split(",")) {
                            if (!part.isEmpty()) {
                                groups.add(Integer.parseUnsignedInt(part));
                            }
                        }
                        break;
                    case "cwd": cwd = value; break;
                    case "env": env.add(value); break;
                    case "lower": lowers.add(Path.of(value)); break;
                    default: throw new LaunchException(file + ":" + number + ": unknown key '" + key + "', refusing.");
                }
            } catch (NumberFormatException e) {
                throw new LaunchException(file + ":" + number + ": invalid " + key + " '" + value + "', refusing.", e);
            }
        }
        if (!machine.equals(name) || leader <= 0 || start < 0) {
            throw new LaunchException("'" + file + "' does not describe a running container '" + machine + "', refusing.");
        }
        return Optional.of(new ContainerState(name, leader, start, caps, nnp, uid, gid, groups, cwd, env, lowers));
    }

    /** Removes the state of {@code machine} unless its leader still runs; best effort. True if a record went. */
    static boolean remove(Path runtimeDir, String machine) {
        try {
            Optional<ContainerState> state = read(runtimeDir, machine);
            if (state.isPresent() && state.get().alive()) {
                return false;
            }
        } catch (LaunchException e) {
            // unreadable: remove it all the same
        }
        try {
            return Files.deleteIfExists(path(runtimeDir, machine));
        } catch (IOException e) {
            System.err.println("jnspawn: Failed to remove '" + path(runtimeDir, machine) + "', ignoring: " + e.getMessage());
            return false;
        }
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
