package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.internal.registry.BlobPull;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the registry serves is checked, not trusted: a blob changed in the registry's storage and a manifest that
 * lies about a layer's size each end the pull with a one-line error, and the store is as it was.
 */
class PullVerificationTest {
    @TempDir
    Path tmp;
    LocalRegistry registry;
    ImageStore store;
    Path layout;
    Digest big;

    @BeforeEach
    void start() throws Exception {
        layout = TestImages.busyboxLayout(tmp);
        registry = LocalRegistry.start(tmp.resolve("registry"));
        registry.push(layout, "t", "bb:1", null);
        store = new ImageStore(tmp.resolve("store"));
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            big = Digest.parse("sha256:" + blobs.max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow().getFileName());
        }
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    private ImagePuller puller() {
        return ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build();
    }

    @Test
    void tamperedBlobIsRefusedAndTheStoreUnchanged() throws Exception {
        Path data = registry.blobData(big);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55; // same size, other content
        Files.write(data, bytes);
        List<String> before = RegistryTestSupport.storeSnapshot(store.root());
        ImageReference name = ImageReference.parse(registry.host() + "/bb:1");

        RegistryException e = assertThrows(RegistryException.class, () -> puller().pull(name));
        assertTrue(e.getMessage().startsWith("Failed to pull blob " + big + " for '" + name + "': digest mismatch: expected "
                + big + ", got sha256:"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", refusing."), e.getMessage());
        assertEquals(before, RegistryTestSupport.storeSnapshot(store.root()));
        assertFalse(Files.exists(BlobPull.partialFile(store.root().resolve("tmp"), big)), "a corrupt partial is not kept");
        assertThrows(io.jcontainer.image.ImageStoreException.class, () -> store.inspect(name));
    }

    @Test
    void manifestLyingAboutALayerSizeIsRefused() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI manifests = URI.create("http://" + registry.host() + "/v2/bb/manifests/");
        String manifest = http.send(HttpRequest.newBuilder(manifests.resolve("1")).header("Accept", MediaType.OCI_MANIFEST.value())
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        long size = Files.size(layout.resolve("blobs/sha256").resolve(big.hex()));
        String lying = manifest.replace("\"digest\":\"" + big + "\",\"size\":" + size, "\"digest\":\"" + big + "\",\"size\":" + (size - 7));
        assertTrue(!lying.equals(manifest), "the layer's descriptor is found in " + manifest);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(manifests.resolve("lies")).header("Content-Type",
                MediaType.OCI_MANIFEST.value()).PUT(HttpRequest.BodyPublishers.ofString(lying, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        List<String> before = RegistryTestSupport.storeSnapshot(store.root());
        ImageReference name = ImageReference.parse(registry.host() + "/bb:lies");

        RegistryException e = assertThrows(RegistryException.class, () -> puller().pull(name));
        assertEquals("Failed to pull blob " + big + " for '" + name + "': the registry sends " + size
                + " bytes but the descriptor says " + (size - 7) + ", refusing.", e.getMessage());
        assertEquals(before, RegistryTestSupport.storeSnapshot(store.root()));
    }
}
