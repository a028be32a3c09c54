package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.Platform;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pulls from a real docker-registry (through a logging proxy) fed by skopeo: OCI and Docker schema 2 manifests,
 * the digest the registry has, nothing downloaded twice, platform selection in an index, and the one-line
 * errors of an unknown image, a plain-HTTP registry without insecure and a refused connection.
 */
class ImagePullTest {
    @TempDir
    static Path shared;
    static Path layout;
    static LocalRegistry registry;
    static TestProxy proxy;

    @TempDir
    Path tmp;
    ImageStore store;

    @BeforeAll
    static void startRegistry() throws Exception {
        layout = TestImages.busyboxLayout(shared);
        registry = LocalRegistry.start(shared.resolve("registry"));
        registry.push(layout, "t", "bb:oci", null);
        registry.push(layout, "t", "bb:docker", "v2s2");
        proxy = new TestProxy(registry.port);
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
    void newStore() throws Exception {
        store = new ImageStore(tmp.resolve("store"));
    }

    private ImagePuller.Builder puller() {
        return ImagePuller.builder(store).insecure(true).authFile(AuthFile.none());
    }

    private ImageReference ref(String text) throws Exception {
        return ImageReference.parse(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "docker"})
    void pullsTheManifestTheRegistryHas(String tag) throws Exception {
        ImageReference name = ref(proxy.host() + "/bb:" + tag);
        Image image = puller().build().pull(name);

        assertEquals(registry.manifestDigest("bb:" + tag), image.manifestDigest());
        assertEquals(image.manifestDigest(), store.inspect(name).manifestDigest());
        assertEquals(tag.equals("oci") ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST, image.manifest().mediaType());
        assertEquals(3, image.manifest().layers().size());
        assertEquals(List.of("/bin/sh"), image.defaults().cmd());
        for (Descriptor d : image.manifest().layers()) {
            assertTrue(store.blobs().contains(d.digest()), d.digest().toString());
        }
        assertTrue(store.blobs().contains(image.manifest().config().digest()));
        try (Stream<Path> left = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "no partial or staged files after a pull");
        }
    }

    @Test
    void secondPullDownloadsNothing() throws Exception {
        ImageReference name = ref(proxy.host() + "/bb:oci");
        puller().build().pull(name);
        proxy.requests.clear();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Image again = puller().build().pull(name, PullProgress.plain(new PrintStream(out, true, StandardCharsets.UTF_8)));

        assertEquals(List.of(), proxy.blobGets());
        assertEquals(1, proxy.requests.size(), proxy.requests.toString()); // the tag's manifest, nothing else
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(4, text.split("already present", -1).length - 1, text); // config and 3 layers
        assertTrue(text.endsWith("Pulled " + name + " (" + again.manifestDigest() + ")\n"), text);
    }

    @Test
    void twoPullsOfOneImageAtOnceDownloadEachBlobOnce() throws Exception {
        ImageReference name = ref(proxy.host() + "/bb:docker");
        proxy.requests.clear();
        ImagePuller puller = puller().build();
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = two.submit(() -> puller.pull(name));
            var b = two.submit(() -> ImagePuller.builder(new ImageStore(store.root())).insecure(true).authFile(AuthFile.none())
                    .build().pull(name));
            assertEquals(a.get().manifestDigest(), b.get().manifestDigest());
        } finally {
            two.shutdownNow();
        }
        assertEquals(4, proxy.blobGets().size(), proxy.blobGets().toString());
        assertEquals(registry.manifestDigest("bb:docker"), store.inspect(name).manifestDigest());
        try (Stream<Path> left = Files.walk(store.root().resolve("tmp"))) {
            assertEquals(List.of(store.root().resolve("tmp")), left.toList(), "no partial or staged files after the two pulls");
        }
    }

    /**
     * Two images with the same blobs (one OCI, one Docker manifest: two staging dirs) pulled at once both succeed and
     * leave nothing under {@code tmp/}. Each may download a blob the other has only staged so far (the store does not
     * have it yet); the second to move it in drops its copy.
     */
    @Test
    void twoPullsOfImagesSharingBlobsAtOnceBothSucceed() throws Exception {
        ImageReference oci = ref(proxy.host() + "/bb:oci");
        ImageReference docker = ref(proxy.host() + "/bb:docker");
        proxy.requests.clear();
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        Image a;
        Image b;
        try {
            var fa = two.submit(() -> puller().build().pull(oci));
            var fb = two.submit(() -> ImagePuller.builder(new ImageStore(store.root())).insecure(true).authFile(AuthFile.none())
                    .build().pull(docker));
            a = fa.get();
            b = fb.get();
        } finally {
            two.shutdownNow();
        }
        assertEquals(a.manifest().config().digest(), b.manifest().config().digest()); // skopeo's conversion keeps the blobs
        for (Descriptor d : b.manifest().layers()) {
            assertTrue(a.manifest().layers().stream().anyMatch(l -> l.digest().equals(d.digest())), d.digest().toString());
            assertTrue(store.blobs().contains(d.digest()), d.digest().toString());
        }
        assertEquals(registry.manifestDigest("bb:oci"), store.inspect(oci).manifestDigest());
        assertEquals(registry.manifestDigest("bb:docker"), store.inspect(docker).manifestDigest());
        try (Stream<Path> left = Files.walk(store.root().resolve("tmp"))) {
            assertEquals(List.of(store.root().resolve("tmp")), left.toList(), "no partial or staged files after the two pulls");
        }
    }

    /**
     * The race that made twoPullsOfOneImageAtOnceDownloadEachBlobOnce flaky, made to happen every time: pull b finds
     * the config in the staging dir the two share ({@code tmp/pull-MANIFESTHEX/}), then pull a moves it into the
     * store's {@code blobs/} before b reads it. b must find it there, not fail with "not in the store".
     */
    @Test
    void aPullWhoseStagedConfigAConcurrentPullMovedIntoTheStoreReadsItThere() throws Exception {
        ImageReference name = ref(proxy.host() + "/bb:docker");
        proxy.requests.clear();
        CountDownLatch bInWindow = new CountDownLatch(1);
        CountDownLatch aDone = new CountDownLatch(1);
        ImagePuller.testHookStagedRead = () -> {
            try {
                if (Thread.currentThread().getName().equals("pullrace-b")) {
                    bInWindow.countDown();
                    assertTrue(aDone.await(60, TimeUnit.SECONDS), "pull a did not finish");
                } else {
                    assertTrue(bInWindow.await(60, TimeUnit.SECONDS), "pull b did not reach its window");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            FutureTask<Image> a = new FutureTask<>(() -> {
                try {
                    return puller().build().pull(name);
                } finally {
                    aDone.countDown();
                }
            });
            FutureTask<Image> b = new FutureTask<>(() -> ImagePuller.builder(new ImageStore(store.root())).insecure(true)
                    .authFile(AuthFile.none()).build().pull(name));
            new Thread(a, "pullrace-a").start();
            new Thread(b, "pullrace-b").start();
            assertEquals(registry.manifestDigest("bb:docker"), a.get(120, TimeUnit.SECONDS).manifestDigest());
            assertEquals(registry.manifestDigest("bb:docker"), b.get(120, TimeUnit.SECONDS).manifestDigest());
            assertEquals(0, bInWindow.getCount(), "pull b never had the config staged: the window was not hit");
        } finally {
            ImagePuller.testHookStagedRead = () -> { };
        }
        assertEquals(4, proxy.blobGets().size(), proxy.blobGets().toString());
        try (Stream<Path> left = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "no partial or staged files after the two pulls");
        }
    }

    @Test
    void shortNamesGoToTheDefaultRegistry() throws Exception {
        Image image = puller().defaultRegistry(proxy.host()).build().pull("bb:oci", PullProgress.NONE);
        assertEquals(proxy.host() + "/bb:oci", image.reference().toString());
        assertEquals(registry.manifestDigest("bb:oci"), image.manifestDigest());
    }

    @Test
    void pullByDigestChecksTheDigest() throws Exception {
        Digest d = registry.manifestDigest("bb:docker");
        ImageReference name = ref(proxy.host() + "/bb@" + d);
        assertEquals(d, puller().build().pull(name).manifestDigest());
    }

    @Test
    void indexResolvesToTheConfiguredPlatform() throws Exception {
        registry.push(layout, "arm", "bb:arm", null);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] amd = getManifest(http, "oci");
        byte[] arm = getManifest(http, "arm");
        String index = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"platform":{"architecture":"arm64","os":"linux"}},
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"platform":{"architecture":"amd64","os":"linux"}}]}
                """.formatted(Digest.sha256(arm), arm.length, Digest.sha256(amd), amd.length);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/bb/manifests/multi"))
                .header("Content-Type", MediaType.OCI_INDEX.value()).PUT(HttpRequest.BodyPublishers.ofString(index)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());

        ImageReference multi = ref(proxy.host() + "/bb:multi");
        assertEquals(Digest.sha256(amd), puller().build().pull(multi).manifestDigest());
        Image armImage = puller().platform(Platform.parse("linux/arm64")).build().pull(ref(proxy.host() + "/bb:multi-arm"
                .replace(":multi-arm", ":multi")));
        assertEquals(Digest.sha256(arm), armImage.manifestDigest());
        assertEquals("arm64", armImage.config().architecture());

        RegistryException e = assertThrows(RegistryException.class,
                () -> puller().platform(Platform.parse("linux/s390x")).build().pull(multi));
        assertEquals("Failed to pull '" + multi + "': its index has no image for linux/s390x (it has linux/arm64, linux/amd64), refusing.",
                e.getMessage());
    }

    private static byte[] getManifest(HttpClient http, String tag) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/bb/manifests/" + tag))
                .header("Accept", MediaType.OCI_MANIFEST.value()).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    @Test
    void unknownImageSaysNotFound() throws Exception {
        ImageReference name = ref(proxy.host() + "/bb:nope");
        RegistryException e = assertThrows(RegistryException.class, () -> puller().build().pull(name));
        assertEquals("Failed to pull manifest for '" + name + "': 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)", e.getMessage());
        assertEquals(404, e.status());
        ImageReference repo = ref(proxy.host() + "/nosuch/repo:1");
        RegistryException r = assertThrows(RegistryException.class, () -> puller().build().pull(repo));
        assertTrue(r.getMessage().startsWith("Failed to pull manifest for '" + repo + "': 404 Not Found ("), r.getMessage());
        assertEquals(List.of(), RegistryTestSupport.storeSnapshot(store.root()).stream()
                .filter(p -> !List.of("blobs", "blobs/sha256", "layers", "refs").contains(p)).toList());
    }

    @Test
    void plainHttpNeedsInsecure() throws Exception {
        ImageReference name = ref(registry.host() + "/bb:oci");
        RegistryException e = assertThrows(RegistryException.class,
                () -> ImagePuller.builder(store).authFile(AuthFile.none()).build().pull(name));
        assertTrue(e.getMessage().startsWith("Failed to pull manifest for '" + name + "': TLS handshake failed (https://"
                + registry.host() + ")"), e.getMessage());
        assertTrue(e.getMessage().endsWith("a plain-HTTP registry needs insecure (--insecure)"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }

    @Test
    void refusedConnectionIsOneLine() throws Exception {
        String host = "127.0.0.1:" + RegistryTestSupport.freePort();
        ImageReference name = ref(host + "/bb:1");
        RegistryException e = assertThrows(RegistryException.class, () -> puller().build().pull(name));
        assertEquals("Failed to pull manifest for '" + name + "': connection refused (http://" + host + ")", e.getMessage());
    }
}
