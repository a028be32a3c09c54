package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec} and {@code kill} against a real container that {@code jcontainer run} keeps in the foreground (systemd
 * is not PID 1 here) on another thread: the real jnspawn, exec stage, namespaces and cgroups. Needs root; skips
 * locally without it, fails under {@code CI=true}.
 */
@Tag("root")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExecKillTest {
    static final Path REPO = RunForegroundTest.REPO;
    static final String NAME = "exectest" + ProcessHandle.current().pid();
    /** The payload: leaves a file only the container has, traps SIGUSR1 into another, runs until killed. */
    static final String PAYLOAD = "echo only-in-container > /marker; trap 'echo usr1 > /got-usr1' USR1; "
            + "while :; do sleep 1; done";

    @TempDir
    static Path tmp;
    static Jcontainer jc;
    static CompletableFuture<Jcontainer.Outcome> running;
    static ContainerState state;

    @BeforeAll
    static void startAContainer() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), exec, null);
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        // jnspawn records running containers here (passed on to every jnspawn through JCONTAINER_JAVA_OPTS).
        System.setProperty("jcontainer.runtime", tmp.resolve("runtime").toString());
        jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "demo:1");

        running = CompletableFuture.supplyAsync(() -> jc.run("run", "--name", NAME, "--network", "none", "demo:1",
                "sh", "-c", PAYLOAD));
        state = RealContainers.awaitRunning(running, tmp.resolve("runtime"), NAME,
                tmp.resolve("store/containers/" + NAME + "/upper/marker"));
    }

    @AfterAll
    static void stopIt() throws Exception {
        try {
            RealContainers.kill(running, state);
        } finally {
            System.clearProperty(Host.JNSPAWN_PROPERTY);
            System.clearProperty("jcontainer.runtime");
        }
    }

    private static Jcontainer.Outcome exec(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "exec";
        all[1] = NAME;
        System.arraycopy(args, 0, all, 2, args.length);
        return jc.run(all);
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The lines of /proc/PID/status that say what a process may do. */
    private static Map<String, String> confinement(String status) {
        return status.lines().filter(l -> l.matches("(CapBnd|CapEff|CapPrm|NoNewPrivs|Seccomp):.*"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip()));
    }

    @Test
    void seesTheContainersRootHostnameAndPidNamespace() throws Exception {
        var outcome = exec("sh", "-c", "cat /marker; hostname; cat /proc/1/comm; readlink /proc/self/ns/pid; ps")
                .expectSuccess();

        List<String> lines = outcome.out().lines().toList();
        assertEquals("only-in-container", lines.get(0), "a file only the container's root has");
        assertFalse(Files.exists(Path.of("/marker")), "and the host has not");
        assertEquals(NAME, lines.get(1), "the container's hostname");
        assertEquals("jcontainer-init", lines.get(2), "PID 1 is the container's");
        assertEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(state.leader()), "ns/pid")).toString(),
                lines.get(3));
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s*1 .*jcontainer-init.*")), outcome.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("while :; do sleep 1")), "ps shows the payload:\n" + outcome.out());
    }

    @Test
    void hasExactlyTheContainersCapabilitiesAndNoNewPrivs() throws Exception {
        var outcome = exec("cat", "/proc/self/status").expectSuccess();

        Map<String, String> mine = confinement(outcome.out());
        Map<String, String> pid1 = confinement(Files.readString(Path.of("/proc", Long.toString(state.leader()), "status")));
        assertEquals(5, mine.size(), outcome.out());
        assertEquals(pid1, mine);
        assertEquals("2", mine.get("Seccomp"), "the container's system call filter");
        long bounding = Long.parseUnsignedLong(mine.get("CapBnd"), 16);
        assertEquals(0, bounding & (1L << 16), "the container has no CAP_SYS_MODULE: neither has exec");
        assertEquals(0, bounding & (1L << 25), "nor CAP_SYS_TIME");
    }

    @Test
    void aCapabilityTheContainerLacksIsNotGained() {
        // capset(2) may raise an inheritable capability only within the bounding set: harmless, and it tells.
        assertEquals(0, exec("setpriv", "--inh-caps", "+chown", "true").status(), "one the container has");

        var outcome = exec("setpriv", "--inh-caps", "+sys_module", "true");

        assertNotEquals(0, outcome.status());
        assertTrue(outcome.err().contains("capset: Operation not permitted"), outcome.err());
    }

    @Test
    void joinsTheContainersOtherNamespacesAndCgroups() throws Exception {
        var outcome = exec("sh", "-c", "for n in net uts ipc mnt cgroup; do readlink /proc/self/ns/$n; done")
                .expectSuccess();

        List<String> lines = outcome.out().lines().toList();
        List<String> leaders = new java.util.ArrayList<>();
        for (String n : List.of("net", "uts", "ipc", "mnt", "cgroup")) {
            leaders.add(Files.readSymbolicLink(Path.of("/proc", Long.toString(state.leader()), "ns", n)).toString());
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns", n)).toString(), leaders.get(leaders.size() - 1),
                    "the container has its own " + n + " namespace (--network none)");
        }
        assertEquals(leaders, lines.subList(0, 5));
    }

    @Test
    void theCommandAndTheStageThatRunsItAreInTheContainersCgroupsAndConfined() throws Exception {
        String script = "sleep 5; : " + NAME; // a command line no other process has
        CompletableFuture<Jcontainer.Outcome> sleeper = CompletableFuture.supplyAsync(() -> exec("sh", "-c", script));
        String leaderCgroups = Files.readString(Path.of("/proc", Long.toString(state.leader()), "cgroup"));
        long deadline = System.currentTimeMillis() + 20_000;
        Long found = null;
        while (found == null && System.currentTimeMillis() < deadline) {
            found = ProcessHandle.allProcesses().map(ProcessHandle::pid)
                    .filter(pid -> cmdline(pid).equals("sh\0-c\0" + script + "\0")).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertNotNull(found, "the exec'd sleep never showed up");
        long stage = ProcessHandle.of(found).flatMap(ProcessHandle::parent).orElseThrow().pid();

        assertEquals(leaderCgroups, Files.readString(Path.of("/proc", Long.toString(found), "cgroup")));
        // The stage confined itself before it forked (so the command was never more than the container, even
        // before its execve): the same cgroups, capabilities and filter; it is not in the container's pid namespace.
        assertTrue(cmdline(stage).startsWith(REPO.resolve("jnspawn/target/native/jcontainer-exec") + "\0--control="),
                cmdline(stage));
        assertEquals(leaderCgroups, Files.readString(Path.of("/proc", Long.toString(stage), "cgroup")));
        Map<String, String> pid1 = confinement(Files.readString(Path.of("/proc", Long.toString(state.leader()), "status")));
        Map<String, String> stages = confinement(Files.readString(Path.of("/proc", Long.toString(stage), "status")));
        assertEquals(pid1.get("CapBnd"), stages.get("CapBnd"));
        assertEquals(pid1.get("CapEff"), stages.get("CapEff"));
        assertEquals("2", stages.get("Seccomp"));
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(state.leader()), "ns/pid")),
                Files.readSymbolicLink(Path.of("/proc", Long.toString(stage), "ns/pid")));
        assertTrue(leaderCgroups.contains(":devices:/jcontainer/"), "the container's device cgroup:\n" + leaderCgroups);
        assertEquals(0, sleeper.get(30, TimeUnit.SECONDS).status());
    }

    @Test
    void theEnvironmentUserAndDirectoryAreTheContainersOrTheGivenOnes() {
        assertEquals("jcontainer\n/\n0\n", exec("sh", "-c", "echo $container; pwd; id -u").expectSuccess().out());

        var outcome = jc.run("exec", "-e", "A=1", "-w", "/tmp", "-u", "demo", NAME, "sh", "-c",
                "echo $A; pwd; id -u; grep CapEff /proc/self/status").expectSuccess();

        assertEquals("1\n/tmp\n1000\nCapEff:\t0000000000000000\n", outcome.out());
    }

    @Test
    void withTtyTheCommandHasATerminalOfTheContainer() {
        var outcome = jc.run("exec", "-t", NAME, "sh", "-c", "tty; exit 4");

        assertEquals(4, outcome.status(), outcome.err());
        assertTrue(outcome.out().strip().matches("/dev/pts/[0-9]+"), outcome.out());
    }

    @Test
    void exitStatusIsTheCommands() {
        assertEquals(0, exec("true").status());
        assertEquals(3, exec("sh", "-c", "exit 3").status());
        assertEquals(126, exec("/etc/passwd").status(), "not executable");
        assertEquals(127, exec("/no/such/command").status(), "not found");
    }

    @Test
    void anUnknownOrStoppedContainerIs125WithOneLine() throws Exception {
        var unknown = jc.run("exec", "nosuch", "true");
        assertEquals(125, unknown.status());
        assertTrue(unknown.errLine().startsWith("jcontainer: No such container: "), unknown.err());

        Files.writeString(tmp.resolve("run/stopped.container"), "[Container]\nImage=demo:1\n");
        var stopped = jc.run("exec", "stopped", "true");
        assertEquals(125, stopped.status());
        assertEquals("jcontainer: Container 'stopped' is not running.", stopped.errLine());

        var kill = jc.run("kill", "stopped");
        assertEquals(125, kill.status());
        assertEquals("jcontainer: Container 'stopped' is not running.", kill.errLine());
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void killDeliversTheSignalToThePayload() throws Exception {
        Path got = tmp.resolve("store/containers/" + NAME + "/upper/got-usr1");

        assertEquals(NAME + "\n", jc.ok("kill", "-s", "USR1", NAME).out());

        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(got) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("usr1\n", Files.readString(got));
        assertFalse(running.isDone(), "USR1 is trapped: the container runs on");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void killEndsTheContainerAndItsStateGoes() throws Exception {
        jc.ok("kill", NAME); // SIGKILL, as docker kill

        Jcontainer.Outcome run = running.get(30, TimeUnit.SECONDS);
        assertEquals(128 + 9, run.status(), run.err());
        assertFalse(Files.exists(ContainerState.path(tmp.resolve("runtime"), NAME)), "jnspawn removed its record");
        var after = jc.run("exec", NAME, "true");
        assertEquals(125, after.status());
        assertNotNull(after.errLine());
    }
}
