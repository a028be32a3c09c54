package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gc} never removes the layers of a running {@code jnspawn --image} container that no container file names and
 * whose image has lost its name: the real jnspawn records its lowerdirs in {@code RUNTIME/NAME.state}, gc keeps them
 * while the leader runs and removes them once it has ended. Needs root; skips locally without it, fails under
 * {@code CI=true}.
 */
@Tag("root")
class GcRunningContainerTest {
    static final Path REPO = RunForegroundTest.REPO;
    final String name = "gctest" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;
    Process jnspawn;

    @AfterEach
    void stop() throws Exception {
        try {
            if (jnspawn != null && jnspawn.isAlive()) {
                ContainerState.read(tmp.resolve("runtime"), name).ifPresent(s -> ProcessHandle.of(s.leader())
                        .ifPresent(ProcessHandle::destroyForcibly));
                if (!jnspawn.waitFor(30, TimeUnit.SECONDS)) {
                    jnspawn.destroyForcibly();
                }
            }
        } finally {
            System.clearProperty("jcontainer.runtime");
        }
    }

    @Test
    void keepsTheLayersOfARunningImageContainerAndFreesThemAfterItEnds() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "jnspawn would register with systemd here (vm-tests)");
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Path runtime = tmp.resolve("runtime");
        Files.createDirectories(runtime);
        System.setProperty("jcontainer.runtime", runtime.toString());
        Jcontainer jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "gcdemo:1");

        // jnspawn --image, no container file: only its state record says it uses the layer
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djcontainer.exec=" + exec, "-Djcontainer.runtime=" + runtime,
                "-cp", System.getProperty("java.class.path"), "io.jcontainer.jnspawn.Main",
                "-q", "-M", name, "--image=gcdemo:1", "--private-network=yes", "/bin/sh", "-c", "while :; do sleep 1; done");
        pb.environment().put(Host.ROOT_ENV, tmp.resolve("store").toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("jnspawn.log").toFile());
        jnspawn = pb.start();
        Path stateFile = ContainerState.path(runtime, name);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(stateFile)) {
            if (!jnspawn.isAlive()) {
                fail("jnspawn ended (" + jnspawn.exitValue() + "): " + Files.readString(tmp.resolve("jnspawn.log")));
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no " + stateFile + " after 60 s: " + Files.readString(tmp.resolve("jnspawn.log")));
            }
            Thread.sleep(50);
        }
        ContainerState state = ContainerState.read(runtime, name).orElseThrow();
        try (var layers = Files.list(tmp.resolve("store/layers"))) {
            List<Path> unpacked = layers.filter(l -> l.getFileName().toString().matches("[0-9a-f]{64}")).toList();
            assertEquals(unpacked, state.lowers(), "the state records the image's one unpacked layer as its lowerdir");
        }
        Path layer = state.lowers().get(0);

        jc.ok("rmi", "gcdemo:1");
        var gc = jc.ok("gc");

        assertTrue(gc.out().contains("Deleted blob: "), "the image's blobs have no name left:\n" + gc.out());
        assertFalse(gc.out().contains("Deleted layer: "), gc.out());
        assertTrue(Files.isDirectory(layer.resolve("bin")), "the running container's layer survives gc");

        ProcessHandle.of(state.leader()).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(jnspawn.waitFor(60, TimeUnit.SECONDS), "jnspawn ends with its container");
        var after = jc.ok("gc");

        assertTrue(after.out().contains("Deleted layer: sha256:" + layer.getFileName()), after.out());
        assertFalse(Files.exists(layer), "once the container has ended, its layer goes");
    }
}
