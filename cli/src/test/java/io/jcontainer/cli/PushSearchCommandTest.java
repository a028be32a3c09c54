package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer push} and {@code search} against Debian's docker-registry on loopback: skopeo sees the pushed
 * image under the store's digest, a second push uploads nothing, search finds the repository and its tags.
 */
class PushSearchCommandTest {
    @TempDir
    static Path tmp;
    static TestRegistry registry;
    static Path rootfs;

    @TempDir
    Path own;
    Jcontainer jc;
    String digest;

    @BeforeAll
    static void startTheRegistry() throws Exception {
        registry = TestRegistry.start(tmp.resolve("registry"));
        rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/greeting"), "hello from a push\n");
    }

    /** A store per test, so that where one test pushed (a mount source) does not change what another sees. */
    @BeforeEach
    void importAnImage() throws Exception {
        jc = new Jcontainer(own);
        jc.ok("import", "--name", "demo:1", rootfs.toString());
        digest = new ObjectMapper().readTree(jc.ok("images", "--json").out()).get(0).path("digest").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pushesUnderTheSameDigestAndASecondPushUploadsNothing() throws Exception {
        String dest = registry.host() + "/team/demo:1";
        Jcontainer.Outcome first = jc.ok("push", "--insecure", "demo:1", dest);
        assertTrue(first.out().startsWith("Pushed " + dest + ": " + digest + " (2 uploaded, 0 mounted, 0 already there)"),
                first.out());
        assertEquals(digest, registry.manifestDigest("team/demo:1"), "skopeo sees the manifest the store has");

        Jcontainer.Outcome again = jc.ok("push", "--insecure", "demo:1", dest);
        assertTrue(again.out().contains("(0 uploaded, 0 mounted, 2 already there)"), again.out());

        // another repository: the registry mounts both blobs from team/demo, no upload of bytes (its access log)
        Jcontainer.Outcome other = jc.ok("push", "--insecure", "demo:1", registry.host() + "/team/other:1");
        assertTrue(other.out().contains("(0 uploaded, 2 mounted, 0 already there)"), other.out());
        String log = registry.log();
        assertTrue(log.lines().anyMatch(l -> l.contains("\"POST /v2/team/other/blobs/uploads/?") && l.contains("mount=")
                && l.contains("\" 201 ")), log);
        assertTrue(log.lines().noneMatch(l -> l.contains("\"PUT /v2/team/other/blobs/uploads/")
                || l.contains("\"PATCH /v2/team/other/blobs/uploads/")), log);
        assertEquals(digest, registry.manifestDigest("team/other:1"));
    }

    @Test
    void searchFindsRepositoriesAndTheirTags() throws Exception {
        jc.ok("push", "--insecure", "demo:1", registry.host() + "/find/me:a");
        jc.ok("push", "--insecure", "demo:1", registry.host() + "/find/me:b");

        String table = jc.ok("search", "--insecure", "--registry", registry.host(), "--tags", "FIND").out();
        assertTrue(table.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(registry.host() + "/find/me") + "\\s+a, b")),
                table);
        JsonNode json = new ObjectMapper().readTree(jc.ok("search", "--insecure", "--json", "--tags",
                registry.host() + "/find").out());
        assertEquals(1, json.size(), json.toString());
        assertEquals("find/me", json.get(0).path("repository").asText());
        assertEquals("[\"a\",\"b\"]", json.get(0).path("tags").toString());
        String none = jc.ok("search", "--insecure", "--registry", registry.host(), "no-such-thing").out();
        assertEquals("NAME\n", none);
    }

    @Test
    void badInputIsOneLineAnd125() {
        Jcontainer.Outcome noRegistry = jc.run("search", "web");
        assertEquals(125, noRegistry.status());
        assertTrue(noRegistry.errLine().contains("--registry"), noRegistry.err());
        Jcontainer.Outcome noImage = jc.run("push", "--insecure", "nothing:here", registry.host() + "/x:1");
        assertEquals(125, noImage.status());
        assertTrue(noImage.errLine().contains("'nothing:here'"), noImage.err());
        Jcontainer.Outcome timeout = jc.run("pull", "--insecure", "--insecure-policy", "--read-timeout", "0", registry.host() + "/x:1");
        assertEquals(125, timeout.status());
        assertTrue(timeout.errLine().contains("--read-timeout '0'"), timeout.err());
        Jcontainer.Outcome tls = jc.run("push", "demo:1", registry.host() + "/x:1");
        assertEquals(125, tls.status());
        assertTrue(tls.errLine().contains("--insecure"), tls.err());
    }
}
