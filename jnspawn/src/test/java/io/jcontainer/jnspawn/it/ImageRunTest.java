package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnspawn --image} and {@code Image=}: the root is the image's layers from the store, the
 * image config gives the defaults, the container file and the command line override them.
 */
@Tag("root")
class ImageRunTest {
    @TempDir
    static Path tmp;
    static Path store;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        requireCommand("umoci");
        Path root = demoRoot(tmp, "root");
        // An OCI image made with umoci: the busybox root as one layer, and a config with defaults.
        Path layout = tmp.resolve("layout");
        Path bundle = tmp.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":1");
        run("umoci", "unpack", "--image", layout + ":1", bundle.toString());
        run("cp", "-a", root + "/.", bundle.resolve("rootfs").toString());
        run("umoci", "repack", "--image", layout + ":1", bundle.toString());
        run("umoci", "config", "--image", layout + ":1", "--config.entrypoint", "/bin/sh",
                "--config.cmd", "-c", "--config.cmd", "echo \"$GREETING from $(pwd) as $(id -u)\"",
                "--config.env", "GREETING=hello", "--config.workingdir", "/home/demo", "--config.user", "demo");
        store = tmp.resolve("store");
        new ImageStore(store).importOciLayout(layout, ImageReference.parse("demo:1"));
    }

    private static void run(String... cmd) throws Exception {
        Result r = exec(List.of(cmd), 120);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.stderr());
    }

    private static Result jnspawnWithStore(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store));
        cmd.addAll(jnspawnCommand(List.of(args)));
        return exec(cmd, 120);
    }

    @Test
    void imageConfigGivesTheDefaults() throws Exception {
        Result r = jnspawnWithStore("-q", "-x", "--image=demo:1");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("hello from /home/demo as 1000\n", r.stdout());
    }

    @Test
    void aCommandReplacesTheImagesCmdButNotItsEntrypoint() throws Exception {
        Result r = jnspawnWithStore("-q", "-x", "--image=demo:1", "-u", "root", "--chdir=/", "-E", "GREETING=hi",
                "--", "-c", "echo $GREETING; pwd; id -u");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("hi\n/\n0\n", r.stdout());
    }

    @Test
    void theContainersChangesLiveInItsOwnUpperDir() throws Exception {
        Result first = jnspawnWithStore("-q", "-M", "keeper", "--image=demo:1", "-u", "root", "--", "-c", "echo kept > /data");
        assertEquals(0, first.exit(), first.stderr());
        assertEquals("kept\n", Files.readString(store.resolve("containers/keeper/upper/data")));
        Result second = jnspawnWithStore("-q", "-M", "keeper", "--image=demo:1", "--", "-c", "cat /data");
        assertEquals("kept\n", second.stdout(), second.stderr());
        Result other = jnspawnWithStore("-q", "-M", "other", "--image=demo:1", "--", "-c", "cat /data");
        assertNotEquals(0, other.exit(), "another container does not see it");
        Result ephemeral = jnspawnWithStore("-q", "-x", "-M", "eph", "--image=demo:1", "-u", "root", "--", "-c", "touch /x");
        assertEquals(0, ephemeral.exit(), ephemeral.stderr());
        assertFalse(Files.exists(store.resolve("containers/eph")), "an ephemeral container has no upper dir");
    }

    @Test
    void containerFileImageWithItsOwnExec() throws Exception {
        Path etc = tmp.resolve("etc");
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("web.container"), "[Container]\nImage=demo:1\nEphemeral=yes\nExec=/bin/echo from-file\n");
        List<String> cmd = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store));
        cmd.addAll(jnspawnCommand(List.of("-q", "-M", "web")));
        cmd.add(3, "-Djcontainer.search.path=" + etc);
        Result r = exec(cmd, 120);
        assertEquals("from-file\n", r.stdout(), r.stderr());

        // Without Exec= the image's Entrypoint and Cmd run.
        Files.writeString(etc.resolve("plain.container"), "[Container]\nImage=demo:1\nEphemeral=yes\n");
        List<String> plain = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store));
        plain.addAll(jnspawnCommand(List.of("-q", "-M", "plain")));
        plain.add(3, "-Djcontainer.search.path=" + etc);
        Result p = exec(plain, 120);
        assertEquals("hello from /home/demo as 1000\n", p.stdout(), p.stderr());
    }

    @Test
    void anImageNotInTheStoreIsOneLine() throws Exception {
        Result r = jnspawnWithStore("-q", "--image=nosuch:9", "true");
        assertEquals(125, r.exit());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("'nosuch:9'"), r.stderr());
    }
}
