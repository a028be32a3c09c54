package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer system check [--repair]} on a real store (an imported image), with damage injected as a killed
 * command or a bad disk leaves it: half-written entries are found and repaired, a corrupt blob an image needs is
 * found and kept, a ref naming a missing manifest is found and kept.
 */
class SystemCheckTest {
    @TempDir
    Path tmp;
    Jcontainer jc;
    Path store;
    String manifestHex;

    @BeforeEach
    void importAnImage() throws Exception {
        jc = new Jcontainer(tmp);
        store = tmp.resolve("store");
        byte[] layer = TestImages.layer(Map.of("etc/hostname", "test\n", "bin/hello", "#!/bin/sh\necho hello\n"));
        jc.ok("import", TestImages.dockerArchive(tmp.resolve("da.tar"), layer, "/bin/hello", "example.org/da:1").toString());
        try (var refs = Files.list(store.resolve("refs"))) {
            manifestHex = Files.readString(refs.findFirst().orElseThrow()).strip().substring("sha256:".length());
        }
    }

    @Test
    void aConsistentStoreChecksClean() {
        var r = jc.run("system", "check");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().matches("(?s)Checked 1 refs, 3 blobs and \\d unpacked layers: 0 problems\\.\n"), r.out());
    }

    @Test
    void halfWrittenEntriesAreReportedThenRemovedByRepair() throws Exception {
        Files.writeString(store.resolve("refs/.tmp-1234"), "sha256:");
        Files.createDirectories(store.resolve("layers/tmp-5678/etc"));
        Files.writeString(store.resolve("blobs/sha256/partial.download"), "half");
        Files.createDirectories(store.resolve("tmp/import-1/blobs"));

        var check = jc.run("system", "check");
        assertEquals(SystemCheckCommand.INCONSISTENT, check.status(), check.out() + check.err());
        assertTrue(check.out().contains("refs/.tmp-1234' is a ref's temp file"), check.out());
        assertTrue(check.out().contains("layers/tmp-5678' is a layer left half unpacked"), check.out());
        assertTrue(check.out().contains("blobs/sha256/partial.download' is no blob"), check.out());

        var repair = jc.run("system", "check", "--repair");
        assertEquals(0, repair.status(), repair.out() + repair.err());
        assertTrue(repair.out().contains("4 repaired"), repair.out());
        assertFalse(Files.exists(store.resolve("refs/.tmp-1234")));
        assertFalse(Files.exists(store.resolve("layers/tmp-5678")));
        assertFalse(Files.exists(store.resolve("blobs/sha256/partial.download")));
        try (var s = Files.list(store.resolve("tmp"))) {
            assertEquals(0, s.count());
        }
        assertEquals(0, jc.run("system", "check").status());
        jc.ok("inspect", "example.org/da:1");
    }

    @Test
    void aCorruptBlobAnImageNeedsIsReportedAndKeptByRepair() throws Exception {
        Path config = configBlob();
        byte[] bytes = Files.readAllBytes(config);
        bytes[bytes.length / 2] ^= 1; // a flipped bit on disk
        Files.write(config, bytes);

        var repair = jc.run("system", "check", "--repair");
        assertEquals(SystemCheckCommand.INCONSISTENT, repair.status(), repair.out() + repair.err());
        assertTrue(repair.out().contains("problem: "), repair.out());
        assertTrue(Files.exists(config), "repair deleted a blob the image needs");
        assertTrue(Files.exists(store.resolve("blobs/sha256/" + manifestHex)));
    }

    @Test
    void aCorruptBlobNoImageNeedsIsRemovedByRepair() throws Exception {
        byte[] content = "an orphan".getBytes(StandardCharsets.UTF_8);
        Path orphan = store.resolve("blobs/sha256/" + io.jcontainer.image.Digest.sha256(content).hex());
        Files.writeString(orphan, "another content");

        var check = jc.run("system", "check");
        assertEquals(SystemCheckCommand.INCONSISTENT, check.status());
        assertTrue(check.out().contains("is corrupt (its content has another digest); no image needs it"), check.out());
        var repair = jc.run("system", "check", "--repair");
        assertEquals(0, repair.status(), repair.out());
        assertFalse(Files.exists(orphan));
        jc.ok("inspect", "example.org/da:1");
    }

    @Test
    void aRefToAMissingManifestIsReportedAndKept() throws Exception {
        Files.delete(store.resolve("blobs/sha256/" + manifestHex));
        var repair = jc.run("system", "check", "--repair");
        assertEquals(SystemCheckCommand.INCONSISTENT, repair.status(), repair.out());
        assertTrue(repair.out().contains("problem: Image 'example.org/da:1': "), repair.out());
        try (var refs = Files.list(store.resolve("refs"))) {
            assertEquals(1, refs.count(), "repair removed a name");
        }
    }

    private Path configBlob() throws Exception {
        String manifest = Files.readString(store.resolve("blobs/sha256/" + manifestHex));
        int at = manifest.indexOf("\"config\"");
        int d = manifest.indexOf("sha256:", at) + "sha256:".length();
        return store.resolve("blobs/sha256/" + manifest.substring(d, d + 64));
    }
}
