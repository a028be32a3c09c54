package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.internal.store.StoreLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc's lock against starting containers (image-store/README.md, "The store lock"): gc asks which layers running
 * containers use only once it holds the store's lock exclusively, a start's shared lock waits for it only so long,
 * and removed layers are renamed aside under the lock and deleted after it. The cross-process case, with the real
 * jnspawn, is cli's GcRunningContainerTest.
 */
class GcLockTest {
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);

    @TempDir
    Path tmp;

    @Test
    void gcAsksForTheLayersInUseUnderItsExclusiveLock() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("store"));
        Path a = layer(store, A);
        Path b = layer(store, B);

        Throwable[] start = new Throwable[1];
        GcResult result = store.gc(Set.of(), () -> {
            // a start (another thread here, another process in life) cannot take the shared lock meanwhile
            try {
                start[0] = CompletableFuture.supplyAsync(() -> {
                    try (StoreLock.Held held = store.lockForStart(300)) {
                        return (Throwable) null;
                    } catch (ImageStoreException e) {
                        return e;
                    }
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return List.of(a);
        });

        assertTrue(start[0] instanceof ImageStoreException, "a start waits for gc only so long: " + start[0]);
        assertEquals("Timed out after 1 s waiting for '" + store.root().resolve("store.lock") + "': jcontainer gc holds it"
                + " exclusively (or another process does), refusing.", start[0].getMessage());
        try (StoreLock.Held held = store.lockForStart(300)) {
            // after gc, a start locks at once
        }
        assertEquals(List.of(new Digest(Digest.SHA256, B)), result.removedLayers());
        assertTrue(Files.isRegularFile(a.resolve("file")), "the layer in use stays");
        assertFalse(Files.exists(b), "the unused layer goes");
        try (var s = Files.list(store.root().resolve("layers"))) {
            assertEquals(List.of(a), s.toList(), "nothing renamed aside is left behind");
        }
    }

    @Test
    void gcLeavesWhatAnotherRunningGcIsDeletingAndRemovesWhatAKilledOneLeft() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("store"));
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor();
            Path deleting = store.root().resolve("layers/.gc-" + live.pid() + "-x");
            Path left = store.root().resolve("layers/.gc-" + dead.pid() + "-y");
            Files.createDirectories(deleting.resolve("sub"));
            Files.createDirectories(left.resolve("sub"));

            GcResult result = store.gc(Set.of(), List.of());

            assertEquals(List.of(), result.removedLayers());
            assertTrue(Files.isDirectory(deleting.resolve("sub")), "a running gc's renamed-aside layer is its own to delete");
            assertFalse(Files.exists(left), "a killed gc's leftover goes");
        } finally {
            live.destroyForcibly().waitFor();
        }
    }

    /** A store on a read-only file system without a lock file: nothing can delete from it, so a start needs no lock. */
    @Test
    @Tag("root")
    void aReadOnlyStoreWithoutALockFileLocksSharedAsANoOpAndRefusesGc() throws Exception {
        TestSupport.requireRoot();
        Path ro = tmp.resolve("ro");
        Files.createDirectories(ro);
        TestSupport.sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", ro.toString());
        try {
            Files.createDirectories(ro.resolve("store"));
            TestSupport.sh("mount", "-o", "remount,ro", ro.toString());
            StoreLock lock = StoreLock.forFile(ro.resolve("store/store.lock"));
            try (StoreLock.Held held = lock.shared(1000)) {
                assertFalse(Files.exists(ro.resolve("store/store.lock")));
            }
            ImageStoreException e = assertThrows(ImageStoreException.class, lock::exclusive);
            assertEquals("Failed to lock '" + ro.resolve("store/store.lock") + "': Read-only file system", e.getMessage());
        } finally {
            TestSupport.sh("umount", "-l", ro.toString());
        }
    }

    private static Path layer(ImageStore store, String hex) throws Exception {
        Path dir = store.layerDir(new Digest(Digest.SHA256, hex));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("file"), hex);
        Files.writeString(dir.resolve("sub/file"), hex);
        return dir;
    }
}
