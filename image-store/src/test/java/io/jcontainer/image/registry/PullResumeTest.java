package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.internal.registry.BlobPull;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted blob downloads: a connection the proxy resets mid-blob is resumed with {@code Range}, a registry
 * that ignores Range is read from 0, a partial file of an earlier (killed) pull is sent on from where it ends,
 * a bad partial is thrown away, and a network that keeps failing leaves the store as it was.
 */
class PullResumeTest {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    @TempDir
    static Path shared;
    static Path layout;
    static LocalRegistry registry;
    static TestProxy proxy;
    /** The busybox layer, the largest blob. */
    static Digest big;
    static long bigSize;

    @TempDir
    Path tmp;
    ImageStore store;
    ImageReference name;

    @BeforeAll
    static void startRegistry() throws Exception {
        layout = TestImages.busyboxLayout(shared);
        registry = LocalRegistry.start(shared.resolve("registry"));
        registry.push(layout, "t", "bb:1", null);
        proxy = new TestProxy(registry.port);
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            Path largest = blobs.max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            big = Digest.parse("sha256:" + largest.getFileName());
            bigSize = Files.size(largest);
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

    @BeforeEach
    void reset() throws Exception {
        store = new ImageStore(tmp.resolve("store"));
        name = ImageReference.parse(proxy.host() + "/bb:1");
        proxy.reset();
    }

    private ImagePuller puller() {
        return ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build();
    }

    private List<TestProxy.Request> bigGets() {
        return proxy.blobGets().stream().filter(r -> r.path().endsWith(big.toString())).toList();
    }

    private static long rangeStart(TestProxy.Request r) {
        Matcher m = RANGE.matcher(r.range() == null ? "" : r.range());
        assertTrue(m.matches(), "no Range in " + r);
        return Long.parseLong(m.group(1));
    }

    private Path partial() {
        return BlobPull.partialFile(store.root().resolve("tmp"), big);
    }

    @Test
    void stalledBodyFailsAfterTheReadTimeoutAndTheNextPullResumes() throws Exception {
        proxy.stallPath = big.hex();
        proxy.stallAfter = bigSize / 3;
        List<String> before = RegistryTestSupport.storeSnapshot(store.root());
        ImagePuller stalling = ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                .readTimeout(java.time.Duration.ofMillis(500)).build();
        long t0 = System.nanoTime();
        RegistryException e = assertThrows(RegistryException.class, () -> stalling.pull(name));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

        assertTrue(e.getMessage().startsWith("Failed to pull blob " + big), e.getMessage());
        assertTrue(e.getMessage().contains("no data for 0.5 s (read timeout) after"), e.getMessage());
        assertTrue(e.getMessage().contains("(after " + BlobPull.MAX_ATTEMPTS + " attempts)"), e.getMessage());
        assertTrue(seconds < 30, "gave up after " + seconds + " s");
        assertEquals(before, RegistryTestSupport.storeSnapshot(store.root()), "nothing visible in the store");
        assertEquals(bigSize / 3, Files.size(partial()), "the bytes that came are kept");

        proxy.reset();
        Image image = puller().pull(name);
        assertEquals(registry.manifestDigest("bb:1"), image.manifestDigest());
        List<TestProxy.Request> gets = bigGets();
        assertEquals(1, gets.size(), gets.toString());
        assertEquals(bigSize / 3, rangeStart(gets.get(0)), "the next pull resumes where the stalled one stopped");
        assertFalse(Files.exists(partial()));
    }

    @Test
    void droppedConnectionResumesWithRange() throws Exception {
        proxy.cutPath = big.hex();
        proxy.cutAfter = bigSize / 2;
        proxy.cuts.set(1);
        Image image = puller().pull(name);

        assertEquals(registry.manifestDigest("bb:1"), image.manifestDigest());
        List<TestProxy.Request> gets = bigGets();
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(null, gets.get(0).range());
        long start = rangeStart(gets.get(1));
        assertTrue(start > 0 && start <= bigSize / 2, "resumed at " + start);
        assertTrue(store.blobs().contains(big));
        assertFalse(Files.exists(partial()));
    }

    @Test
    void registryIgnoringRangeIsReadFromZero() throws Exception {
        proxy.cutPath = big.hex();
        proxy.cutAfter = bigSize / 2;
        proxy.cuts.set(1);
        proxy.ignoreRange = true;
        Image image = puller().pull(name);

        assertEquals(registry.manifestDigest("bb:1"), image.manifestDigest());
        List<TestProxy.Request> gets = bigGets();
        assertEquals(2, gets.size(), gets.toString());
        assertTrue(rangeStart(gets.get(1)) > 0); // asked for the rest, got all of it (200) and still verified
        assertTrue(store.blobs().contains(big));
    }

    @Test
    void partialOfAKilledPullIsSentOn() throws Exception {
        byte[] bytes = Files.readAllBytes(layout.resolve("blobs/sha256").resolve(big.hex()));
        int half = bytes.length / 2;
        Files.write(partial(), java.util.Arrays.copyOf(bytes, half));
        puller().pull(name);

        List<TestProxy.Request> gets = bigGets();
        assertEquals(1, gets.size(), gets.toString());
        assertEquals(half, rangeStart(gets.get(0)));
        assertTrue(store.blobs().contains(big));
        assertFalse(Files.exists(partial()));
    }

    @Test
    void corruptPartialIsDroppedAndTheBlobFetchedAgain() throws Exception {
        Files.write(partial(), new byte[1000]); // zeros: not the blob's first bytes
        puller().pull(name);

        List<TestProxy.Request> gets = bigGets();
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(1000, rangeStart(gets.get(0)));
        assertEquals(null, gets.get(1).range());
        assertTrue(store.blobs().contains(big));
    }

    @Test
    void networkThatKeepsFailingLeavesTheStoreAndKeepsThePartial() throws Exception {
        List<String> before = RegistryTestSupport.storeSnapshot(store.root());
        proxy.cutPath = big.hex();
        proxy.cutAfter = bigSize / 4;
        proxy.cutAfterThen = 0;
        proxy.cuts.set(100);
        RegistryException e = assertThrows(RegistryException.class, () -> puller().pull(name), () -> proxy.requests.toString());

        assertTrue(e.getMessage().startsWith("Failed to pull blob " + big + " for '" + name + "': "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(after " + BlobPull.MAX_ATTEMPTS + " attempts)"), e.getMessage());
        assertEquals(before, RegistryTestSupport.storeSnapshot(store.root()));
        assertTrue(Files.size(partial()) > 0, "the partial stays for the next pull");

        proxy.cuts.set(0);
        proxy.requests.clear();
        puller().pull(name);
        List<TestProxy.Request> gets = bigGets();
        assertEquals(1, gets.size(), gets.toString());
        assertTrue(rangeStart(gets.get(0)) > 0);
        assertEquals(List.of(), proxy.blobGets().stream().filter(r -> !r.path().endsWith(big.toString())).toList(),
                "the blobs staged by the failed pull are not fetched again");
    }
}
