package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Digests, references, platforms and ChainIDs as values. */
class ValuesTest {
    private static final String HEX = "a".repeat(64);

    @Test
    void parsesSha256Digest() throws Exception {
        Digest d = Digest.parse("sha256:" + HEX);
        assertEquals(new Digest("sha256", HEX), d);
        assertEquals("sha256:" + HEX, d.toString());
    }

    @Test
    void rejectsNonSha256Digest() {
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> Digest.parse("md5:d41d8cd98f00b204e9800998ecf8427e"));
        assertEquals("Unsupported digest algorithm 'md5', refusing.", e.getMessage());
    }

    @Test
    void rejectsShortOrUppercaseHex() {
        assertThrows(ImageStoreException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(ImageStoreException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(ImageStoreException.class, () -> Digest.parse("nodigest"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "busybox, docker.io/library/busybox:latest",
        "busybox:1.36, docker.io/library/busybox:1.36",
        "user/app:v1, docker.io/user/app:v1",
        "registry.example.org/web:1.2, registry.example.org/web:1.2",
        "localhost:5000/a/b, localhost:5000/a/b:latest",
        "localhost/x, localhost/x:latest",
        "index.docker.io/busybox, docker.io/library/busybox:latest",
    })
    void parsesReferencesLikeDocker(String text, String expected) throws Exception {
        assertEquals(expected, ImageReference.parse(text).toString());
    }

    @Test
    void shortNamesUseTheConfiguredDefaultRegistry() throws Exception {
        ImageReference r = ImageReference.parse("web:2", "registry.example.org");
        assertEquals("registry.example.org/web:2", r.toString());
    }

    @Test
    void parsesDigestReferences() throws Exception {
        ImageReference r = ImageReference.parse("quay.io/a/b@sha256:" + HEX);
        assertEquals("quay.io", r.registry());
        assertEquals("a/b", r.repository());
        assertEquals(null, r.tag());
        assertEquals(Digest.parse("sha256:" + HEX), r.digest());
    }

    @ParameterizedTest
    @CsvSource({"UPPER/Case", "a//b", "a:", "a@md5:00", "-bad"})
    void refusesBadReferences(String text) {
        assertThrows(ImageStoreException.class, () -> ImageReference.parse(text));
    }

    @Test
    void chainIdsFollowTheOciSpec() throws Exception {
        Digest a = Digest.sha256("a".getBytes());
        Digest b = Digest.sha256("b".getBytes());
        List<Digest> chain = Image.chainIds(List.of(a, b));
        assertEquals(a, chain.get(0));
        assertEquals(Digest.sha256((a + " " + b).getBytes()), chain.get(1));
    }

    @Test
    void platformsParseAndMatch() throws Exception {
        Platform arm = Platform.parse("linux/arm64/v8");
        assertEquals("linux/arm64/v8", arm.toString());
        assertEquals(true, Platform.parse("linux/arm64").matches(arm));
        assertEquals(false, arm.matches(new Platform("linux", "arm64", "v7")));
        assertThrows(ImageStoreException.class, () -> Platform.parse("linux"));
    }

    @Test
    void mediaTypesKnowTheirLayerCompression() {
        assertEquals(MediaType.Compression.GZIP, MediaType.DOCKER_LAYER_GZIP.layerCompression().orElseThrow());
        assertEquals(MediaType.Compression.ZSTD, MediaType.OCI_LAYER_ZSTD.layerCompression().orElseThrow());
        assertEquals(true, new MediaType("application/x-unknown").layerCompression().isEmpty());
    }
}
