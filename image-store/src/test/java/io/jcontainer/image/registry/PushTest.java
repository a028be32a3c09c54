package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes to a real docker-registry (through the logging {@link TestProxy}), checked with skopeo as the
 * independent client: the registry has the image under the same digests; a second push sends no blob; a push to
 * another repository mounts the blobs instead of uploading them; token auth asks for {@code pull,push}; the
 * catalog and tags list what was pushed.
 */
class PushTest {
    @TempDir
    static Path shared;
    static LocalRegistry registry;
    static TestProxy proxy;
    static Path layout;
    ImageStore store;
    Image image;
    static final ImageReference LOCAL = ref("example.org/bb:t");

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        layout = TestImages.busyboxLayout(shared);
        registry = LocalRegistry.start(shared.resolve("registry"));
        proxy = new TestProxy(registry.port);
    }

    /** A store of its own per test: what one push records (where blobs are) must not help another. */
    @BeforeEach
    void importTheImage() throws Exception {
        store = new ImageStore(tmp.resolve("store"));
        image = store.importOciLayout(layout, LOCAL);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    static ImageReference ref(String s) {
        try {
            return ImageReference.parse(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private ImagePusher pusher() {
        return ImagePusher.builder(store).insecure(true).authFile(AuthFile.none()).build();
    }

    private static List<TestProxy.Request> uploads() {
        synchronized (proxy.requests) {
            return proxy.requests.stream().filter(r -> r.path().contains("/blobs/uploads/")).toList();
        }
    }

    private static Set<Digest> blobsOf(Image i) {
        Set<Digest> s = i.manifest().layers().stream().map(Descriptor::digest).collect(Collectors.toSet());
        s.add(i.manifest().config().digest());
        return s;
    }

    @Test
    void pushedImageHasTheSameDigestsForSkopeoAndASecondPushSendsNothing() throws Exception {
        proxy.reset();
        ImageReference target = ref(proxy.host() + "/pushed/bb:1");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ImagePusher.Result first = pusher().push(LOCAL, target, PushProgress.plain(new PrintStream(log, true, StandardCharsets.UTF_8)));

        assertEquals(image.manifestDigest(), first.manifestDigest());
        assertEquals(blobsOf(image), Set.copyOf(first.uploaded()), first.toString());
        assertEquals(image.manifestDigest(), registry.manifestDigest("pushed/bb:1"), "skopeo sees the manifest we stored");
        for (Digest d : blobsOf(image)) {
            assertTrue(Files.exists(registry.blobData(d)), "the registry has " + d);
        }
        // skopeo copy reads every blob and checks its digest: the registry serves the image we have
        Path copy = tmp.resolve("copy");
        RegistryTestSupport.sh(null, "skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + registry.host() + "/pushed/bb:1",
                "oci:" + copy + ":x");
        for (Digest d : blobsOf(image)) {
            assertTrue(Files.exists(copy.resolve("blobs/sha256").resolve(d.hex())), "skopeo copied " + d);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Pushed " + target), text);
        assertTrue(text.contains(": uploading"), text);

        proxy.reset();
        ImagePusher.Result again = pusher().push(LOCAL, target, PushProgress.NONE);
        assertEquals(blobsOf(image), Set.copyOf(again.existed()), again.toString());
        assertEquals(List.of(), uploads(), "a second push starts no upload");
        long heads = proxy.requests.stream().filter(r -> r.method().equals("HEAD")).count();
        assertEquals(blobsOf(image).size(), heads, proxy.requests.toString());
    }

    @Test
    void pushToAnotherRepositoryMountsTheBlobs() throws Exception {
        ImageReference first = ref(proxy.host() + "/mount/src:1");
        pusher().push(LOCAL, first, PushProgress.NONE);

        proxy.reset();
        ImagePusher.Result second = pusher().push(LOCAL, ref(proxy.host() + "/mount/dst:1"), PushProgress.NONE);

        assertEquals(blobsOf(image), second.mounted().keySet(), second.toString());
        assertTrue(second.mounted().values().stream().allMatch("mount/src"::equals), second.toString());
        List<TestProxy.Request> uploads = uploads();
        assertEquals(blobsOf(image).size(), uploads.size(), uploads.toString());
        assertTrue(uploads.stream().allMatch(r -> r.method().equals("POST") && r.path().contains("mount=sha256")
                && r.path().contains("from=mount%2Fsrc")), uploads.toString());
        assertEquals(image.manifestDigest(), registry.manifestDigest("mount/dst:1"));
    }

    @Test
    void aCorruptBlobInTheStoreIsNotPushedAndNoManifestIsStored() throws Exception {
        Descriptor layer = image.manifest().layers().get(0);
        Path file = store.blobs().path(layer.digest());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1; // same size, other content
        file.toFile().setWritable(true);
        Files.write(file, bytes);

        RegistryException e = assertThrows(RegistryException.class,
                () -> pusher().push(LOCAL, ref(registry.host() + "/corrupt/bb:1"), PushProgress.NONE));
        assertTrue(e.getMessage().startsWith("Failed to push blob " + layer.digest() + " to '" + registry.host() + "/corrupt/bb'"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().endsWith("is corrupt: its content has digest " + Digest.sha256(bytes) + ", not " + layer.digest()
                + ", refusing."), e.getMessage());
        var head = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + registry.host() + "/v2/corrupt/bb/manifests/1")).method("HEAD",
                java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(404, head.statusCode(), "no manifest was pushed");
    }

    @Test
    void searchListsTheCatalogAndTags() throws Exception {
        pusher().push(LOCAL, ref(registry.host() + "/search/me:a"), PushProgress.NONE);
        pusher().push(LOCAL, ref(registry.host() + "/search/me:b"), PushProgress.NONE);
        RegistryClient client = RegistryClient.builder(registry.host()).insecure(true).build();

        assertTrue(client.catalog().contains("search/me"), client.catalog().toString());
        assertEquals(List.of("a", "b"), client.tags("search/me").stream().sorted().toList());
    }

    @Test
    void refusesAnImageNotInTheStoreAndAPlainHttpRegistryWithoutInsecure() {
        var missing = assertThrows(Exception.class, () -> pusher().push(ref("example.org/none:t"), ref(registry.host() + "/x:1"),
                PushProgress.NONE));
        assertTrue(missing.getMessage().contains("'example.org/none:t'"), missing.getMessage());
        var tls = assertThrows(RegistryException.class, () -> ImagePusher.builder(store).authFile(AuthFile.none()).build()
                .push(LOCAL, ref(registry.host() + "/x:1"), PushProgress.NONE));
        assertTrue(tls.getMessage().startsWith("Failed to check for blob"), tls.getMessage());
        assertTrue(tls.getMessage().contains("--insecure"), tls.getMessage());
    }

    @Test
    void pushesWithATokenAndMountsAcrossRepositories() throws Exception {
        try (TestTokenIssuer issuer = new TestTokenIssuer(tmp.resolve("issuer"), "bob", "pw");
             LocalRegistry secured = LocalRegistry.start(tmp.resolve("registry"), issuer)) {
            String auth = Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));
            Path file = Files.writeString(tmp.resolve("auth.json"), "{\"auths\":{\"" + secured.host() + "\":{\"auth\":\"" + auth + "\"}}}");
            ImagePusher pusher = ImagePusher.builder(store).insecure(true).authFile(AuthFile.of(file)).build();

            ImagePusher.Result first = pusher.push(LOCAL, ref(secured.host() + "/team/a:1"), PushProgress.NONE);
            assertEquals(blobsOf(image), Set.copyOf(first.uploaded()));
            assertTrue(issuer.requests.contains("bob repository:team/a:pull,push"), issuer.requests.toString());
            assertEquals(image.manifestDigest(), secured.manifestDigest("team/a:1"));

            ImagePusher.Result second = pusher.push(LOCAL, ref(secured.host() + "/team/b:1"), PushProgress.NONE);
            assertEquals(blobsOf(image), second.mounted().keySet(), second.toString());
            assertTrue(issuer.requests.stream().anyMatch(r -> r.equals("bob repository:team/b:pull,push repository:team/a:pull")),
                    issuer.requests.toString());

            var anonymous = assertThrows(RegistryException.class, () -> ImagePusher.builder(store).insecure(true)
                    .authFile(AuthFile.none()).build().push(LOCAL, ref(secured.host() + "/team/c:1"), PushProgress.NONE));
            assertEquals(401, anonymous.status(), anonymous.getMessage());
        }
    }
}
