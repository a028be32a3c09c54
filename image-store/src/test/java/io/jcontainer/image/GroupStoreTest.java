package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.internal.store.FsUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store laid out for group jcontainer (blobs/ and refs/ group-writable, as packaging/systemd/tmpfiles.conf makes
 * them): root, unpacking a layer at a container's start, must not unpack a blob a member rewrote, nor follow a
 * symlink or open a FIFO a member planted. Members are played by root here (writing the files a member could);
 * cli's GroupPullTest runs a real member.
 */
@Tag("root")
class GroupStoreTest {
    @TempDir
    Path tmp;
    Path root;
    ImageStore store;
    Image image;
    Path layerBlob;

    @BeforeEach
    void sharedStoreWithAnImageWhoseLayerIsNotUnpacked() throws Exception {
        TestSupport.requireRoot();
        root = tmp.resolve("store");
        store = new ImageStore(root);
        for (String d : List.of("blobs", "blobs/sha256", "refs", "verified", "tmp")) {
            Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxrwxr-x"));
        }
        Path dir = tmp.resolve("rootfs");
        TestSupport.writeFile(dir.resolve("etc/greeting"), "hello from the group\n");
        image = store.importDirectory(dir, ImageReference.parse("example.org/grp:1"));
        // As a member's import leaves it: blobs and ref, no unpacked layer.
        for (Path l : store.lowerDirs(image)) {
            FsUtil.deleteRecursively(l);
        }
        layerBlob = store.blobs().path(image.manifest().layers().get(0).digest());
    }

    @Test
    void anIntactBlobIsUnpackedFromAVerifiedCopyThatIsThenRemoved() throws Exception {
        assertTrue(store.blobs().writableByOthers());
        List<Path> lowers = store.lowerDirs(image);

        assertEquals("hello from the group\n", Files.readString(lowers.get(0).resolve("etc/greeting")));
        assertEquals(List.of(lowers.get(0).getFileName().toString()), layersEntries(), "no tmp-blob-* copy left");
    }

    @Test
    void aRewrittenBlobIsRefusedBeforeAnythingIsUnpacked() throws Exception {
        byte[] b = Files.readAllBytes(layerBlob);
        String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("hello from the group");
        assertTrue(at > 0, "the layer is an uncompressed tar");
        b[at] = 'J'; // same size, other content: a member rewriting the blob it stored
        Files.write(layerBlob, b);

        ImageStoreException e = assertThrows(ImageStoreException.class, () -> store.lowerDirs(image));

        assertTrue(e.getMessage().contains("is corrupt") && e.getMessage().contains(layerBlob.getFileName().toString()),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(List.of(), layersEntries(), "nothing unpacked, no copy left");
    }

    @Test
    void rootImportingAnArchiveReplacesARewrittenBlobWithItsVerifiedCopy() throws Exception {
        Path archive = tmp.resolve("grp.tar");
        store.export(ImageReference.parse("example.org/grp:1"), archive);
        byte[] intact = Files.readAllBytes(layerBlob);
        byte[] b = intact.clone();
        b[new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("hello from the group")] = 'J';
        Files.write(layerBlob, b); // the store's copy rewritten; the archive's is intact, same digest

        Image again = store.importOciLayout(archive, ImageReference.parse("example.org/grp:2"));

        assertTrue(java.util.Arrays.equals(intact, Files.readAllBytes(layerBlob)), "the blob is the verified one again");
        assertEquals("hello from the group\n", Files.readString(store.lowerDirs(again).get(0).resolve("etc/greeting")));
    }

    @Test
    void aSymlinkPlantedInBlobsIsNotFollowed() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "root's\n");
        Files.delete(layerBlob);
        Files.createSymbolicLink(layerBlob, secret);

        ImageStoreException e = assertThrows(ImageStoreException.class, () -> store.lowerDirs(image));

        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertEquals(List.of(), layersEntries());
    }

    @Test
    void aFifoInPlaceOfAManifestIsRefusedWithoutWaiting() throws Exception {
        Path manifest = store.blobs().path(image.manifestDigest());
        Files.delete(manifest);
        TestSupport.sh("mkfifo", manifest.toString());

        ImageStoreException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ImageStoreException.class, () -> store.inspect(ImageReference.parse("example.org/grp:1"))));

        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void gcRemovesAMembersScratchTreeButNotWhatItsSymlinksPointTo() throws Exception {
        Path precious = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(precious.resolve("file"), "root's\n");
        Path scratch = Files.createDirectories(root.resolve("tmp/user-4242/pull-x"));
        Files.createSymbolicLink(scratch.resolve("blobs"), precious);
        Files.createSymbolicLink(root.resolve("tmp/user-4243"), precious);

        store.gc(java.util.Set.of());

        assertTrue(Files.exists(precious.resolve("file")), "the symlinks' target is untouched");
        try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
            assertEquals(List.of(), s.toList());
        }
    }

    private List<String> layersEntries() throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("layers"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
