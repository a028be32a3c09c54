package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store on a full disk (a small tmpfs): one clear line, and the store as it was. */
@Tag("root")
class FullDiskTest {
    @TempDir
    Path tmp;
    Path small;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        TestSupport.requireRoot();
        small = tmp.resolve("small");
        Files.createDirectories(small);
        TestSupport.sh("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", small.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        if (small != null && TestSupport.isRoot()) {
            // lazily: the store keeps its lock file open for the life of the object
            TestSupport.sh("umount", "-l", small.toString());
        }
    }

    @Test
    void importThatDoesNotFitFailsCleanly() throws Exception {
        Path rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs);
        byte[] noise = new byte[2 * 1024 * 1024]; // incompressible, four times the disk
        new Random(42).nextBytes(noise);
        Files.write(rootfs.resolve("big"), noise);
        Files.writeString(rootfs.resolve("small"), "fits\n");

        ImageStore store = new ImageStore(small.resolve("store"));
        List<String> before = TestSupport.storeSnapshot(store.root());
        ImageStoreException e = assertThrows(ImageStoreException.class,
                () -> store.importDirectory(rootfs, ImageReference.parse("big:1")));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals(before, TestSupport.storeSnapshot(store.root()), "blobs, layers and refs as before");
        Path tmpDir = store.root().resolve("tmp");
        if (Files.isDirectory(tmpDir)) {
            try (var s = Files.list(tmpDir)) {
                assertEquals(List.of(), s.toList(), "no partial file left in tmp/");
            }
        }
        assertThrows(ImageStoreException.class, () -> store.inspect(ImageReference.parse("big:1")));
    }

    /** Issue 16: a store root of 8 MB that holds the 5 MB blob but not its unpacked copy as well. */
    @Test
    void anUnpackThatDoesNotFitNamesTheEntryAndLeavesNoPartialLayer() throws Exception {
        Path eight = tmp.resolve("eight");
        Files.createDirectories(eight);
        TestSupport.sh("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", eight.toString());
        try {
            Path rootfs = tmp.resolve("rootfs5");
            Files.createDirectories(rootfs.resolve("opt"));
            byte[] noise = new byte[5 * 1024 * 1024];
            new Random(16).nextBytes(noise);
            Files.write(rootfs.resolve("opt/noise"), noise);
            Path tar = tmp.resolve("rootfs5.tar");
            TestSupport.sh("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "opt");

            ImageStore store = new ImageStore(eight.resolve("store"));
            List<String> before = TestSupport.storeSnapshot(store.root());
            ImageStoreException e = assertThrows(ImageStoreException.class,
                    () -> store.importRootfsTarball(tar, ImageReference.parse("big:5")));

            System.out.println("8 MB store: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("layer entry 'opt/noise'") && e.getMessage().contains("No space left on device"),
                    e.getMessage());
            assertEquals(before, TestSupport.storeSnapshot(store.root()), "no layers/tmp-*, no blob, no ref");
            try (var s = Files.list(store.root().resolve("tmp"))) {
                assertEquals(List.of(), s.toList(), "no partial file left in tmp/");
            }
        } finally {
            TestSupport.sh("umount", "-l", eight.toString());
        }
    }
}
