package io.jcontainer.jnspawn.internal.plan;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every question the planner asks of the file system, and the record of what it asked: the one way the planner reads
 * a file, tests a path or resolves a mount target (PlanInputsTest fails on a planner class that goes around it).
 *
 * <p>While a recording runs ({@link #start}), each question first records the path's stat (dev, inode, mode, size,
 * mtime, ctime, or "absent"), following symlinks or not as the question does; the exec stage asks {@code stat} or
 * {@code lstat} the same at a planned start and takes the JVM path on any difference. The stat comes before the read,
 * so a file that changes in between is seen as changed at the next start, never the reverse. Outside a recording the
 * questions are the plain {@link Files} calls (the generator and {@code jcontainer} parse container files too).
 *
 * <p>One recording per thread of the JVM at a time: the planner is single-threaded and plans one container at once.
 */
public final class PlanInputs {
    /** How an input is compared at start. */
    public enum How {
        /** stat(2): the path and whatever it links to. */
        STAT,
        /** lstat(2): the path itself (a symlink is an input of its own). */
        LSTAT,
        /** presence only (a /proc entry: its inode is new at every boot). */
        EXISTS
    }

    /**
     * One recorded input.
     *
     * @param present false: the path did not exist (the other numbers are 0)
     */
    public record Input(String path, How how, boolean present, long dev, long ino, int mode, long size, long mtimeSec,
            long mtimeNsec, long ctimeSec, long ctimeNsec) {
    }

    /**
     * What one planning asked: files, environment variables (a null value: unset) and whether stdin and stdout were
     * terminals (null: not asked).
     */
    public record Recording(List<Input> inputs, Map<String, String> env, Boolean console) {
    }

    private static final class State {
        final Map<String, Input> inputs = new LinkedHashMap<>();
        final Map<String, String> env = new LinkedHashMap<>();
        Boolean console;
    }

    private static final ThreadLocal<State> RECORDING = new ThreadLocal<>();

    private PlanInputs() {
    }

    /** Starts recording on this thread (a running recording is dropped). */
    public static void start() {
        RECORDING.set(new State());
    }

    /** Ends the recording of this thread and returns what it asked, inputs in the order first asked. */
    public static Recording stop() {
        State s = RECORDING.get();
        RECORDING.remove();
        if (s == null) {
            return new Recording(List.of(), Map.of(), null);
        }
        return new Recording(new ArrayList<>(s.inputs.values()), new LinkedHashMap<>(s.env), s.console);
    }

    /** Whether a recording runs on this thread. */
    public static boolean recording() {
        return RECORDING.get() != null;
    }

    /** Records {@code p} as an input without asking anything of it (a file another component reads). */
    public static void record(Path p, How how) {
        State s = RECORDING.get();
        if (s == null) {
            return;
        }
        Map<String, Input> m = s.inputs;
        String key = how + ":" + p.toAbsolutePath();
        if (!m.containsKey(key)) {
            m.put(key, stat(p.toAbsolutePath(), how));
        }
    }

    /** The stat of {@code p} as the exec stage compares it; {@code present} false when it does not exist. */
    public static Input stat(Path p, How how) {
        String path = p.toString();
        if (how == How.EXISTS) {
            return new Input(path, how, Files.exists(p, LinkOption.NOFOLLOW_LINKS), 0, 0, 0, 0, 0, 0, 0, 0);
        }
        LinkOption[] opts = how == How.LSTAT ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,mode,size,lastModifiedTime,ctime", opts);
            FileTime m = (FileTime) a.get("lastModifiedTime");
            FileTime c = (FileTime) a.get("ctime");
            return new Input(path, how, true, (Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"),
                    (Long) a.get("size"), m.toInstant().getEpochSecond(), m.toInstant().getNano(),
                    c.toInstant().getEpochSecond(), c.toInstant().getNano());
        } catch (IOException | UnsupportedOperationException e) {
            // Absent, or not to be asked (a dangling link followed, a denied directory): both compare as absent,
            // and a stat that fails at start the same way compares equal.
            return new Input(path, how, false, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    // ---------------------------------------------------------------- the planner's questions

    /** {@link System#getenv(String)}, recorded. */
    public static String getenv(String name) {
        String value = System.getenv(name);
        State s = RECORDING.get();
        if (s != null) {
            s.env.putIfAbsent(name, value);
        }
        return value;
    }

    /** Whether the JVM has a console (stdin and stdout are terminals), recorded. */
    public static boolean console() {
        boolean console = System.console() != null;
        State s = RECORDING.get();
        if (s != null && s.console == null) {
            s.console = console;
        }
        return console;
    }

    /** {@link Files#exists} following symlinks. */
    public static boolean exists(Path p) {
        record(p, How.STAT);
        return Files.exists(p);
    }

    /** {@link Files#exists} of the path itself. */
    public static boolean existsNoFollow(Path p) {
        record(p, How.LSTAT);
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether a /proc entry exists: presence only, as its inode changes at every boot. */
    public static boolean procEntryExists(Path p) {
        record(p, How.EXISTS);
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    public static boolean isDirectory(Path p) {
        record(p, How.STAT);
        return Files.isDirectory(p);
    }

    public static boolean isDirectoryNoFollow(Path p) {
        record(p, How.LSTAT);
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    public static boolean isRegularFileNoFollow(Path p) {
        record(p, How.LSTAT);
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    public static boolean isSymbolicLink(Path p) {
        record(p, How.LSTAT);
        return Files.isSymbolicLink(p);
    }

    public static boolean isReadable(Path p) {
        record(p, How.STAT);
        return Files.isReadable(p);
    }

    public static boolean isExecutable(Path p) {
        record(p, How.STAT);
        return Files.isExecutable(p);
    }

    public static boolean isWritable(Path p) {
        record(p, How.STAT);
        return Files.isWritable(p);
    }

    public static List<String> readAllLines(Path p) throws IOException {
        record(p, How.STAT);
        return Files.readAllLines(p);
    }

    public static String readString(Path p) throws IOException {
        record(p, How.STAT);
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /**
     * At most {@code max} bytes of {@code p} with java.io (a FileChannel's set-up costs the generator, which parses
     * every container file at boot); a directory fails to open, as {@link FileInputStream} fails.
     */
    public static byte[] readBytes(Path p, int max) throws IOException {
        record(p, How.STAT);
        try (FileInputStream in = new FileInputStream(p.toFile())) {
            return in.readNBytes(max);
        }
    }
}
