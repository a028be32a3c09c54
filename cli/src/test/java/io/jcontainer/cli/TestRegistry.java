package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} on a free loopback port with its storage in a test directory, for the push,
 * search and round-trip tests; skopeo is the independent client that checks what it holds. Skips without the
 * tools, fails under {@code CI=true}.
 */
final class TestRegistry implements AutoCloseable {
    final int port;
    final Path dir;
    private final Process process;

    private TestRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static TestRegistry start(Path dir) throws Exception {
        for (String tool : List.of("/usr/bin/docker-registry", "/usr/bin/skopeo")) {
            if (!Files.isExecutable(Path.of(tool))) {
                if ("true".equals(System.getenv("CI"))) {
                    fail("CI=true but " + tool + " is missing: scripts/setup-deps installs it");
                }
                org.junit.jupiter.api.Assumptions.assumeTrue(false, tool + " is not installed");
            }
        }
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, String.join("\n", "version: 0.1", "storage:", "  filesystem:",
                "    rootdirectory: " + dir.resolve("data"), "  delete:", "    enabled: true", "http:",
                "  addr: 127.0.0.1:" + port, "log:", "  level: info", "  formatter: text", ""));
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new TestRegistry(dir, port, p);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroy();
        fail("docker-registry did not listen: " + Files.readString(dir.resolve("registry.log")));
        return null;
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** The registry's access log so far: one line per request, e.g. {@code "PATCH /v2/x/blobs/uploads/..."}. */
    String log() throws IOException {
        return Files.readString(dir.resolve("registry.log"));
    }

    /** The digest of the manifest the registry serves for {@code repoTag}, from {@code skopeo inspect --raw}. */
    String manifestDigest(String repoTag) throws Exception {
        Process raw = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + host() + "/" + repoTag)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] manifest = raw.getInputStream().readAllBytes();
        assertEquals(0, raw.waitFor(), "skopeo inspect " + repoTag);
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
