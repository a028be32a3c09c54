package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jnspawn's {@code --cleanup -M NAME} without a JVM (the unit's ExecStopPost=): the launcher script as shipped
 * (cli/src/main/dist/bin/jnspawn), run by sh, decides before starting one. "No JVM" is proven with a JAVA_HOME whose
 * bin/java only leaves a marker and fails; where the script must defer, the same leftover is then given to the real
 * JVM (this one's, with jnspawn on its class path through lib/jnspawn.jar), which must remove it. Real files in a
 * runtime directory of the test, real processes as holders, a real bridge (root) for the lease directory without
 * leases; a network configuration with a bridge and nft table of the test's own names.
 */
@Tag("root")
class CleanupLauncherTest {
    static final Path LAUNCHER = RealContainers.REPO.resolve("cli/src/main/dist/bin/jnspawn");
    static final long ID = ProcessHandle.current().pid() % 250 + 1;
    static final String BRIDGE = "jcstop" + ID;

    @TempDir
    Path tmp;
    Path runtime;
    Path lib;
    Path noJava;
    Path marker;
    Path networkConf;
    /** More environment for the launcher, after the test's own. */
    Map<String, String> extraEnv = Map.of();
    /** A pid that no process has: pids are below pid_max. */
    long deadPid;

    @BeforeEach
    void setUp() throws IOException {
        runtime = tmp.resolve("run");
        Files.createDirectories(runtime);
        // lib/jnspawn.jar: only a manifest whose Class-Path is this JVM's (jnspawn and its dependencies).
        lib = Files.createDirectories(tmp.resolve("lib"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            cp.append(cp.length() == 0 ? "" : " ").append(Path.of(entry).toUri());
        }
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString());
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(lib.resolve("jnspawn.jar")), manifest)) {
            // nothing else
        }
        marker = tmp.resolve("jvm-started");
        noJava = tmp.resolve("no-java");
        Path java = Files.createDirectories(noJava.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\" >'" + marker + "'\nexit 99\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        networkConf = Files.writeString(tmp.resolve("network.conf"), "[Network]\nBridge=" + BRIDGE + "\nSubnet=10.248."
                + ID + ".0/24\nTable=jcstop" + ID + "\nIPForward=no\n");
        // Not readString: a sysctl file reads as empty past offset 0, and readString's first read is of one byte.
        deadPid = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
    }

    record Result(int exit, String output, boolean jvmStarted) {
    }

    /** bin/jnspawn ARGS with JAVA_HOME {@code javaHome}; whether a JVM was started (the fake java's marker). */
    Result jnspawn(Path javaHome, String... args) throws IOException, InterruptedException {
        Files.deleteIfExists(marker);
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("JCONTAINER_LIB", lib.toString());
        env.put("JCONTAINER_JAVA_OPTS", "-Djcontainer.runtime=" + runtime + " -Djcontainer.network.conf=" + networkConf);
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        env.remove("JCONTAINER_CDS_TRAIN");
        env.putAll(extraEnv);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("bin/jnspawn " + String.join(" ", args) + " did not end in 60 s");
        }
        return new Result(p.exitValue(), output, Files.exists(marker));
    }

    /** With the fake java: the script exits 0 by itself. */
    void assertNoJvm(String... args) throws IOException, InterruptedException {
        Result r = jnspawn(noJava, args);
        assertFalse(r.jvmStarted(), "no JVM for " + String.join(" ", args) + ": " + r.output());
        assertEquals(0, r.exit(), r.output());
        assertEquals("", r.output());
    }

    /** With the fake java: the script started the JVM, with the arguments as given. */
    void assertJvm(String... args) throws IOException, InterruptedException {
        Result r = jnspawn(noJava, args);
        assertTrue(r.jvmStarted(), "a JVM for " + String.join(" ", args) + ": " + r.output());
        assertEquals(99, r.exit(), r.output());
        assertTrue(Files.readString(marker).strip().endsWith("io.jcontainer.jnspawn.Main " + String.join(" ", args)),
                Files.readString(marker));
    }

    /** With the real java: jnspawn's own cleanup, which must succeed. */
    void realCleanup(String... args) throws IOException, InterruptedException {
        Result r = jnspawn(Path.of(System.getProperty("java.home")), args);
        assertEquals(0, r.exit(), r.output());
    }

    static long startTime(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }

    Path lease(String address, String machine, long pid, long start) throws IOException {
        Path dir = Files.createDirectories(runtime.resolve("net").resolve(BRIDGE));
        Files.writeString(dir.resolve(".lock"), "");
        return Files.writeString(dir.resolve(address), "MACHINE=" + machine + "\nPID=" + pid + "\nSTART=" + start
                + "\nINTERFACE=vj-" + machine + "\nPORT=8080:80/tcp\nPORT=127.0.0.1:8081:81/udp\n");
    }

    Path state(String machine, String leader, String startTime) throws IOException {
        return Files.writeString(runtime.resolve(machine + ".state"), "# jcontainer: a running container\nmachine="
                + machine + "\nleader=" + leader + "\nstarttime=" + startTime + "\ncwd=/\n");
    }

    @Test
    void nothingToCleanStartsNoJvm() throws Exception {
        RunForegroundTest.requireRoot();
        // The unit's form and the other spellings of the same two options.
        assertNoJvm("--cleanup", "--machine=stopa");
        assertNoJvm("--cleanup", "-M", "stopa");
        assertNoJvm("-Mstopa", "--cleanup");
        assertNoJvm("--machine", "stopa", "--cleanup");
        Files.delete(runtime);
        assertNoJvm("--cleanup", "--machine=stopa");
        Files.createDirectories(runtime);

        // What another container owns, and a lease directory that the last container left empty.
        long self = ProcessHandle.current().pid();
        Path live = lease("10.248." + ID + ".2", "stopb", self, startTime(self));
        Path otherStaging = Files.createDirectories(runtime.resolve("jnspawn.stopb." + deadPid + ".0"));
        Path otherState = state("stopb", Long.toString(deadPid), "5");
        // The record that every stop under systemd finds: its leader is gone, the script removes it.
        Path ours = state("stopa", Long.toString(deadPid), "5");
        assertNoJvm("--cleanup", "--machine=stopa");
        assertFalse(Files.exists(ours), "the record of a container whose leader is gone is removed");
        assertTrue(Files.exists(live) && Files.exists(otherStaging) && Files.exists(otherState), "others' are kept");
        // A zombie leader is gone too (ContainerState.startTime): a child of a shell that then execs a sleep,
        // which never reaps it. The child outlives the exec by a second: one that ended before it could be reaped
        // by the shell (then /proc/PID is gone, as a CI run found).
        Process parent = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; exec sleep 60").start();
        try {
            long zpid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))
                    .readLine().trim());
            Path stat = Path.of("/proc", Long.toString(zpid), "stat");
            for (int i = 0; i < 100 && !Files.readString(stat).contains(") Z "); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(stat).contains(") Z "), "a zombie: " + Files.readString(stat));
            state("stopa", Long.toString(zpid), Long.toString(startTime(zpid)));
            assertNoJvm("--cleanup", "--machine=stopa");
            assertFalse(Files.exists(runtime.resolve("stopa.state")), "the record of a zombie leader is removed");
        } finally {
            parent.destroy();
            parent.waitFor();
        }
    }

    @Test
    void leftoversGoToTheJvm() throws Exception {
        RunForegroundTest.requireRoot();
        // A staging directory (a jnspawn killed before it removed it), its content and all.
        Path staging = Files.createDirectories(runtime.resolve("jnspawn.stopa." + deadPid + ".0/root"));
        Files.writeString(runtime.resolve("jnspawn.stopa." + deadPid + ".0/hosts"), "127.0.0.1 localhost\n");
        assertJvm("--cleanup", "--machine=stopa");
        realCleanup("--cleanup", "--machine=stopa");
        assertFalse(Files.exists(staging.getParent()), "the staging directory is removed");
        assertNoJvm("--cleanup", "--machine=stopa");

        // A lease of the machine, its holder gone.
        Path lease = lease("10.248." + ID + ".3", "stopa", deadPid, 5);
        assertJvm("--cleanup", "--machine=stopa");
        realCleanup("--cleanup", "--machine=stopa");
        assertFalse(Files.exists(lease), "the lease is released");

        // Another machine's stale lease: Java removes every stale one.
        lease = lease("10.248." + ID + ".4", "stopb", deadPid, 5);
        assertJvm("--cleanup", "-M", "stopa");
        realCleanup("--cleanup", "-M", "stopa");
        assertFalse(Files.exists(lease), "the stale lease is removed");

        // A record whose leader runs (this JVM): Java decides, and keeps it.
        long self = ProcessHandle.current().pid();
        Path record = state("stopa", Long.toString(self), Long.toString(startTime(self)));
        assertJvm("--cleanup", "--machine=stopa");
        realCleanup("--cleanup", "--machine=stopa");
        assertTrue(Files.exists(record), "the record of a running leader is kept");
        // A record the script does not read as Java does (leading zeros, a CR, no starttime): Java removes it.
        for (String[] odd : new String[][] {{"0" + deadPid, "5"}, {Long.toString(deadPid), "5\r"}, {"", "5"}}) {
            record = state("stopa", odd[0], odd[1]);
            assertJvm("--cleanup", "--machine=stopa");
            realCleanup("--cleanup", "--machine=stopa");
            assertFalse(Files.exists(record), "the record is removed: leader=" + odd[0]);
        }

        // Options or overrides the script does not follow: the JVM, as before.
        assertJvm("--cleanup", "--machine=stopa", "--quiet");
        assertJvm("--cleanup", "--machine=.stopa");
        assertJvm("--cleanup", "--machine=");
        extraEnv = Map.of("JAVA_TOOL_OPTIONS", "-Djcontainer.runtime=/elsewhere");
        assertJvm("--cleanup", "--machine=stopa");
        extraEnv = Map.of("JCONTAINER_JAVA_OPTS", "-Djcontainer.runtime=relative");
        assertJvm("--cleanup", "--machine=stopa");
        extraEnv = Map.of();
    }

    @Test
    void anEmptyLeaseDirectoryWithItsBridgeGoesToTheJvm() throws Exception {
        RunForegroundTest.requireRoot();
        Files.createDirectories(runtime.resolve("net").resolve(BRIDGE));
        assertNoJvm("--cleanup", "--machine=stopa");
        run("ip", "link", "add", BRIDGE, "type", "bridge");
        try {
            assertJvm("--cleanup", "--machine=stopa");
            // No lease left: the table (there is none) and the bridge go.
            realCleanup("--cleanup", "--machine=stopa");
            assertFalse(Files.exists(Path.of("/sys/class/net", BRIDGE)), "the bridge is removed");
            assertNoJvm("--cleanup", "--machine=stopa");
        } finally {
            if (Files.exists(Path.of("/sys/class/net", BRIDGE))) {
                run("ip", "link", "del", BRIDGE);
            }
        }
    }

    @Test
    void namesMatchExactly() throws Exception {
        RunForegroundTest.requireRoot();
        // Artifacts of "stopa.b" and "stopab", whose names start with "stopa": not stopa's.
        Path dotted = Files.createDirectories(runtime.resolve("jnspawn.stopa.b." + deadPid + ".0"));
        Path longer = Files.createDirectories(runtime.resolve("jnspawn.stopab." + deadPid + ".0"));
        long self = ProcessHandle.current().pid();
        Path live = lease("10.248." + ID + ".5", "stopab", self, startTime(self));
        Path record = state("stopab", Long.toString(deadPid), "5");
        assertNoJvm("--cleanup", "--machine=stopa");
        assertTrue(Files.exists(dotted) && Files.exists(longer) && Files.exists(live) && Files.exists(record));
        // Java's own cleanup of "stopa" (an extra option makes the script start it) leaves them too.
        realCleanup("--cleanup", "--machine=stopa", "--quiet");
        assertTrue(Files.exists(dotted), "stopa.b's staging directory is not stopa's");
        assertTrue(Files.exists(longer) && Files.exists(live) && Files.exists(record));
        // Each is its own machine's.
        assertJvm("--cleanup", "--machine=stopa.b");
        realCleanup("--cleanup", "--machine=stopa.b");
        assertFalse(Files.exists(dotted));
        assertJvm("--cleanup", "--machine=stopab");
        realCleanup("--cleanup", "--machine=stopab");
        assertFalse(Files.exists(longer));
        assertTrue(Files.exists(live), "a lease whose holder runs is kept");
        assertFalse(Files.exists(record));
        // A live lease of "stopab" does not make stopa's cleanup start a JVM, but one of "stopa" does.
        assertNoJvm("--cleanup", "--machine=stopa");
        Files.delete(live);
        live = lease("10.248." + ID + ".6", "stopa", self, startTime(self));
        assertJvm("--cleanup", "--machine=stopa");
        realCleanup("--cleanup", "--machine=stopa");
        assertTrue(Files.exists(live), "Java releases only a lease whose holder is gone");
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            fail(String.join(" ", command) + ": " + output);
        }
    }
}
