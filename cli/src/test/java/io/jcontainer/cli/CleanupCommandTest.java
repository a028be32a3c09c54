package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jcontainer.jnspawn.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer cleanup} after {@code kill -9} of a foreground jnspawn (no ExecStopPost= ran): real containers
 * (root, namespaces, a veth on a bridge, published ports in an nft table, all of this test's own names), one of
 * which keeps running and must keep everything it has.
 */
@Tag("root")
class CleanupCommandTest {
    static final long ID = ProcessHandle.current().pid() % 250 + 1;
    static final String BRIDGE = "jccln" + ID;
    static final String TABLE = "jccln" + ID;
    static final String SUBNET = "10.248." + ID + ".0/24";

    @TempDir
    static Path tmp;
    static Path launcher;
    static Path root;
    static Path runtime;
    static Jcontainer jc;
    static final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        RunForegroundTest.requireRoot();
        boolean nft = Files.isExecutable(Path.of("/usr/sbin/nft"));
        if (!nft && "true".equals(System.getenv("CI"))) {
            fail("CI=true but nft is missing: scripts/setup-deps installs nftables");
        }
        assumeTrue(nft, "skipped: nft is not installed (scripts/setup-deps)");
        root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Path conf = Files.writeString(tmp.resolve("network.conf"), "[Network]\nBridge=" + BRIDGE + "\nSubnet=" + SUBNET
                + "\nTable=" + TABLE + "\nIPForward=no\nIPv6Prefix=no\n");
        launcher = RealContainers.launcher(tmp.resolve("jnspawn"), RealContainers.execStage(), conf);
        runtime = tmp.resolve("runtime");
        System.setProperty("jcontainer.runtime", runtime.toString());
        System.setProperty("jcontainer.network.conf", conf.toString());
        jc = new Jcontainer(tmp);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            for (Process p : started) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (jc != null) {
                jc.run("cleanup");
            }
            assertFalse(Files.exists(Path.of("/sys/class/net", BRIDGE)), "bridge " + BRIDGE + " left behind");
        } finally {
            System.clearProperty("jcontainer.runtime");
            System.clearProperty("jcontainer.network.conf");
        }
    }

    /** A foreground jnspawn running {@code sleep} with port {@code port} published; returns once it runs. */
    static Process start(String name, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "-q", "-n", "-p", port + ":80", "-x", "-M", name,
                "-D", root.toString(), "sleep", "600").redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("JCONTAINER_JAVA_OPTS", "-Djcontainer.runtime=" + runtime);
        Process p = pb.start();
        started.add(p);
        long deadline = System.currentTimeMillis() + 60_000;
        while (ContainerState.running(runtime).stream().noneMatch(s -> s.machine().equals(name))
                || lease(name) == null) {
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                fail(name + " did not start: " + Files.readString(tmp.resolve(name + ".log")));
            }
            Thread.sleep(50);
        }
        return p;
    }

    /** The address {@code name} leases on the test's bridge, or null. */
    static String lease(String name) throws IOException {
        Path dir = runtime.resolve("net").resolve(BRIDGE);
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("[0-9.]+")).toList()) {
                if (Files.readAllLines(f).contains("MACHINE=" + name)) {
                    return f.getFileName().toString();
                }
            }
        }
        return null;
    }

    /** Kills jnspawn with SIGKILL, as nothing can clean up after; waits for its container to die with it. */
    static void killMinus9(Process jnspawn, String name) throws Exception {
        long leader = ContainerState.read(runtime, name).orElseThrow().leader();
        jnspawn.destroyForcibly();
        assertTrue(jnspawn.waitFor(10, TimeUnit.SECONDS));
        for (int i = 0; i < 400 && ProcessHandle.of(leader).isPresent(); i++) {
            Thread.sleep(25);
        }
        assertFalse(ProcessHandle.of(leader).isPresent(), "the container outlived its killed jnspawn");
    }

    static String nft(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? out : "";
    }

    static List<String> staging(String name) throws IOException {
        try (Stream<Path> files = Files.list(runtime)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("jnspawn." + name + ".")).toList();
        }
    }

    @Test
    void removesWhatAKilledContainerLeftAndNothingOfARunningOne() throws Exception {
        int keepPort = 20000 + (int) ID * 2;
        int goPort = keepPort + 1;
        Process keep = start("clnkeep", keepPort);
        Process go = start("clngo", goPort);
        String keepAddress = lease("clnkeep");
        String goAddress = lease("clngo");
        killMinus9(go, "clngo");
        // What SIGKILL left: the lease, the published port, the staging directory, the record.
        assertEquals(goAddress, lease("clngo"));
        assertTrue(nft("list", "map", "ip", TABLE, "ports").contains(goPort + " : " + goAddress + " . 80"));
        assertFalse(staging("clngo").isEmpty());
        assertTrue(Files.exists(ContainerState.path(runtime, "clngo")));

        Jcontainer.Outcome out = jc.ok("cleanup");
        assertTrue(out.out().contains("Removed lease " + goAddress + " of 'clngo' on bridge '" + BRIDGE + "'\n"), out.out());
        assertTrue(out.out().contains("Removed published port tcp " + goPort + " -> " + goAddress + ":80\n"), out.out());
        assertTrue(out.out().contains("Removed staging directory '" + runtime.resolve(staging0(out.out(), "clngo"))), out.out());
        assertTrue(out.out().contains("Removed state record '" + ContainerState.path(runtime, "clngo") + "'\n"), out.out());
        assertFalse(out.out().contains("clnkeep"), out.out());
        assertEquals("", out.err());
        // Gone: all of clngo's.
        assertEquals(null, lease("clngo"));
        assertFalse(nft("list", "map", "ip", TABLE, "ports").contains(" " + goPort + " "));
        assertEquals(List.of(), staging("clngo"));
        assertFalse(Files.exists(ContainerState.path(runtime, "clngo")));
        // Kept: all of clnkeep's, which still runs.
        assertTrue(keep.isAlive());
        assertEquals(keepAddress, lease("clnkeep"));
        assertTrue(nft("list", "map", "ip", TABLE, "ports").contains(keepPort + " : " + keepAddress + " . 80"));
        assertEquals(1, staging("clnkeep").size());
        assertTrue(ContainerState.read(runtime, "clnkeep").orElseThrow().alive());
        assertTrue(Files.exists(Path.of("/sys/class/net", BRIDGE)));

        assertEquals("Nothing to clean up.\n", jc.ok("cleanup").out());

        // By name, after the last container: the bridge and the table go too.
        killMinus9(keep, "clnkeep");
        Jcontainer.Outcome byName = jc.ok("cleanup", "clnkeep");
        assertTrue(byName.out().contains("Removed lease " + keepAddress + " of 'clnkeep'"), byName.out());
        assertTrue(byName.out().contains("Removed nftables table 'ip " + TABLE + "'\n"), byName.out());
        assertTrue(byName.out().contains("Removed bridge '" + BRIDGE + "'\n"), byName.out());
        assertEquals(null, lease("clnkeep"));
        assertEquals("", nft("list", "table", "ip", TABLE));
        assertFalse(Files.exists(Path.of("/sys/class/net", BRIDGE)));
        assertEquals(List.of(), staging("clnkeep"));
        assertFalse(Files.exists(ContainerState.path(runtime, "clnkeep")));
    }

    /** The staging directory's name that {@code out} reports for {@code name}. */
    private static String staging0(String out, String name) {
        int i = out.indexOf("jnspawn." + name + ".");
        assertTrue(i >= 0, out);
        return out.substring(i, out.indexOf('\'', i));
    }

    @Test
    void refusesABadNameAndANonRootCaller() {
        Jcontainer.Outcome bad = jc.run("cleanup", "../etc");
        assertEquals(ExitCodePolicy.FAILURE, bad.status());
        assertTrue(bad.errLine().contains("Invalid machine name '../etc'"), bad.err());
        Jcontainer.Outcome user = new Jcontainer(tmp).asUid(1000).run("cleanup");
        assertEquals(ExitCodePolicy.FAILURE, user.status());
        assertTrue(user.errLine().contains("'jcontainer cleanup' needs root (uid 1000)"), user.err());
    }
}
