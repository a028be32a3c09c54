package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start from the plan file (jcontainer-exec --plan=FILE --machine=NAME, no JVM) against the JVM's start of the
 * same container: what the container sees must be the same; a plan that is not whole, root's 0600 or current is
 * refused with one line and the JVM path runs (and writes a new plan).
 */
@Tag("root")
class PlannedStartTest {
    @TempDir
    static Path tmp;
    static Path root;
    static Path etc;
    static Path store;

    /** What the payload prints of itself: identity, environment, confinement, namespaces, mounts. */
    static final String PROBE = "echo \"hostname $(hostname)\"; echo \"cwd $(pwd)\"; echo \"id $(id)\"; env | sort;"
            + " grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status;"
            + " for n in /proc/self/ns/*; do echo \"ns ${n##*/} $(readlink $n)\"; done;"
            + " cat /sys/class/net/lo/operstate /sys/class/net/lo/flags; cat /proc/self/mountinfo; ls /dev";

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
        Files.writeString(root.resolve("probe"), PROBE + "\n");
        etc = Files.createDirectories(tmp.resolve("etc"));
        store = Files.createDirectories(tmp.resolve("store"));
        for (String network : List.of("none", "host")) {
            Files.writeString(etc.resolve("pl-" + network + ".container"), "[Container]\nDirectory=" + root
                    + "\nNetwork=" + network + "\nHostname=planned\nEnvironment=GREETING=hi\nWorkingDirectory=/home"
                    + "\nDropCapability=CAP_NET_RAW\nNoNewPrivileges=yes\nExec=/bin/sh /probe\n");
        }
    }

    /** java ... Main ARGS with the search path, as the JVM path of these tests runs. */
    static List<String> jvm(String... args) {
        List<String> cmd = jnspawnCommand(List.of(args));
        cmd.add(1, "-Djcontainer.search.path=" + etc);
        return cmd;
    }

    /** The JVM's jcontainer.* properties of {@link #jvm}, as the plan records them (PlanFile.properties). */
    static String props() {
        TreeSet<String> sorted = new TreeSet<>();
        for (String a : jvm()) {
            if (a.startsWith("-Djcontainer.")) {
                sorted.add(a.substring(2));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String s : sorted) {
            sb.append(s).append('\n');
        }
        return sb.toString();
    }

    static Result withStore(List<String> cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store));
        all.addAll(cmd);
        return exec(all, 120);
    }

    static Path planOf(String machine) {
        return store.resolve("containers").resolve(machine).resolve("plan");
    }

    /** The stage on the plan of {@code machine}, falling back to {@code fallback}. */
    static Result planned(String machine, List<String> fallback) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(EXEC_STAGE.toString(), "--plan=" + planOf(machine),
                "--machine=" + machine, "--props=" + props(), "--"));
        cmd.addAll(fallback);
        return withStore(cmd);
    }

    /** A fallback that proves it never ran. */
    static final List<String> NO_JVM = List.of("/bin/sh", "-c", "echo 'the JVM path ran' >&2; exit 99");

    /**
     * A current plan: a JVM start writes it; a --plan after it sees what that start made in the root. Returns a
     * second JVM start's output: the first mount of a new overlay differs from later ones (uuid=on), either way.
     */
    static Result jvmStartAndPlan(String machine) throws Exception {
        Result r = withStore(jvm("-M", machine));
        assertEquals(0, r.exit(), r.stderr());
        r = withStore(jvm("-M", machine));
        assertEquals(0, r.exit(), r.stderr());
        Result p = withStore(jvm("--plan", "-M", machine));
        assertEquals(0, p.exit(), p.stderr());
        assertTrue(p.stdout().contains("(no JVM at start)"), p.stdout());
        return r;
    }

    /** The probe's output with what differs between any two starts named: namespace ids, mount ids, staging dir. */
    static List<String> seen(String out) throws IOException {
        List<String> lines = new ArrayList<>();
        Pattern mount = Pattern.compile("^\\d+ \\d+ \\d+:\\d+ (.*)$");
        for (String line : out.split("\n")) {
            line = line.replaceAll("jnspawn\\.[A-Za-z0-9_.-]+\\.\\d+\\.\\d+", "jnspawn.STAGING");
            if (line.startsWith("ns ")) {
                String[] f = line.split(" ");
                String host = Files.readSymbolicLink(Path.of("/proc/self/ns", f[1])).toString();
                line = "ns " + f[1] + (f[2].equals(host) ? " host's" : " its own");
            }
            Matcher m = mount.matcher(line);
            if (m.matches()) {
                line = "mount " + m.group(1).replaceAll("shared:\\d+|master:\\d+|propagate_from:\\d+", "")
                        .replaceAll("\\b(dev|rdev)=\\d+", "");
            }
            lines.add(line);
        }
        return lines;
    }

    @Test
    void aPlannedStartIsTheJvmsStartWithoutAJvm() throws Exception {
        for (String machine : List.of("pl-none", "pl-host")) {
            Result jvm = jvmStartAndPlan(machine);
            Result plan = planned(machine, NO_JVM);
            assertEquals(0, plan.exit(), plan.stderr());
            assertEquals("", plan.stderr());
            List<String> a = seen(jvm.stdout());
            List<String> b = seen(plan.stdout());
            assertEquals(a, b, machine);
            assertTrue(a.contains("hostname planned"), a.toString());
            assertTrue(a.contains("cwd /home"), a.toString());
            assertTrue(a.contains("GREETING=hi"), a.toString());
            assertTrue(a.stream().anyMatch(l -> l.startsWith("NoNewPrivs:\t1")), a.toString());
            assertTrue(a.stream().anyMatch(l -> l.startsWith("Seccomp:\t2")), a.toString());
            assertTrue(a.contains("ns mnt its own") && a.contains("ns pid its own"), a.toString());
            assertEquals(machine.equals("pl-host"), a.contains("ns net host's"), a.toString());
            // Nothing left behind: staging dir, record, device cgroup.
            assertEquals(List.of(), leftovers(machine));
        }
    }

    @Test
    void theStateRecordIsJavasWhileItRuns() throws Exception {
        Files.writeString(etc.resolve("pl-rec.container"), "[Container]\nDirectory=" + root
                + "\nNetwork=none\nExec=/bin/sh -c 'echo up; sleep $(cat /wait 2>/dev/null || echo 0)'\n");
        jvmStartAndPlan("pl-rec");
        Files.writeString(root.resolve("wait"), "60\n"); // no input of the plan: the planned start waits
        List<String> cmd = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store, EXEC_STAGE.toString(),
                "--plan=" + planOf("pl-rec"), "--machine=pl-rec", "--props=" + props(), "--"));
        cmd.addAll(NO_JVM);
        Running r = Running.start(cmd);
        try {
            r.awaitOutput("up");
            Path state = Path.of("/run/jcontainer/pl-rec.state");
            String text = Files.readString(state);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
            Matcher m = Pattern.compile("\nleader=(\\d+)\nstarttime=(\\d+)\n").matcher(text);
            assertTrue(m.find(), text);
            assertTrue(Files.isDirectory(Path.of("/proc", m.group(1))), text);
            assertTrue(text.contains("\ncwd=/\n") && text.contains("\nenv=container=jcontainer\n"), text);
        } finally {
            r.process().destroy(); // SIGTERM: the stage passes the kill signal on
            r.process().waitFor();
        }
        Files.delete(root.resolve("wait"));
        assertEquals(List.of(), leftovers("pl-rec"));
    }

    @Test
    void whatAKilledPlannedStartLeavesJnspawnCleanupRemoves() throws Exception {
        Files.writeString(etc.resolve("pl-kill.container"), "[Container]\nDirectory=" + root
                + "\nNetwork=none\nExec=/bin/sh -c 'echo up; sleep $(cat /wait-kill 2>/dev/null || echo 0)'\n");
        jvmStartAndPlan("pl-kill");
        Files.writeString(root.resolve("wait-kill"), "60\n");
        List<String> cmd = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store, EXEC_STAGE.toString(),
                "--plan=" + planOf("pl-kill"), "--machine=pl-kill", "--props=" + props(), "--"));
        cmd.addAll(NO_JVM);
        Running r = Running.start(cmd);
        try {
            r.awaitOutput("up");
            assertFalse(leftovers("pl-kill").isEmpty(), "a running start has its staging dir and record");
            Matcher m = Pattern.compile("\nleader=(\\d+)\n").matcher(Files.readString(Path.of("/run/jcontainer/pl-kill.state")));
            assertTrue(m.find());
            ProcessHandle leader = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
            Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(r.process().pid())}).waitFor();
            r.process().waitFor();
            leader.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            Files.delete(root.resolve("wait-kill"));
        }
        // The container went with the stage (PDEATHSIG); what the stage made stays until the clean-up.
        Result c = withStore(jvm("--cleanup", "-M", "pl-kill"));
        assertEquals(0, c.exit(), c.stderr());
        assertEquals(List.of(), leftovers("pl-kill"));
    }

    static List<String> leftovers(String machine) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path dir : List.of(Path.of("/run/jcontainer"), Path.of("/sys/fs/cgroup/devices/jcontainer"))) {
            if (Files.isDirectory(dir)) {
                try (var ds = Files.newDirectoryStream(dir, "jnspawn." + machine + ".*")) {
                    ds.forEach(p -> found.add(p.toString()));
                }
            }
        }
        if (Files.exists(Path.of("/run/jcontainer", machine + ".state"))) {
            found.add(machine + ".state");
        }
        return found;
    }

    /** The plan is refused with {@code why}; the JVM path runs the container as always, and writes a new plan. */
    static void fallsBack(String machine, String why) throws Exception {
        Result r = planned(machine, jvm("-M", machine));
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("hostname planned"), r.stdout());
        String line = "jnspawn: plan '" + planOf(machine) + "': ";
        assertTrue(r.stderr().startsWith(line) && r.stderr().contains(why)
                && r.stderr().endsWith("; starting with the JVM\n"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(planOf(machine))));
    }

    @Test
    void aPlanThatIsNotWholeOrNotRootsIsRefused() throws Exception {
        jvmStartAndPlan("pl-none");
        Path plan = planOf("pl-none");
        try (RandomAccessFile f = new RandomAccessFile(plan.toFile(), "rw")) {
            f.setLength(f.length() - 9);
        }
        fallsBack("pl-none", "corrupt or truncated (checksum), refusing");

        byte[] bytes = Files.readAllBytes(plan);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(plan, bytes);
        fallsBack("pl-none", "corrupt or truncated (checksum), refusing");

        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r--r--"));
        fallsBack("pl-none", "owned by uid 0 with mode 0644, not root's 0600, refusing");

        Files.setAttribute(plan, "unix:uid", 65534);
        fallsBack("pl-none", "owned by uid 65534 with mode 0600, not root's 0600, refusing");

        // The JVM wrote a whole plan each time: the next start needs no JVM.
        Result r = planned("pl-none", NO_JVM);
        assertEquals(0, r.exit(), r.stderr());
    }

    @Test
    void planAllPlansEveryContainerFileAndAJvmOnlyPlanTakesTheJvmQuietly() throws Exception {
        Files.writeString(etc.resolve("pl-priv.container"), "[Container]\nDirectory=" + root
                + "\nNetwork=private\nExec=/bin/true\n");
        Result all = withStore(jvm("--plan-all"));
        assertTrue(all.stdout().contains("jnspawn: planned 'pl-none' in " + planOf("pl-none") + " (no JVM at start)\n"),
                all.stdout() + all.stderr());
        assertTrue(all.stdout().contains("jnspawn: planned 'pl-priv' in " + planOf("pl-priv")
                + " (JVM only: Network=private (lease, veth, nft))\n"), all.stdout());
        Result r = planned("pl-priv", NO_JVM);
        assertEquals(99, r.exit());
        assertEquals("the JVM path ran\n", r.stderr());
    }

    @Test
    void anEditedContainerFileIsSeen() throws Exception {
        jvmStartAndPlan("pl-host");
        Files.writeString(etc.resolve("pl-host.container"), "# edited\n",
                java.nio.file.StandardOpenOption.APPEND);
        fallsBack("pl-host", "'" + etc.resolve("pl-host.container") + "' changed");
        assertEquals(0, planned("pl-host", NO_JVM).exit());
    }

    @Test
    void anotherBuildOrEnvironmentIsRefused() throws Exception {
        jvmStartAndPlan("pl-none");
        List<String> cmd = new ArrayList<>(List.of(EXEC_STAGE.toString(), "--plan=" + planOf("pl-none"),
                "--machine=pl-none", "--props=jcontainer.exec=/elsewhere\n", "--"));
        cmd.addAll(NO_JVM);
        Result r = withStore(cmd);
        assertEquals(99, r.exit());
        assertTrue(r.stderr().contains("written by a JVM with other jcontainer.* properties; starting with the JVM"),
                r.stderr());
        Result term = exec(List.of("env", "JCONTAINER_ROOT=" + store, "TERM=other-" + System.nanoTime(),
                EXEC_STAGE.toString(), "--plan=" + planOf("pl-none"), "--machine=pl-none", "--props=" + props(),
                "--", "/bin/true"), 60);
        assertEquals(0, term.exit(), term.stderr());
        Result name = exec(List.of("env", "JCONTAINER_ROOT=" + store, EXEC_STAGE.toString(),
                "--plan=" + planOf("pl-none"), "--machine=pl-host", "--props=" + props(), "--", "/bin/true"), 60);
        assertTrue(name.stderr().contains("not the plan of 'pl-host', refusing"), name.stderr());
    }

    @Test
    void aNewSymlinkAtAMountTargetOfTheUpperDirIsSeenAndTheJvmRefusesIt() throws Exception {
        requireCommand("umoci");
        Path layout = tmp.resolve("layout");
        Path bundle = tmp.resolve("bundle");
        if (!Files.exists(layout)) {
            run("umoci", "init", "--layout", layout.toString());
            run("umoci", "new", "--image", layout + ":1");
            run("umoci", "unpack", "--image", layout + ":1", bundle.toString());
            run("cp", "-a", root + "/.", bundle.resolve("rootfs").toString());
            run("umoci", "repack", "--image", layout + ":1", bundle.toString());
            new ImageStore(store).importOciLayout(layout, ImageReference.parse("plandemo:1"));
        }
        Files.writeString(etc.resolve("pl-img.container"), "[Container]\nImage=plandemo:1\nNetwork=none"
                + "\nHostname=planned\nExec=/bin/sh /probe\n");
        Result jvm = jvmStartAndPlan("pl-img");
        Result plan = planned("pl-img", NO_JVM);
        assertEquals(0, plan.exit(), plan.stderr());
        assertEquals(seen(jvm.stdout()), seen(plan.stdout()));

        // A re-tag replaces the ref.
        new ImageStore(store).tag(ImageReference.parse("plandemo:1"), ImageReference.parse("plandemo:1"));
        fallsBack("pl-img", "plandemo%3A1' is another file now");
        assertEquals(0, planned("pl-img", NO_JVM).exit());

        // The container made /run a symlink to the host's /etc in its upper dir: the plan must not mount there.
        Path upper = store.resolve("containers/pl-img/upper");
        Files.createSymbolicLink(upper.resolve("run"), Path.of("/etc"));
        try {
            Result r = planned("pl-img", jvm("-M", "pl-img"));
            assertEquals(125, r.exit(), r.stdout());
            assertTrue(r.stderr().startsWith("jnspawn: plan '" + planOf("pl-img") + "': '" + upper.resolve("run")
                    + "' exists now; starting with the JVM\n"), r.stderr());
            assertTrue(r.stderr().contains("Mount target '/run' passes through symlink '/run'"), r.stderr());
        } finally {
            Files.delete(upper.resolve("run"));
        }
    }

    private static void run(String... cmd) throws Exception {
        Result r = exec(List.of(cmd), 120);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.stderr());
    }
}
