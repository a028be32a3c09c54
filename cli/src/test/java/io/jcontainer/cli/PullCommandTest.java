package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer pull} against Debian's real docker-registry on loopback, fed by skopeo with an
 * image that {@code jcontainer export} wrote: the pulled image has the exported digest.
 */
class PullCommandTest {
    @TempDir
    static Path tmp;
    static Process registry;
    static int port;

    @BeforeAll
    static void startRegistry() throws Exception {
        for (String tool : List.of("/usr/bin/docker-registry", "/usr/bin/skopeo")) {
            if (!Files.isExecutable(Path.of(tool))) {
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true but " + tool + " is missing: scripts/setup-deps installs it");
                }
                org.junit.jupiter.api.Assumptions.assumeTrue(false, tool + " is not installed");
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = tmp.resolve("registry.yml");
        Files.writeString(config, String.join("\n", "version: 0.1", "storage:", "  filesystem:",
                "    rootdirectory: " + tmp.resolve("registry-data"), "http:", "  addr: 127.0.0.1:" + port, "log:",
                "  level: error", ""));
        registry = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("registry.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("docker-registry did not listen: " + Files.readString(tmp.resolve("registry.log")));
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pullsWhatWasPushedWithTheSameDigest() throws Exception {
        Path rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/greeting"), "hello from the registry\n");
        Jcontainer source = new Jcontainer(tmp.resolve("a"));
        source.ok("import", "--name", "demo:1", rootfs.toString());
        Path archive = tmp.resolve("demo.tar");
        source.ok("export", "demo:1", archive.toString());
        String sourceDiffIds = diffIds(source.ok("inspect", "--json", "demo:1").out());
        assertTrue(sourceDiffIds.contains("sha256:"), sourceDiffIds);

        Process push = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "oci-archive:" + archive,
                "docker://127.0.0.1:" + port + "/demo:1").redirectErrorStream(true).start();
        String pushLog = new String(push.getInputStream().readAllBytes());
        assertEquals(0, push.waitFor(), pushLog);

        // What the registry serves (skopeo may rewrite the manifest on the way in).
        Process raw = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "--raw",
                "docker://127.0.0.1:" + port + "/demo:1").start();
        byte[] manifest = raw.getInputStream().readAllBytes();
        assertEquals(0, raw.waitFor());
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(manifest));

        Jcontainer target = new Jcontainer(tmp.resolve("b"));
        Jcontainer.Outcome pulled = target.ok("pull", "--insecure", "--insecure-policy", "127.0.0.1:" + port + "/demo:1");
        assertTrue(pulled.out().contains(digest), pulled.out());
        String images = target.ok("images", "--json").out();
        assertTrue(images.contains("127.0.0.1:" + port + "/demo"), images);
        assertTrue(images.contains(digest), images);
        assertEquals(sourceDiffIds, diffIds(target.ok("inspect", "--json", "127.0.0.1:" + port + "/demo:1").out()),
                "the same layer contents");
    }

    private static String diffIds(String inspectJson) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(inspectJson).path("config").path("rootfs")
                .path("diff_ids").toString();
    }

    @Test
    void refusesPlainHttpUnlessAskedAndNamesAMissingImage() {
        Jcontainer j = new Jcontainer(tmp.resolve("c"));
        Jcontainer.Outcome https = j.run("pull", "127.0.0.1:" + port + "/demo:1");
        assertEquals(125, https.status());
        assertTrue(https.errLine().startsWith("jcontainer: "), https.err());
        Jcontainer.Outcome missing = j.run("pull", "--insecure", "--insecure-policy", "127.0.0.1:" + port + "/nothing:here");
        assertEquals(125, missing.status());
        assertTrue(missing.errLine().contains("nothing"), missing.err());
        Jcontainer.Outcome creds = j.run("pull", "--creds", "nocolon", "127.0.0.1:" + port + "/demo:1");
        assertEquals(125, creds.status());
        assertTrue(creds.errLine().contains("--creds"), creds.err());
    }
}
