package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.jnspawn.ContainerState;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        jnspawn = startJnspawn(exec, runtime, "gcdemo:1");
        ContainerState state = awaitState(runtime);
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

        gcAfterTheContainerEndsRemoves(jc, state, layer);
    }

    /**
     * The window between a start's resolving its layers and its state record: jnspawn holds the store's lock shared
     * through it, so a gc run inside it (the image's name already removed) waits, then reads the record and keeps
     * the layer, and the container starts. jnspawn is held inside the window by its test hook.
     */
    @Test
    void gcDuringAStartWaitsForItsRecordAndKeepsTheLayer() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "jnspawn would register with systemd here (vm-tests)");
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Path runtime = tmp.resolve("runtime");
        Files.createDirectories(runtime);
        System.setProperty("jcontainer.runtime", runtime.toString());
        Jcontainer jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "gcwindow:1");
        Path layer;
        try (var layers = Files.list(tmp.resolve("store/layers"))) {
            layer = layers.filter(l -> l.getFileName().toString().matches("[0-9a-f]{64}")).findFirst().orElseThrow();
        }
        Path hook = tmp.resolve("hook");
        jnspawn = startJnspawn(exec, runtime, "gcwindow:1", "-Djcontainer.test.hook.afterLayers=" + hook);
        awaitFile(Path.of(hook + ".reached"));
        jc.ok("rmi", "gcwindow:1");

        CompletableFuture<Jcontainer.Outcome> gc = CompletableFuture.supplyAsync(() -> jc.run("gc"));
        Thread.sleep(1500);
        assertFalse(gc.isDone(), () -> "gc ran inside the start's window: " + gc.join());
        assertTrue(Files.isDirectory(layer.resolve("bin")), "the starting container's layer is there while gc waits");
        Files.writeString(hook, "");
        ContainerState state = awaitState(runtime);
        Jcontainer.Outcome during = gc.get(60, TimeUnit.SECONDS).expectSuccess();

        assertEquals(List.of(layer), state.lowers(), "the record names the image's layer");
        assertTrue(during.out().contains("Deleted blob: "), "the image's blobs have no name left:\n" + during.out());
        assertFalse(during.out().contains("Deleted layer: "), during.out());
        assertTrue(Files.isDirectory(layer.resolve("bin")), "the layer survives the gc run inside the window");
        assertTrue(state.alive() && jnspawn.isAlive(), "the container started and runs");
        var again = jc.ok("gc");
        assertFalse(again.out().contains("Deleted layer: "), again.out());
        assertTrue(Files.isDirectory(layer.resolve("bin")), "a gc after the start keeps the running container's layer");

        gcAfterTheContainerEndsRemoves(jc, state, layer);
    }

    /** Ends the container (its leader killed, jnspawn gone); then gc removes its layer. */
    private void gcAfterTheContainerEndsRemoves(Jcontainer jc, ContainerState state, Path layer) throws Exception {
        ProcessHandle.of(state.leader()).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(jnspawn.waitFor(60, TimeUnit.SECONDS), "jnspawn ends with its container");
        var after = jc.ok("gc");
        assertTrue(after.out().contains("Deleted layer: sha256:" + layer.getFileName()), after.out());
        assertFalse(Files.exists(layer), "once the container has ended, its layer goes");
    }

    /** A start does not wait for the store's lock for ever: held exclusively (as gc does), it fails with one line. */
    @Test
    void aStartWaitsForAHeldStoreLockOnlySoLong() throws Exception {
        RunForegroundTest.requireRoot();
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Path runtime = tmp.resolve("runtime");
        Files.createDirectories(runtime);
        Jcontainer jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "gclocked:1");
        Path lockFile = tmp.resolve("store/store.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock held = ch.lock(0, Long.MAX_VALUE, false)) {
            long t0 = System.nanoTime();
            jnspawn = startJnspawn(exec, runtime, "gclocked:1", "-Djcontainer.store.lock.timeout=2");
            assertTrue(jnspawn.waitFor(60, TimeUnit.SECONDS), "jnspawn gives up");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String log = Files.readString(tmp.resolve("jnspawn.log"));

            assertEquals(125, jnspawn.exitValue(), log);
            assertEquals("jnspawn: Timed out after 2 s waiting for '" + lockFile + "': jcontainer gc holds it exclusively"
                    + " (or another process does), refusing.", log.strip());
            assertTrue(ms >= 2000, "it waited the 2 s first: " + ms + " ms");
            assertFalse(Files.exists(ContainerState.path(runtime, name)), "nothing was recorded");
        }
    }

    /** Starts the real jnspawn on {@code image} in the background, its output in {@code tmp/jnspawn.log}. */
    private Process startJnspawn(Path exec, Path runtime, String image, String... properties) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djcontainer.exec=" + exec, "-Djcontainer.runtime=" + runtime));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jcontainer.jnspawn.Main",
                "-q", "-M", name, "--image=" + image, "--private-network=yes", "/bin/sh", "-c", "while :; do sleep 1; done"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(Host.ROOT_ENV, tmp.resolve("store").toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("jnspawn.log").toFile());
        return pb.start();
    }

    private ContainerState awaitState(Path runtime) throws Exception {
        awaitFile(ContainerState.path(runtime, name));
        return ContainerState.read(runtime, name).orElseThrow();
    }

    private void awaitFile(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(file)) {
            if (!jnspawn.isAlive()) {
                fail("jnspawn ended (" + jnspawn.exitValue() + "): " + Files.readString(tmp.resolve("jnspawn.log")));
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no " + file + " after 60 s: " + Files.readString(tmp.resolve("jnspawn.log")));
            }
            Thread.sleep(50);
        }
    }
}
