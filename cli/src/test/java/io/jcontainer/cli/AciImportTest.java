package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ACIs (appc: a tar of {@code manifest} and {@code rootfs/}) as {@code import} and {@code run} take them, told apart
 * by content in every compression appc allows; made here with tar(1) from a manifest that sets every mapped field.
 */
class AciImportTest {
    static final String MANIFEST = """
            {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.org/aci",
             "labels": [{"name": "version", "value": "1.2"}, {"name": "os", "value": "linux"}],
             "app": {"exec": ["/bin/hello", "--loud"], "user": "1000", "group": "100",
                     "workingDirectory": "/srv",
                     "environment": [{"name": "GREETING", "value": "hi"}],
                     "ports": [{"name": "www", "protocol": "tcp", "port": 5000},
                               {"name": "dns", "protocol": "udp", "port": 53}]}}
            """;

    @TempDir
    Path tmp;
    Jcontainer jc;

    @BeforeEach
    void setUp() {
        jc = new Jcontainer(tmp);
    }

    /** An ACI of {@code manifest} and rootfs/bin/hello, compressed by {@code compressor} (or not: "none"). */
    Path aci(String manifest, String compressor) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("aci-dir"));
        Files.writeString(dir.resolve("manifest"), manifest);
        Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(dir.resolve("rootfs/bin/hello"), "#!/bin/sh\necho hello\n");
        Path aci = tmp.resolve("hello.aci");
        CommitBuildTest.sh("tar --owner=0 --group=0 -C " + dir + " -cf - manifest rootfs"
                + (compressor.equals("none") ? "" : " | " + compressor) + " > " + aci);
        return aci;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gzip", "bzip2", "xz", "none"})
    void importsAnAciUnderItsNameAndVersionWithItsAppAsTheConfig(String compressor) throws Exception {
        var outcome = jc.ok("import", "--insecure-policy", aci(MANIFEST, compressor).toString());

        assertTrue(outcome.out().startsWith("Imported example.org/aci:1.2 from an ACI: sha256:"), outcome.out());
        var image = new ImageStore(tmp.resolve("store")).inspect(ImageReference.parse("example.org/aci:1.2"));
        ImageConfig.Defaults d = image.defaults();
        assertEquals(List.of("/bin/hello", "--loud"), d.entrypoint());
        assertEquals(List.of(), d.cmd());
        assertEquals(List.of("GREETING=hi"), d.env());
        assertEquals("/srv", d.workingDir());
        assertEquals("1000:100", d.user());
        assertEquals(Set.of("5000/tcp", "53/udp"), Set.copyOf(d.exposedPorts()));
        assertEquals(Map.of("version", "1.2", "os", "linux"), d.labels());
        assertEquals(1, image.manifest().layers().size());
    }

    @Test
    void anAciThatIsNoImageManifestIsOneLine() throws Exception {
        var outcome = jc.run("import", aci(MANIFEST.replace("ImageManifest", "PodManifest"), "gzip").toString());

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().endsWith("hello.aci': manifest acKind is 'PodManifest', expected ImageManifest, "
                + "refusing."), outcome.err());
    }

    @Test
    void runOfAnUnsignedAciWithNoKeyTrustedForItsNameRefusesItAsARegistryImage() throws Exception {
        Path aci = aci(MANIFEST, "gzip");

        var outcome = jc.run("run", "--rm", aci.toString());

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Refusing ACI '" + aci + "' (named 'example.org/aci:1.2'): no key is trusted for its "
                + "name (built-in policy: transports.docker[\"\"] rejects images without a trusted key); trust its "
                + "publisher's key with 'jcontainer trust --prefix=example.org/aci KEYFILE'.", outcome.errLine());
        assertEquals("[]\n", jc.ok("images", "--json").out().replaceAll("\\s", "") + "\n", "nothing imported");
    }

    @Test
    void runOfAnOciArchiveFollowsThePolicyOfItsTransport() throws Exception {
        jc.ok("import", "--insecure-policy", aci(MANIFEST, "gzip").toString());
        Path archive = tmp.resolve("aci.oci.tar");
        jc.ok("export", "example.org/aci:1.2", archive.toString());
        jc.ok("rmi", "example.org/aci:1.2");
        Files.writeString(tmp.resolve("policy.json"), """
                {"default": [{"type": "insecureAcceptAnything"}],
                 "transports": {"oci-archive": {"": [{"type": "reject"}]}}}
                """);

        var outcome = jc.run("run", "--rm", archive.toString());

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().startsWith("jcontainer: Refusing to import '" + archive + "': "), outcome.err());
        assertTrue(outcome.errLine().endsWith(" rejects it."), outcome.err());
        assertEquals("[]\n", jc.ok("images", "--json").out().replaceAll("\\s", "") + "\n", "nothing imported");
    }

    @Test
    void runRefusesAnInsecureOptionItDoesNotKnow() throws Exception {
        var outcome = jc.run("run", "--insecure-options=http", aci(MANIFEST, "gzip").toString());

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Unsupported --insecure-options 'http': only 'image' is.", outcome.errLine());
    }
}
