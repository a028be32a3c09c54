package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain of issue 7, as root on the build machine with Debian's docker-registry on loopback: build ->
 * push -> rmi + gc -> pull -> run (a command that changes a file) -> commit -> push -> rmi + gc -> pull -> run
 * shows the change; a rebuild takes every step from the cache. Real jnspawn containers on real overlayfs over the
 * demo root, no systemd.
 */
@Tag("root")
class ChainTest {
    static final String DOCKERFILE = "FROM demo:1\nCOPY hello.txt /hello.txt\nRUN echo built > /built.txt\n";
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    @TempDir
    Path tmp;

    @AfterAll
    static void forgetTheLauncher() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    @Test
    void buildPushRmiPullRunCommitPushPullShowsTheChangeAndARebuildIsCached() throws Exception {
        CommitBuildTest.useTheTestLauncher(tmp);
        Path root = tmp.resolve("demo-root");
        CommitBuildTest.sh(RunForegroundTest.REPO.resolve("scripts/make-demo-root") + " " + root);
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
        Files.writeString(ctx.resolve("hello.txt"), "copied\n");
        Path store = tmp.resolve("store");
        Jcontainer jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "demo:1");

        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            // build, and a rebuild with nothing changed: every step from the cache, no blob written
            var build = jc.ok("build", "-t", "chain:built", ctx.toString());
            assertTrue(build.out().contains("(2 steps run, 0 from the cache)"), build.out());
            String built = digestOf("chain:built", store);
            long blobs = CommitBuildTest.blobCount(store);
            var rebuild = jc.ok("build", "-t", "chain:built", ctx.toString());
            assertEquals(2, rebuild.out().lines().filter(l -> l.equals(" ---> Using cache")).count(), rebuild.out());
            assertTrue(rebuild.out().contains("(0 steps run, 2 from the cache)"), rebuild.out());
            assertEquals(blobs, CommitBuildTest.blobCount(store), "a cached rebuild writes no blob");
            assertEquals(built, digestOf("chain:built", store));

            // push -> rmi -> gc -> pull: the same digest, the bytes come back from the registry
            String builtName = registry.host() + "/chain/built:1";
            String pushed = jc.ok("push", "--insecure", "chain:built", builtName).out();
            assertTrue(pushed.startsWith("Pushed " + builtName + ": " + built), pushed);
            assertEquals(built, registry.manifestDigest("chain/built:1"), "skopeo sees the manifest the store has");
            jc.ok("rmi", "chain:built");
            jc.ok("gc");
            assertEquals(125, jc.run("inspect", "chain:built").status());
            assertEquals(1, new ObjectMapper().readTree(jc.ok("images", "--json").out()).size(), "only demo:1 is left");
            String pulled = jc.ok("pull", "--insecure", "--insecure-policy", builtName).out();
            assertEquals(built, firstDigest(pulled), pulled);
            assertEquals(built, digestOf(builtName, store));

            // run: the built files are there; the command changes one and exits
            var run = jc.ok("run", "--name", "chain-changed", builtName, "sh", "-c",
                    "cat /hello.txt /built.txt && echo changed > /built.txt");
            assertEquals("copied\nbuilt\n", run.out(), run.err());

            // commit -> push -> rmi -> gc -> pull -> run: the change is there
            String committed = jc.ok("commit", "chain-changed", "chain:committed").out().strip();
            assertTrue(DIGEST.matcher(committed).matches(), committed);
            String committedName = registry.host() + "/chain/committed:1";
            String pushedAgain = jc.ok("push", "--insecure", "chain:committed", committedName).out();
            assertTrue(pushedAgain.startsWith("Pushed " + committedName + ": " + committed), pushedAgain);
            jc.ok("rmi", "chain:committed");
            jc.ok("gc");
            assertEquals(125, jc.run("inspect", "chain:committed").status());
            String pulledAgain = jc.ok("pull", "--insecure", "--insecure-policy", committedName).out();
            assertEquals(committed, firstDigest(pulledAgain), pulledAgain);
            var changed = jc.ok("run", "--rm", committedName, "cat", "/built.txt", "/hello.txt");
            assertEquals("changed\ncopied\n", changed.out(), changed.err());
            // the image it was committed from still holds the built file
            var original = jc.ok("run", "--rm", builtName, "cat", "/built.txt");
            assertEquals("built\n", original.out(), original.err());
            jc.ok("rm", "chain-changed");
        }
    }

    static String digestOf(String name, Path store) throws Exception {
        return new ImageStore(store).inspect(ImageReference.parse(name)).manifestDigest().toString();
    }

    static String firstDigest(String output) {
        Matcher m = DIGEST.matcher(output);
        assertTrue(m.find(), output);
        return m.group();
    }
}
