package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.TestSupport;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a pull and of an import while they write: a child JVM (this class's {@link #main}) pulls through a
 * throttled {@link TestProxy}, or imports a rootfs tarball of many files, and is sent SIGKILL once it is
 * writing. Afterwards nothing partial is visible (no blob, no ChainID layer, no ref), the next pull or import in
 * this JVM succeeds (the pull resuming the killed one's partial blob), and every blob matches its digest.
 */
class KillNineTest {
    @TempDir
    static Path shared;
    static LocalRegistry registry;
    static TestProxy proxy;
    static Digest big;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() throws Exception {
        Path layout = TestImages.busyboxLayout(shared);
        registry = LocalRegistry.start(shared.resolve("registry"));
        registry.push(layout, "t", "bb:1", null);
        proxy = new TestProxy(registry.port);
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            Path largest = blobs.max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            big = Digest.parse("sha256:" + largest.getFileName());
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** The child: {@code pull ROOT REF} or {@code import ROOT REF TARBALL}. */
    public static void main(String[] args) throws Exception {
        ImageStore store = new ImageStore(Path.of(args[1]));
        ImageReference ref = ImageReference.parse(args[2]);
        if (args[0].equals("pull")) {
            ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build().pull(ref);
        } else {
            store.importRootfsTarball(Path.of(args[3]), ref);
        }
        System.exit(0);
    }

    private static Process child(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KillNineTest.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits until {@code writing} holds for the store, then kills the child with SIGKILL; fails if it ended first. */
    private static void killWhen(Process child, Predicate<Path> writing, Path root) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!writing.test(root)) {
            if (!child.isAlive()) {
                fail("the child ended (exit " + child.exitValue() + ") before it was caught writing");
            }
            if (System.nanoTime() > deadline) {
                child.destroyForcibly();
                fail("the child was not seen writing within 60 s");
            }
            Thread.sleep(5);
        }
        child.destroyForcibly(); // SIGKILL on Linux
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
    }

    private static boolean anyFile(Path dir, Predicate<Path> p) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(f -> Files.isRegularFile(f) && p.test(f));
        } catch (Exception e) {
            return false;
        }
    }

    /** What a reader of the store sees: blobs, ChainID-named layers, refs (staging under tmp/ and layers/tmp-* aside). */
    private static List<String> visible(Path root) throws Exception {
        return TestSupport.storeSnapshot(root).stream().filter(p -> !p.matches("layers/tmp-.*")).toList();
    }

    /** Every blob file hashes to its name, and every ref's image loads with all its blobs (what verify checks). */
    private static void assertConsistent(ImageStore store) throws Exception {
        for (Digest d : store.blobs().list()) {
            try (InputStream in = Files.newInputStream(store.blobs().path(d))) {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
                assertEquals(d.hex(), java.util.HexFormat.of().formatHex(md.digest()), "blob " + d);
            }
        }
        for (var s : store.list()) {
            Image i = store.inspect(s.reference());
            assertTrue(store.blobs().contains(i.manifest().config().digest()));
            i.manifest().layers().forEach(l -> assertTrue(store.blobs().contains(l.digest()), "layer " + l.digest()));
        }
    }

    @Test
    void killedPullLeavesNothingVisibleAndTheNextPullResumes() throws Exception {
        Path root = tmp.resolve("store");
        List<String> empty = visible(new ImageStore(root).root());
        proxy.reset();
        proxy.throttle = 100_000; // bytes per second: the busybox layer takes some seconds
        String name = proxy.host() + "/bb:1";
        Process child = child("pull", root.toString(), name);
        Path partial = io.jcontainer.image.internal.registry.BlobPull.partialFile(root.resolve("tmp"), big);
        killWhen(child, r -> {
            try {
                return Files.size(partial) > 0;
            } catch (Exception e) {
                return false;
            }
        }, root);

        assertEquals(empty, visible(root), "no blob, layer or ref of the killed pull is visible");
        long had = Files.size(partial);

        proxy.reset();
        ImageStore store = new ImageStore(root);
        Image image = ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build().pull(ImageReference.parse(name));
        assertEquals(registry.manifestDigest("bb:1"), image.manifestDigest());
        List<TestProxy.Request> bigGets = proxy.blobGets().stream().filter(r -> r.path().endsWith(big.toString())).toList();
        assertEquals(1, bigGets.size(), bigGets.toString());
        long resumedAt = Long.parseLong(bigGets.get(0).range().replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= had, "resumed at " + resumedAt + " with " + had + " bytes kept");
        assertConsistent(store);
        assertTrue(store.gc(Set.of()).removedBlobs().isEmpty(), "gc finds nothing of the image to remove");
        assertConsistent(store);
    }

    @Test
    void killedImportLeavesNothingVisibleAndTheNextImportSucceeds() throws Exception {
        TestSupport.requireRoot();
        Path files = Files.createDirectories(tmp.resolve("rootfs/many"));
        TestSupport.script(files, "seq 1 10000 | xargs touch && head -c 8000000 /dev/urandom > ../blob");
        Path tarball = tmp.resolve("rootfs.tar");
        TestSupport.sh(tmp, "tar", "-C", tmp.resolve("rootfs").toString(), "--numeric-owner", "-cf", tarball.toString(), ".");
        Path root = tmp.resolve("store");
        List<String> empty = visible(new ImageStore(root).root());

        Process child = child("import", root.toString(), "example.org/many:1", tarball.toString());
        // caught while it unpacks: the layer's temporary directory has files in it
        killWhen(child, r -> anyFile(r.resolve("layers"), f -> true), root);

        assertEquals(empty, visible(root), "no blob, layer or ref of the killed import is visible");
        ImageStore store = new ImageStore(root);
        Image image = store.importRootfsTarball(tarball, ImageReference.parse("example.org/many:1"));
        assertEquals(1, image.manifest().layers().size());
        assertTrue(Files.exists(store.layerDir(image.chainIds().get(0)).resolve("many/10000")));
        assertConsistent(store);
        store.gc(Set.of());
        assertEquals(List.of(), TestSupport.storeSnapshot(root).stream().filter(p -> p.startsWith("layers/tmp-")).toList(),
                "gc removes what the killed import left under layers/");
        assertConsistent(store);
    }
}
