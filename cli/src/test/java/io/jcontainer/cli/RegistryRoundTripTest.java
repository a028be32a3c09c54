package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry round trip of issue 7, as far as import, push, pull and run go (build and commit are not part of
 * it yet): import the demo root -> push to a real docker-registry -> rmi -> pull -> run in the foreground (real
 * jnspawn and exec stage, no systemd) -> the container prints what the imported root holds. Needs root.
 */
@Tag("root")
class RegistryRoundTripTest {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path tmp;

    @AfterAll
    static void forgetTheLauncher() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    @Test
    void importPushRmiPullRunPrintsTheImagesFile() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path exec = REPO.resolve("jnspawn/target/native/jcontainer-exec");
        if (!Files.isExecutable(exec)) {
            fail("'" + exec + "' is missing: build the jnspawn module first");
        }
        Path root = tmp.resolve("demo-root");
        Process p = new ProcessBuilder(REPO.resolve("scripts/make-demo-root").toString(), root.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("make-demo-root failed: " + output);
        }
        Files.writeString(root.resolve("etc/round-trip"), "pushed, pulled and run\n");
        Path launcher = tmp.resolve("jnspawn");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' $JCONTAINER_JAVA_OPTS -cp '" + System.getProperty("java.class.path") + "' -Djcontainer.exec='"
                + exec + "' io.jcontainer.jnspawn.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());

        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            Jcontainer jc = new Jcontainer(tmp);
            jc.ok("import", root.toString(), "--name", "demo:1");
            String name = registry.host() + "/round/trip:1";
            String pushed = jc.ok("push", "--insecure", "demo:1", name).out();
            jc.ok("rmi", "demo:1");
            jc.ok("gc");
            assertEquals(0, new com.fasterxml.jackson.databind.ObjectMapper().readTree(jc.ok("images", "--json").out()).size(),
                    "the store is empty before the pull");

            String pulled = jc.ok("pull", "--insecure", name).out();
            String digest = pushed.substring(pushed.indexOf("sha256:"), pushed.indexOf("sha256:") + 71);
            assertTrue(pulled.contains(digest), "pulled " + pulled + " pushed " + pushed);

            var run = jc.ok("run", "--rm", name, "cat", "/etc/round-trip");
            assertEquals("pushed, pulled and run\n", run.out(), run.err());
        }
    }
}
