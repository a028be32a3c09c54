package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer run} on a host without systemd as PID 1: the real jnspawn in the foreground, with the real
 * exec stage, on the demo root imported as {@code demo:1}. Needs root; skips locally without it, fails under
 * {@code CI=true}. jnspawn runs from this test's class path, through a launcher script like bin/jnspawn.
 */
@Tag("root")
class RunForegroundTest {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    static Path tmp;
    static Jcontainer jc;

    @BeforeAll
    static void importTheDemoRoot() throws Exception {
        requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        // As bin/jnspawn: java, the class path (this JVM's, which holds jnspawn and its dependencies), the exec stage.
        // Network=private (run's default) on a bridge, subnet and nft table of this test, not the host's.
        long id = ProcessHandle.current().pid() % 200 + 20;
        Path network = Files.writeString(tmp.resolve("network.conf"), "[Network]\nBridge=jctr" + id
                + "\nSubnet=10.249." + id + ".0/24\nTable=jcontainer_rt" + id + "\nIPForward=no\n");
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), exec, network);
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "demo:1");
    }

    @AfterAll
    static void forgetTheLauncher() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
        // What stays of the test's bridge after its last container: the lease directory and its lock.
        Path leases = Path.of("/run/jcontainer/net/jctr" + (ProcessHandle.current().pid() % 200 + 20));
        leases.resolve(".lock").toFile().delete();
        leases.toFile().delete();
        leases.getParent().toFile().delete(); // only if empty
    }

    static void requireRoot() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        String why = "needs root (namespaces, mounts and cgroups of a real container)";
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: it " + why);
        }
        assumeTrue(root, "skipped: " + why);
    }

    @Test
    void theContainersExitStatusIsRunsExitStatus() {
        var outcome = jc.run("run", "--rm", "demo:1", "sh", "-c", "exit 3");

        assertEquals(3, outcome.status(), outcome.err());
    }

    @Test
    void theEnvironmentReachesTheCommand() {
        var outcome = jc.ok("run", "--rm", "--name", "x", "-e", "A=1", "demo:1", "sh", "-c", "echo $A");

        assertEquals("1\n", outcome.out(), outcome.err());
    }

    @Test
    void aCommandThatIsNotThereIs127() {
        assertEquals(127, jc.run("run", "--rm", "demo:1", "/no/such/command").status());
    }

    @Test
    void withoutRmTheContainerStaysUntilRm() {
        jc.ok("run", "--name", "kept", "demo:1", "sh", "-c", "echo changed > /etc/marker");

        assertTrue(Files.exists(tmp.resolve("run/kept.container")));
        assertTrue(Files.exists(tmp.resolve("store/containers/kept/upper/etc/marker")));
        assertTrue(jc.ok("ps", "-a").out().lines().anyMatch(l -> l.startsWith("kept ")));

        jc.ok("rm", "kept");

        assertFalse(Files.exists(tmp.resolve("run/kept.container")));
        assertFalse(Files.exists(tmp.resolve("store/containers/kept")));
    }

    @Test
    void rmLeavesNothing() {
        jc.ok("run", "--rm", "--name", "brief", "demo:1", "touch", "/x");

        assertFalse(Files.exists(tmp.resolve("run/brief.container")));
        assertFalse(Files.exists(tmp.resolve("store/containers/brief")));
    }

    @Test
    void readOnlyLeavesOnlyTheTmpfsWritable() {
        var outcome = jc.run("run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/scratch", "demo:1", "sh",
                "-c", "touch /etc/x 2>/dev/null && echo root-writable; touch /scratch/y && echo scratch-writable; "
                        + "grep ' /scratch ' /proc/mounts | cut -d' ' -f3");

        assertEquals(0, outcome.status(), outcome.err());
        assertEquals("scratch-writable\ntmpfs\n", outcome.out(), outcome.err());
    }
}
