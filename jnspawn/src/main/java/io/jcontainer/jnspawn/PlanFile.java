package io.jcontainer.jnspawn;

import static io.jcontainer.jnspawn.internal.exec.ExecProtocol.*;

import io.jcontainer.jnspawn.internal.exec.ExecPlan;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plan file of a named container ({@code STORE/containers/NAME/plan}): what {@code jnspawn -M NAME} would do,
 * compiled ahead, so that the exec stage can start the container without a JVM ({@code jcontainer-exec --plan=FILE
 * --machine=NAME}, docs/jnspawn.md "Planned starts").
 *
 * <p>It holds the launch plan's operations with the staging dir as the slot {@value #STAGING}, the files the start
 * writes there, the state record with its pid slots, and every input the planning asked about ({@link PlanInputs}),
 * the jars and the stage, the kernel release, the environment and the jcontainer.* properties. A plan for a start
 * that needs what the stage cannot do alone (a private network, a device cgroup, a user namespace, systemd's
 * hand-over) says "JVM only" and why: a plan may make a start faster, never different.
 *
 * <p>Written with temp + rename, mode 0600; the stage refuses one of another owner or mode.
 */
final class PlanFile {
    static final String STAGING = "@STAGING@";
    static final String NAME = "plan";

    private PlanFile() {
    }

    /** What was written: the file and, for a plan the stage cannot run alone, why. */
    record Written(Path file, String jvmOnly) {
        String describe(String machine) {
            return "planned '" + machine + "' in " + file + (jvmOnly == null ? " (no JVM at start)"
                    : " (JVM only: " + jvmOnly + ")");
        }
    }

    /** Where the plan of {@code machine} lives. */
    static Path path(String machine) {
        return storeRoot().resolve("containers").resolve(machine).resolve(NAME);
    }

    /**
     * ImageRoot.storeRoot without loading the image store (a container whose root is a directory loads none of it):
     * {@code $JCONTAINER_ROOT}, else ImageStore.DEFAULT_ROOT.
     */
    static Path storeRoot() {
        String env = PlanInputs.getenv("JCONTAINER_ROOT");
        return Path.of(env != null && !env.isEmpty() ? env : "/var/lib/jcontainer");
    }

    /**
     * Whether {@code args} are exactly a start of a named container (-M NAME, --machine NAME, --machine=NAME): the
     * only command line a plan stands for (bin/jnspawn takes the plan for exactly these), and no test hook is set.
     */
    static boolean eligible(String[] args) {
        boolean named = args.length == 2 && (args[0].equals("-M") || args[0].equals("--machine"))
                || args.length == 1 && args[0].startsWith("--machine=");
        return named && System.getProperty("jcontainer.test.hook.afterLayers") == null;
    }

    /** Plans {@code machine} as {@code jnspawn -M NAME} would start it and writes its plan file. */
    static Written planAndWrite(String machine) throws LaunchException, SettingsException {
        JnspawnOptions options = JnspawnOptions.parse(new String[] {"-M", machine});
        PlanInputs.start();
        try {
            LaunchPlan plan = LaunchPlanner.forHost().plan(options);
            return write(plan);
        } finally {
            PlanInputs.stop();
            StoreHold.release(); // planning holds no start
        }
    }

    /**
     * {@code jnspawn --plan-all}: a plan for every container file of the search dirs (the first dir that has a name
     * wins, as for a start). One line per container; false if any failed.
     */
    static boolean planAll(List<Path> searchDirs) {
        TreeMap<String, Path> names = new TreeMap<>();
        for (Path dir : searchDirs) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + ContainerFile.SUFFIX)) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    names.putIfAbsent(f.substring(0, f.length() - ContainerFile.SUFFIX.length()), p);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // no such dir: nothing to plan there
            } catch (IOException e) {
                System.err.println("jnspawn: Failed to list '" + dir + "': " + e.getMessage());
                return false;
            }
        }
        boolean ok = true;
        for (String name : names.keySet()) {
            try {
                MachineName.validate(name);
                System.out.println("jnspawn: " + planAndWrite(name).describe(name));
            } catch (LaunchException | SettingsException e) {
                System.err.println("jnspawn: " + names.get(name) + ": not planned: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Compiles {@code plan} (the recording of its planning still running, which this ends) and writes the file.
     */
    static Written write(LaunchPlan plan) throws LaunchException {
        Path staging = Path.of(STAGING);
        List<Launcher.StagedFile> files = Launcher.networkFiles(plan);
        LaunchPlan staged = Launcher.withStagedFiles(plan, staging, files);
        ExecPlan ops = Launcher.compile(staged, staging);
        Launcher.checkWork(plan.root());
        Path stage = Path.of(System.getProperty("jcontainer.exec", "/usr/libexec/jcontainer/jcontainer-exec"));
        PlanInputs.record(stage, PlanInputs.How.STAT);
        for (String jar : System.getProperty("java.class.path", "").split(":")) {
            if (!jar.isEmpty()) {
                PlanInputs.record(Path.of(jar), PlanInputs.How.STAT);
            }
        }
        PlanInputs.Recording recording = PlanInputs.stop();

        ExecPlan file = new ExecPlan();
        file.add(OP_PLAN_MACHINE, plan.machine());
        String jvmOnly = jvmOnly(plan);
        if (jvmOnly != null) {
            file.add(OP_PLAN_JVM_ONLY, jvmOnly);
        } else {
            PlanInputs.Input self = PlanInputs.stat(stage, PlanInputs.How.STAT);
            if (!self.present()) {
                throw new LaunchException("Exec stage '" + stage + "' is missing, not planning.");
            }
            file.add(OP_PLAN_STAGE, Long.toString(self.dev()), Long.toString(self.ino()));
            file.add(OP_PLAN_KERNEL, System.getProperty("os.version", ""));
            file.add(OP_PLAN_PROPS, properties());
            file.add(OP_PLAN_CONSOLE, Boolean.TRUE.equals(recording.console()) ? "1" : "0");
            for (Map.Entry<String, String> e : recording.env().entrySet()) {
                file.add(OP_PLAN_ENV, e.getKey(), e.getValue() == null ? "0" : "1",
                        e.getValue() == null ? "" : e.getValue());
            }
            for (PlanInputs.Input i : recording.inputs()) {
                file.add(OP_PLAN_INPUT, i.path(), i.how().name().toLowerCase(java.util.Locale.ROOT), i.present() ? "1" : "0",
                        Long.toUnsignedString(i.dev()), Long.toUnsignedString(i.ino()), Integer.toString(i.mode()),
                        Long.toString(i.size()), Long.toString(i.mtimeSec()), Long.toString(i.mtimeNsec()),
                        Long.toString(i.ctimeSec()), Long.toString(i.ctimeNsec()));
            }
            file.add(OP_PLAN_RUNTIME, ContainerState.defaultRuntimeDir().toString());
            boolean image = false;
            for (Path lower : plan.root().lowers()) {
                image |= lower.startsWith(storeRoot().resolve("layers"));
            }
            if (image) {
                file.add(OP_PLAN_STORE_LOCK, storeRoot().resolve("store.lock").toString());
            }
            if (plan.root().work() != null) {
                file.add(OP_PLAN_WORKDIR, plan.root().work().toString());
            }
            if (plan.deviceCgroup()) {
                List<String> args = new ArrayList<>();
                args.add(io.jcontainer.jnspawn.internal.cgroup.DeviceCgroup.ROOT.resolve("jcontainer").toString());
                args.addAll(io.jcontainer.jnspawn.internal.cgroup.DeviceCgroup.ALLOW);
                file.add(OP_PLAN_DEVICE_CGROUP, args);
            }
            for (Launcher.StagedFile f : files) {
                file.add(OP_PLAN_WRITE, f.name(), f.content());
            }
            file.add(OP_PLAN_STATE, ContainerState.of(plan, 0, 0).text("@LEADER@", "@STARTTIME@"));
            if (plan.network() == Network.NONE) {
                // HostNetwork.loopbackUp, with the container's pid filled in by the stage.
                file.add(OP_PLAN_HOST_CMD, "link set lo up\n", tool("nsenter"), "--target=@PID@", "--net", "--",
                        tool("ip"), "-batch", "-");
            }
            for (ExecPlan.Op op : ops.ops()) {
                file.addRecord(op);
            }
        }
        Path target = path(plan.machine());
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + NAME + "." + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, encode(file));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to write the plan '" + target + "': " + e.getMessage(), e);
        }
        return new Written(target, jvmOnly);
    }

    /** Why the stage cannot start {@code plan} alone yet, or null. */
    static String jvmOnly(LaunchPlan plan) {
        if (plan.network() == Network.PRIVATE) {
            return "Network=private (lease, veth, nft)";
        }
        if (plan.handOver()) {
            return "under systemd (hand-over, machined)";
        }
        if (plan.userNamespace()) {
            return "a user namespace (ownership shift)";
        }
        return null;
    }

    /** The JVM's jcontainer.* system properties, "k=v\n" sorted: what the stage's --props= must equal. */
    static String properties() {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("jcontainer.")) {
                sorted.put(k, System.getProperty(k));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString();
    }

    /** As Commands.tool, through the recorder: the absolute path of a system tool. */
    private static String tool(String name) {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(dir, name);
            if (PlanInputs.isExecutable(p)) {
                return p.toString();
            }
        }
        return name;
    }

    /** protocol.h's plan file: the records with magic {@code JCPLANF1}, then a u64 FNV-1a of all before it. */
    static byte[] encode(ExecPlan records) {
        byte[] body = records.encode();
        byte[] magic = PLAN_FILE_MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, body, 0, magic.length);
        ByteBuffer out = ByteBuffer.allocate(body.length + 8).order(ByteOrder.nativeOrder());
        out.put(body);
        out.putLong(fnv1a(body));
        return out.array();
    }

    static long fnv1a(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The file's records, for tests and {@code --plan --dry-run}; null if it is not a well-formed plan file. */
    static List<String> describe(byte[] bytes) {
        List<String> out = new ArrayList<>();
        if (bytes.length < 20) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        if (b.getLong(bytes.length - 8) != fnv1a(java.util.Arrays.copyOf(bytes, bytes.length - 8))) {
            return null;
        }
        b.position(8);
        int count = b.getInt();
        for (int i = 0; i < count; i++) {
            int op = b.getShort() & 0xffff;
            int argc = b.getShort() & 0xffff;
            StringBuilder sb = new StringBuilder(opName(op));
            for (int a = 0; a < argc; a++) {
                byte[] arg = new byte[b.getInt()];
                b.get(arg);
                sb.append(' ').append(op == OP_SECCOMP ? "<bpf>" : new String(arg, java.nio.charset.StandardCharsets.UTF_8));
            }
            out.add(sb.toString());
        }
        return out;
    }
}
