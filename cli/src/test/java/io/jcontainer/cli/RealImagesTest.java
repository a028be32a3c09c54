package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import of images that umoci and skopeo build (as image-store's ImageImportTest does), with a device node
 * and a security.capability xattr, which only root can unpack. Locally without root or the tools they skip
 * with the reason; under {@code CI=true} they fail.
 */
@Tag("root")
class RealImagesTest {
    @TempDir
    Path tmp;
    Jcontainer jc;

    @BeforeEach
    void buildImage() throws Exception {
        requireRoot();
        for (String tool : List.of("umoci", "skopeo", "busybox", "setcap")) {
            requireCommand(tool);
        }
        jc = new Jcontainer(tmp);
        script("""
                umoci init --layout img && umoci new --image img:t
                mkdir -p l1/bin l1/dev && cp /bin/busybox l1/bin/busybox && ln -s busybox l1/bin/sh
                mknod l1/dev/null c 1 3 && cp /bin/busybox l1/bin/ping && setcap cap_net_raw+ep l1/bin/ping
                tar -C l1 --numeric-owner --xattrs --xattrs-include='security.*' -cf l1.tar . && umoci raw add-layer --image img:t l1.tar
                umoci config --image img:t --config.cmd /bin/sh
                skopeo copy -q oci:img:t oci-archive:oa.tar:t
                skopeo copy -q oci:img:t docker-archive:da.tar:example.org/da:1
                """);
    }

    @Test
    void ociLayoutArchiveAndDockerArchiveImportWithTheirLayers() throws Exception {
        jc.ok("import", "--name", "example.org/bb:t", tmp.resolve("img").toString());
        jc.ok("import", "--name", "example.org/oa:t", tmp.resolve("oa.tar").toString());
        var docker = jc.ok("import", tmp.resolve("da.tar").toString());

        assertTrue(docker.out().startsWith("Imported example.org/da:1 from a docker save archive"), docker.out());
        JsonNode images = new ObjectMapper().readTree(jc.ok("images", "--json").out());
        assertEquals(3, images.size());
        assertEquals("example.org/bb:t", images.get(0).get("reference").asText()); // sorted by name
        assertEquals("example.org/oa:t", images.get(2).get("reference").asText());
        assertEquals(images.get(0).get("digest"), images.get(2).get("digest")); // the same image, dir or tar
        assertTrue(jc.ok("inspect", "example.org/da:1").out().contains("Cmd: /bin/sh"));
        Path layers = tmp.resolve("store/layers");
        try (Stream<Path> dirs = Files.list(layers)) {
            Path layer = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
            assertEquals("character special file 1:3", sh("stat", "-c", "%F %t:%T", layer.resolve("dev/null").toString()).strip());
            assertTrue(sh("getcap", layer.resolve("bin/ping").toString()).contains("cap_net_raw"));
        }
    }

    private String script(String script) throws IOException, InterruptedException {
        return sh("sh", "-euc", script);
    }

    private String sh(String... command) throws IOException, InterruptedException {
        Path err = tmp.resolve("sh.err");
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + List.of(command));
        }
        if (p.exitValue() != 0) {
            fail(List.of(command) + " exited " + p.exitValue() + ": " + Files.readString(err) + out);
        }
        return out;
    }

    /** As jnspawn's RootSupport.requireRoot: skip locally with the reason, fail under CI=true. */
    static void requireRoot() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        String why = "needs root (device nodes, security.* xattrs, chown)";
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: it " + why);
        }
        assumeTrue(root, "skipped: " + why);
    }

    static void requireCommand(String command) {
        boolean present = Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin").anyMatch(d -> Files.isExecutable(Path.of(d, command)));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but '" + command + "' is missing: scripts/setup-deps installs it");
        }
        assumeTrue(present, "skipped: '" + command + "' is not installed (scripts/setup-deps)");
    }
}
