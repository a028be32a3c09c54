package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.fail;

import io.jcontainer.jnspawn.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the tests that run real containers share: the exec stage the jnspawn module built, the busybox demo root
 * (scripts/make-demo-root), and a jnspawn launcher script as bin/jnspawn is, on this JVM's class path.
 */
final class RealContainers {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    private RealContainers() {
    }

    /** The exec stage; fails the test when the jnspawn module has not built it. */
    static Path execStage() {
        Path exec = REPO.resolve("jnspawn/target/native/jcontainer-exec");
        if (!Files.isExecutable(exec)) {
            fail("'" + exec + "' is missing: build the jnspawn module first");
        }
        return exec;
    }

    /** The demo root (busybox-static and a greeting) made at {@code dir}; fails the test when that fails. */
    static Path demoRoot(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(REPO.resolve("scripts/make-demo-root").toString(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("make-demo-root failed: " + output);
        }
        return dir;
    }

    /**
     * Writes {@code file}, a jnspawn launcher as bin/jnspawn is (java, this JVM's class path, which holds jnspawn and
     * its dependencies, the exec stage, $JCONTAINER_JAVA_OPTS), with {@code networkConf} as jnspawn's network
     * configuration when not null (a bridge, subnet and nft table of the test, not the host's).
     */
    static Path launcher(Path file, Path exec, Path networkConf) throws IOException {
        Files.writeString(file, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' $JCONTAINER_JAVA_OPTS -cp '" + System.getProperty("java.class.path") + "' -Djcontainer.exec='"
                + exec + "'" + (networkConf == null ? "" : " -Djcontainer.network.conf='" + networkConf + "'")
                + " io.jcontainer.jnspawn.Main \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Waits until the container {@code running} (a {@code jc.run("run", …)} in the background) has jnspawn's record
     * in {@code runtime} and its payload has made {@code marker} (in its upper dir); its record. Fails the test when
     * the container ended first or 60 s passed.
     */
    static ContainerState awaitRunning(CompletableFuture<?> running, Path runtime, String name, Path marker)
            throws Exception {
        Path stateFile = ContainerState.path(runtime, name);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!(Files.exists(stateFile) && Files.exists(marker))) {
            if (running.isDone()) {
                fail("the container ended: " + running.get());
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no " + stateFile + " after 60 s");
            }
            Thread.sleep(50);
        }
        return ContainerState.read(runtime, name).orElseThrow();
    }

    /** Ends a container {@link #awaitRunning} saw run (SIGKILL to its leader) and waits for its {@code run}. */
    static void kill(CompletableFuture<?> running, ContainerState state) throws Exception {
        if (running != null && !running.isDone() && state != null) {
            new ProcessBuilder("kill", "-9", Long.toString(state.leader())).start().waitFor();
            running.get(30, TimeUnit.SECONDS);
        }
    }
}
