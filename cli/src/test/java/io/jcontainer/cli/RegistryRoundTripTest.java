package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
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
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        Files.writeString(root.resolve("etc/round-trip"), "pushed, pulled and run\n");
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), exec, null);
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

            String pulled = jc.ok("pull", "--insecure", "--insecure-policy", name).out();
            String digest = pushed.substring(pushed.indexOf("sha256:"), pushed.indexOf("sha256:") + 71);
            assertTrue(pulled.contains(digest), "pulled " + pulled + " pushed " + pushed);

            var run = jc.ok("run", "--rm", name, "cat", "/etc/round-trip");
            assertEquals("pushed, pulled and run\n", run.out(), run.err());
        }
    }
}
