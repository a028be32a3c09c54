package io.jcontainer.image;

import static io.jcontainer.image.TestSupport.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and broken input: each a one-line error, and blobs/, layers/ and refs/ exactly as before. */
@Tag("root")
class HostileImportTest {
    @TempDir
    Path tmp;
    ImageStore store;
    List<String> before;

    @BeforeEach
    void storeWithOneImage() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("umoci");
        store = new ImageStore(tmp.resolve("store"));
        script(tmp, "mkdir -p ok/etc && echo ok > ok/etc/ok && tar -C ok -cf ok.tar .");
        store.importRootfsTarball(tmp.resolve("ok.tar"), ImageReference.parse("example.org/ok:1"));
        before = TestSupport.storeSnapshot(store.root());
    }

    private ImageStoreException refused(ThrowingImport action) throws Exception {
        ImageStoreException e = assertThrows(ImageStoreException.class, action::run);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(before, TestSupport.storeSnapshot(store.root()), "store changed after: " + e.getMessage());
        try (var s = Files.list(store.root().resolve("tmp"))) {
            assertEquals(0, s.count(), "staging left behind");
        }
        return e;
    }

    interface ThrowingImport {
        void run() throws Exception;
    }

    private ImageReference name() throws ImageStoreException {
        return ImageReference.parse("example.org/bad:1");
    }

    /** A docker save manifest.json listing null (found while fuzzing: a NullPointerException before). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"[null]", "[{\"Config\":\"c.json\",\"RepoTags\":[null],\"Layers\":[]}]"})
    void dockerArchiveListingNull(String manifestJson) throws Exception {
        script(tmp, "mkdir -p arc && printf '%s' '" + manifestJson + "' > arc/manifest.json && echo '{}' > arc/c.json"
                + " && tar -C arc -cf arc.tar .");
        ImageStoreException e = refused(() -> store.importDockerArchive(tmp.resolve("arc.tar"), null));
        assertTrue(e.getMessage().endsWith("manifest.json' lists a null image or tag, refusing."), e.getMessage());
    }

    @Test
    void pathTraversalTarball() throws Exception {
        Path tar = HostileTars.single(tmp.resolve("t.tar"), "x/../../etc", "pwned");
        ImageStoreException e = refused(() -> store.importRootfsTarball(tar, name()));
        assertTrue(e.getMessage().endsWith("malicious layer entry 'x/../../etc', refusing."), e.getMessage());
    }

    @Test
    void symlinkEscapeTarball() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path tar = HostileTars.symlinkEscape(tmp.resolve("s.tar"), outside.toString());
        ImageStoreException e = refused(() -> store.importRootfsTarball(tar, name()));
        assertTrue(e.getMessage().endsWith("malicious layer entry 'escape/pwned', refusing."), e.getMessage());
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void hardlinkEscapeTarball() throws Exception {
        Path tar = HostileTars.hardlinkEscape(tmp.resolve("h.tar"), "../../etc/passwd");
        ImageStoreException e = refused(() -> store.importRootfsTarball(tar, name()));
        assertTrue(e.getMessage().endsWith("malicious layer entry '../../etc/passwd', refusing."), e.getMessage());
    }

    @Test
    void truncatedGzipTarball() throws Exception {
        script(tmp, "mkdir big; head -c 300000 /dev/urandom > big/f; tar -C big -czf full.tgz .; head -c 100000 full.tgz > cut.tgz");
        ImageStoreException e = refused(() -> store.importRootfsTarball(tmp.resolve("cut.tgz"), name()));
        assertTrue(e.getMessage().contains("Truncated or corrupt gzip"), e.getMessage());
    }

    /** An OCI layout whose one layer blob and manifest are edited after the fact. */
    private Path layout() throws Exception {
        script(tmp, """
                umoci init --layout img && umoci new --image img:t
                mkdir -p l1/etc && echo one > l1/etc/one && tar -C l1 -cf l1.tar . && umoci raw add-layer --image img:t l1.tar
                """);
        return tmp.resolve("img");
    }

    private Path manifestFile(Path img) throws Exception {
        String index = Files.readString(img.resolve("index.json"));
        String digest = index.replaceAll(".*\"digest\":\"sha256:([0-9a-f]{64})\".*", "$1");
        return img.resolve("blobs/sha256/" + digest.strip());
    }

    private Path layerBlob(Path img) throws Exception {
        String manifest = Files.readString(manifestFile(img));
        String layers = manifest.substring(manifest.indexOf("\"layers\""));
        String digest = layers.replaceAll("(?s).*?\"digest\":\"sha256:([0-9a-f]{64})\".*", "$1");
        return img.resolve("blobs/sha256/" + digest.strip());
    }

    @Test
    void tamperedBlobInLayout() throws Exception {
        Path img = layout();
        Path blob = layerBlob(img);
        byte[] b = Files.readAllBytes(blob);
        b[b.length / 2] ^= 1;
        Files.write(blob, b);
        ImageStoreException e = refused(() -> store.importOciLayout(img, name()));
        assertTrue(e.getMessage().startsWith("Digest mismatch: expected sha256:"), e.getMessage());
    }

    @Test
    void unknownLayerMediaType() throws Exception {
        Path img = layout();
        rewriteManifest(img, "application/vnd.oci.image.layer.v1.tar+gzip", "application/x-evil");
        ImageStoreException e = refused(() -> store.importOciLayout(img, name()));
        assertTrue(e.getMessage().startsWith("Unsupported layer media type 'application/x-evil' in sha256:"), e.getMessage());
    }

    @Test
    void manifestThatLiesAboutALayerSize() throws Exception {
        Path img = layout();
        long size = Files.size(layerBlob(img));
        rewriteManifest(img, "\"size\":" + size + "}", "\"size\":" + (size - 10) + "}");
        ImageStoreException e = refused(() -> store.importOciLayout(img, name()));
        assertTrue(e.getMessage().contains("larger than the " + (size - 10) + " bytes its descriptor says"), e.getMessage());
    }

    /** Edits the manifest and re-points index.json at the edited blob (so only the edit is wrong). */
    private void rewriteManifest(Path img, String from, String to) throws Exception {
        Path old = manifestFile(img);
        String oldText = Files.readString(old);
        assertTrue(oldText.contains(from), oldText);
        byte[] edited = oldText.replace(from, to).getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(edited);
        Files.write(img.resolve("blobs/sha256/" + d.hex()), edited);
        String oldDigest = old.getFileName().toString();
        String index = Files.readString(img.resolve("index.json"))
                .replace(oldDigest, d.hex()).replaceAll("\"size\":\\d+", "\"size\":" + edited.length);
        Files.writeString(img.resolve("index.json"), index);
    }
}
