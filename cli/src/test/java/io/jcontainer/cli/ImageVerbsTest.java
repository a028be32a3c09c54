package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image verbs run in-process against a store in a temporary directory, on images this test writes
 * itself (regular files only, so no root is needed to unpack them).
 */
class ImageVerbsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Jcontainer jc;
    byte[] layer;

    @BeforeEach
    void setUp() throws Exception {
        jc = new Jcontainer(tmp);
        layer = TestImages.layer(Map.of("etc/hostname", "test\n", "bin/hello", "#!/bin/sh\necho hello\n"));
    }

    private Path dockerArchive() throws Exception {
        return TestImages.dockerArchive(tmp.resolve("da.tar"), layer, "/bin/hello", "example.org/da:1");
    }

    private Path ociLayout() throws Exception {
        return TestImages.ociLayoutDirectory(tmp.resolve("oci"), layer, "/bin/hello", "t");
    }

    private void containerFile(String name, String image) throws Exception {
        Path file = tmp.resolve("etc").resolve(name + ".container");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# a test container\n[Container]\nImage=" + image + "\n");
    }

    private JsonNode imagesJson() throws Exception {
        return JSON.readTree(jc.ok("images", "--json").out());
    }

    private List<String> references() throws Exception {
        List<String> out = new ArrayList<>();
        imagesJson().forEach(n -> out.add(n.get("reference").asText()));
        return out;
    }

    @Test
    void importsDockerArchiveUnderItsOwnName() throws Exception {
        var outcome = jc.ok("import", dockerArchive().toString());

        assertTrue(outcome.out().startsWith("Imported example.org/da:1 from a docker save archive: sha256:"), outcome.out());
        assertEquals(List.of("example.org/da:1"), references());
    }

    @Test
    void importsOciLayoutDirectoryAndTarWithTheSameDigest() throws Exception {
        jc.ok("import", "--name", "example.org/oci:t", ociLayout().toString());
        var tar = jc.ok("import", "--name", "example.org/ocitar:t",
                TestImages.ociLayoutTar(tmp.resolve("oci.tar"), layer, "/bin/hello", "t").toString());

        assertTrue(tar.out().contains("from an OCI layout archive"), tar.out());
        JsonNode images = imagesJson();
        assertEquals(2, images.size());
        String expected = TestImages.manifestDigest(layer, "/bin/hello");
        images.forEach(n -> assertEquals(expected, n.get("digest").asText()));
    }

    @Test
    void importsDirectoryAndRootfsTarballWithName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(dir.resolve("motd"), "hi\n");
        TestImages.write(tmp.resolve("rootfs.tar"), layer);

        assertTrue(jc.ok("import", "--name", "example.org/dir:1", tmp.resolve("tree").toString()).out()
                .contains("from a directory"));
        assertTrue(jc.ok("import", "--name", "example.org/rootfs:1", tmp.resolve("rootfs.tar").toString()).out()
                .contains("from a root file system tarball"));
        assertEquals(List.of("example.org/dir:1", "example.org/rootfs:1"), references());
    }

    @Test
    void imagesTableShowsShortIdAndSize() throws Exception {
        jc.ok("import", dockerArchive().toString());
        String digest = imagesJson().get(0).get("digest").asText();

        List<String> lines = jc.ok("images").out().lines().toList();

        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), lines.get(0));
        String[] row = lines.get(1).split(" {3,}");
        assertEquals("example.org/da", row[0]);
        assertEquals("1", row[1]);
        assertEquals(digest.substring("sha256:".length(), "sha256:".length() + 12), row[2]);
        assertTrue(row[3].endsWith(" ago"), row[3]);
        assertTrue(row[4].matches("[0-9.]+k?B"), row[4]);
    }

    @Test
    void inspectShowsDefaultsAndJsonHasStoredManifestAndConfig() throws Exception {
        jc.ok("import", dockerArchive().toString());

        String human = jc.ok("inspect", "example.org/da:1").out();
        JsonNode json = JSON.readTree(jc.ok("inspect", "--json", "example.org/da:1").out());

        assertTrue(human.contains("Name: example.org/da:1"), human);
        assertTrue(human.contains("Cmd: /bin/hello"), human);
        assertTrue(human.contains("Platform: linux/amd64"), human);
        assertEquals("example.org/da:1", json.get("reference").asText());
        assertEquals(2, json.get("manifest").get("schemaVersion").asInt());
        assertEquals("/bin/hello", json.get("config").get("config").get("Cmd").get(0).asText());
        // by ID as well as by name
        String id = json.get("id").asText();
        assertTrue(jc.ok("inspect", id).out().contains("Name: example.org/da:1"));
    }

    @Test
    void tagAddsANameToTheSameImage() throws Exception {
        jc.ok("import", dockerArchive().toString());

        jc.ok("tag", "example.org/da:1", "example.org/da:stable");

        JsonNode images = imagesJson();
        assertEquals(2, images.size());
        assertEquals(images.get(0).get("digest"), images.get(1).get("digest"));
    }

    @Test
    void rmiRefusesAnImageAContainerFileUsesAndNamesTheFile() throws Exception {
        jc.ok("import", dockerArchive().toString());
        containerFile("web", "example.org/da:1");

        var refused = jc.run("rmi", "example.org/da:1");

        assertEquals(125, refused.status());
        assertTrue(refused.errLine().startsWith("jcontainer: Image 'example.org/da:1' is used by container file '"
                + tmp.resolve("etc/web.container") + "' (Image= on line 3)"), refused.err());
        assertEquals(List.of("example.org/da:1"), references());
    }

    @Test
    void rmiRefusesTheLastNameOfAnImageUsedByAnotherName() throws Exception {
        jc.ok("import", dockerArchive().toString());
        jc.ok("tag", "example.org/da:1", "example.org/da:copy");
        containerFile("web", "example.org/da:1");

        jc.ok("rmi", "example.org/da:copy"); // a second name goes freely
        assertEquals(125, jc.run("rmi", imagesJson().get(0).get("id").asText()).status());
    }

    @Test
    void rmiForceRemovesAnImageInUse() throws Exception {
        jc.ok("import", dockerArchive().toString());
        containerFile("web", "example.org/da:1");

        var forced = jc.ok("rmi", "-f", "example.org/da:1");

        assertEquals("Untagged: example.org/da:1", forced.out().strip());
        assertEquals(List.of(), references());
    }

    @Test
    void gcRemovesOnlyWhatNoNameAndNoContainerFileReaches() throws Exception {
        jc.ok("import", dockerArchive().toString());
        jc.ok("import", "--name", "example.org/oci:t", ociLayout().toString());
        byte[] other = TestImages.layer(Map.of("other", "x\n"));
        jc.ok("import", TestImages.dockerArchive(tmp.resolve("other.tar"), other, "/other", "example.org/other:1").toString());
        String kept = TestImages.manifestDigest(layer, "/bin/hello");
        // a container file pins the OCI image by digest; its name goes
        containerFile("pinned", "example.org/oci@" + kept);
        jc.ok("rmi", "-f", "example.org/oci:t");
        jc.ok("rmi", "example.org/other:1");

        var gc = jc.ok("gc");

        // the other image's manifest, config and layer go; its layer blob is the only unreferenced layer
        assertEquals(3, gc.out().lines().filter(l -> l.startsWith("Deleted blob: ")).count(), gc.out());
        assertEquals(1, gc.out().lines().filter(l -> l.startsWith("Deleted layer: ")).count(), gc.out());
        assertTrue(gc.out().contains("Deleted blob: sha256:" + TestImages.sha256(other)), gc.out());
        assertFalse(gc.out().contains(kept), gc.out());
        // the pinned image is still whole: it exports
        jc.ok("export", "example.org/oci@" + kept, tmp.resolve("pinned.tar").toString());
        assertEquals("Deleted 0 blobs and 0 unpacked layers; reclaimed 0B of blobs", jc.ok("gc").out().strip());
    }

    @Test
    void exportThenImportGivesTheSameDigest() throws Exception {
        jc.ok("import", dockerArchive().toString());
        String digest = imagesJson().get(0).get("digest").asText();
        Path out = tmp.resolve("export.tar");

        jc.ok("export", "example.org/da:1", out.toString());
        Jcontainer other = new Jcontainer(tmp.resolve("second"));
        var again = other.ok("import", "--name", "example.org/again:1", out.toString());

        assertTrue(again.out().contains("from an OCI layout archive"), again.out());
        assertTrue(again.out().strip().endsWith(digest), again.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing source     | import MISSING                  | jcontainer: 'TMP/missing.tar' does not exist.",
        "rootfs without name| import ROOTFS                   | jcontainer: 'TMP/rootfs.tar' is a root file system tarball that names no image: give one with --name, refusing.",
        "dir without name   | import TMP                      | jcontainer: 'TMP' is a directory that names no image: give one with --name, refusing.",
        "not a tar          | import --name x/y:1 GARBAGE     | jcontainer: 'TMP/garbage' is neither a directory nor a tar archive",
        "unknown image      | inspect example.org/nope:1      | jcontainer: No such image 'example.org/nope:1'.",
        "unknown for rmi    | rmi nope                        | jcontainer: No such image 'nope'.",
        "unknown for tag    | tag nope example.org/x:1        | jcontainer: No such image 'nope'.",
        "unknown for export | export nope TMP/x.tar           | jcontainer: No such image 'nope'.",
        "bad name           | import --name Bad:Name ROOTFS   | jcontainer: Invalid repository",
        "missing argument   | export                          | jcontainer: Missing required parameters: 'IMAGE', 'FILE'",
    })
    void badInputGives125AndOneLine(String name, String args, String expectedStart) throws Exception {
        TestImages.write(tmp.resolve("rootfs.tar"), layer);
        Files.writeString(tmp.resolve("garbage"), "this is not a tar archive, not even close".repeat(20));
        String t = tmp.toString();

        var outcome = jc.run(Stream.of(args.split(" +")).map(a -> a.replace("MISSING", t + "/missing.tar")
                .replace("ROOTFS", t + "/rootfs.tar").replace("GARBAGE", t + "/garbage").replace("TMP", t))
                .toArray(String[]::new));

        assertEquals(125, outcome.status(), outcome.err());
        assertTrue(outcome.errLine().startsWith(expectedStart.replace("TMP", t)), outcome.err());
        assertEquals("", outcome.out());
    }
}
