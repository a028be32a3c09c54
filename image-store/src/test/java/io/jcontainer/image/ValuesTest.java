package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Digests, references, platforms and ChainIDs as values. */
class ValuesTest {
    private static final String HEX = "a".repeat(64);

    /**
     * The loops that stand in for the reference grammar's regexes (for the generator's start time)
     * accept exactly what the regexes do: on strings made of the characters that matter, short
     * ones exhaustively likely, and at the length limits.
     */
    @Test
    void grammarLoopsMatchTheirRegexes() {
        assertSameAsRegex("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", ImageReference::isTag, "aZ9_.-:/@", 130);
        assertSameAsRegex("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*", ImageReference::isComponent, "a9._-A/", 12);
        assertSameAsRegex("[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9A-Fa-f:]+\\](?::[0-9]+)?", ImageReference::isRegistry,
                "aF9.-:[]g/", 12);
        assertSameAsRegex("[0-9a-f]{64}", Digest::isHex64, "0af", 66);
        assertSameAsRegex("[a-z0-9]+(?:[+._-][a-z0-9]+)*", Digest::isAlgorithm, "a9+._-A:", 10);
        for (String tag : new String[] {"a".repeat(128), "a".repeat(129), "_" + ".".repeat(127)}) {
            assertEquals(Pattern.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag), ImageReference.isTag(tag), tag);
        }
        for (String hex : new String[] {HEX, "a".repeat(63), "a".repeat(65), "g".repeat(64), "\u0660".repeat(64)}) {
            assertEquals(Pattern.matches("[0-9a-f]{64}", hex), Digest.isHex64(hex), hex);
        }
    }

    /** 20000 random strings over {@code alphabet} of up to {@code maxLength} characters, plus non-ASCII. */
    private static void assertSameAsRegex(String regex, Predicate<String> loop, String alphabet, int maxLength) {
        Pattern pattern = Pattern.compile(regex);
        Random random = new Random(regex.hashCode());
        String all = alphabet + "\u00e9\uff10";
        for (int n = 0; n < 20000; n++) {
            int length = random.nextInt(Math.min(maxLength, n % 3 == 0 ? maxLength : 8) + 1);
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(i % 17 == 16 ? all.charAt(random.nextInt(all.length())) : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertEquals(pattern.matcher(s).matches(), loop.test(s), regex + " on '" + s + "'");
        }
    }

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
