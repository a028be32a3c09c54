package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnspawn --exec} into a running container that has a user namespace and a network namespace of its own
 * (cli's ExecKillTest covers one without): the command is in the container's user namespace, as its root, with its
 * capabilities; nothing of the exec is left in the runtime directory.
 */
@Tag("root")
class ExecIntoTest {
    static final String NAME = "execinto" + ProcessHandle.current().pid();

    @TempDir
    static Path tmp;
    static Path runtime;
    static Running container;
    static ContainerState state;

    @BeforeAll
    static void startAContainerWithAUserNamespace() throws Exception {
        requireRoot();
        Path root = demoRoot(tmp, "root");
        runtime = tmp.resolve("runtime");
        // The container's root mounts its staging directory from inside its user namespace: searchable by others.
        Files.createDirectories(runtime);
        for (Path p : List.of(tmp, runtime)) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        container = Running.start(withRuntime(List.of("-q", "-U", "--private-network", "-M", NAME, "-D", root.toString(),
                "sh", "-c", "echo up; while :; do sleep 1; done")));
        container.awaitOutput("up");
        long deadline = System.currentTimeMillis() + 20_000;
        while (ContainerState.read(runtime, NAME).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        state = ContainerState.read(runtime, NAME).orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (container != null) {
            container.process().destroy();
            assertTrue(container.process().waitFor(10, TimeUnit.SECONDS));
            assertFalse(Files.exists(ContainerState.path(runtime, NAME)), "the record goes with the container");
            try (var left = Files.list(runtime)) {
                assertEquals(List.of(), left.toList(), "nothing left in the runtime directory");
            }
        }
    }

    private static List<String> withRuntime(List<String> args) {
        List<String> cmd = jnspawnCommand(args);
        cmd.add(1, "-Djcontainer.runtime=" + runtime);
        return cmd;
    }

    private static Result exec(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("-q", "--exec", "-M", NAME, "--"));
        args.addAll(List.of(command));
        return RootSupport.exec(withRuntime(args), 60);
    }

    private static String status(String text, String key) {
        return text.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow().substring(key.length() + 1).strip();
    }

    @Test
    void theCommandIsInTheContainersUserNamespaceAsItsRootWithItsCapabilities() throws Exception {
        Path leader = Path.of("/proc", Long.toString(state.leader()));

        Result r = exec("sh", "-c", "cat /proc/self/uid_map; readlink /proc/self/ns/user; readlink /proc/self/ns/net; "
                + "id -u; hostname; cat /proc/self/status");

        assertEquals(0, r.exit(), r.stderr());
        List<String> lines = r.lines();
        assertEquals(Files.readString(leader.resolve("uid_map")).strip(), lines.get(0).strip());
        assertEquals(Files.readSymbolicLink(leader.resolve("ns/user")).toString(), lines.get(1));
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString(), lines.get(1));
        assertEquals(Files.readSymbolicLink(leader.resolve("ns/net")).toString(), lines.get(2));
        assertEquals("0", lines.get(3));
        assertEquals(NAME, lines.get(4));
        String pid1 = Files.readString(leader.resolve("status"));
        for (String key : List.of("CapBnd", "CapEff", "NoNewPrivs", "Seccomp")) {
            assertEquals(status(pid1, key), status(r.stdout(), key), key);
        }
    }

    @Test
    void theCommandHasTheLeadersResourceLimitsAndOomScoreNotTheCallers() throws Exception {
        Path leader = Path.of("/proc", Long.toString(state.leader()));
        // Limits and a score unlike this JVM's (which the exec's caller would pass on otherwise).
        Result set = RootSupport.exec(List.of("prlimit", "--pid", Long.toString(state.leader()), "--nofile=321:654",
                "--core=0:0", "--nproc=4321:4321"), 30);
        assertEquals(0, set.exit(), set.stderr());
        Files.writeString(leader.resolve("oom_score_adj"), "345");

        Result r = exec("sh", "-c", "ulimit -Sn; ulimit -Hn; cat /proc/self/oom_score_adj; cat /proc/self/limits");

        assertEquals(0, r.exit(), r.stderr());
        List<String> lines = r.lines();
        assertEquals(List.of("321", "654", "345"), lines.subList(0, 3));
        assertEquals(Files.readString(leader.resolve("limits")),
                String.join("\n", lines.subList(3, lines.size())) + "\n", "every limit is the leader's");
        assertNotEquals(Files.readString(Path.of("/proc/self/limits")), Files.readString(leader.resolve("limits")));
    }

    @Test
    void anotherUserOfTheContainerHasNoCapabilities() throws Exception {
        Result r = RootSupport.exec(withRuntime(List.of("-q", "--exec", "-M", NAME, "-u", "demo", "--", "sh", "-c",
                "id -u; grep CapEff /proc/self/status")), 60);

        assertEquals("1000\nCapEff:\t0000000000000000\n", r.stdout(), r.stderr());
    }

    @Test
    void exitStatusesAndAMissingContainer() throws Exception {
        assertEquals(7, exec("sh", "-c", "exit 7").exit());
        assertEquals(127, exec("/no/such").exit());
        Result missing = RootSupport.exec(withRuntime(List.of("-q", "--exec", "-M", "nosuch" + NAME, "--", "true")), 60);
        assertEquals(125, missing.exit());
        assertEquals("jnspawn: Container 'nosuch" + NAME + "' is not running.\n", missing.stderr());
    }
}
