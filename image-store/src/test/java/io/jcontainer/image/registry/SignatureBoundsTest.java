package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.trust.Keyring;
import io.jcontainer.image.trust.Lookaside;
import io.jcontainer.image.trust.SimpleSigning;
import io.jcontainer.image.trust.TrustException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile and malformed signature input, signed for real by gpg where a signature is needed: each is refused with
 * one line, and the large ones before they are read whole.
 */
class SignatureBoundsTest {
    @TempDir
    static Path tmp;
    static TestGpg gpg;
    static String fpr;
    static Keyring keys;
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @BeforeAll
    static void keys() throws Exception {
        gpg = new TestGpg();
        fpr = gpg.generate("bounds <b@example.org>", "ed25519", "never", null);
        gpg.export(fpr, tmp.resolve("k.gpg"), false);
        keys = Keyring.read(tmp.resolve("k.gpg"));
    }

    @AfterAll
    static void close() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
    }

    /** {@code gpg --sign} of {@code payload}: the inline signed message skopeo writes, with this JSON inside. */
    static byte[] sign(String payload) throws Exception {
        Path in = Files.writeString(tmp.resolve("p-" + System.nanoTime()), payload);
        Path out = tmp.resolve(in.getFileName() + ".sig");
        gpg.run(null, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "-u", fpr, "--output",
                out.toString(), "--sign", in.toString());
        return Files.readAllBytes(out);
    }

    static String payload(String critical, String optional) {
        return "{\"critical\":" + critical + ",\"optional\":" + optional + "}";
    }

    static final String GOOD_CRITICAL = "{\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"image\":"
            + "{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"atomic container signature\"}";

    @Test
    void acceptsWhatGpgSignsInTheSkopeoFormat() throws Exception {
        SimpleSigning.Verified v = SimpleSigning.verify(sign(payload(GOOD_CRITICAL, "{\"creator\":\"x\",\"future\":1}")), keys,
                Instant.now(), "sig");
        assertEquals(fpr, v.fingerprint());
        assertEquals(Digest.parse(DIGEST), v.manifestDigest());
        assertEquals(ImageReference.parse("example.com/a:1"), v.dockerReference());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown critical member | {\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"atomic container signature\",\"extra\":1} | {} | unknown key 'extra' in critical",
        "duplicate critical member | {\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"identity\":{\"docker-reference\":\"example.com/b:1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"atomic container signature\"} | {} | Duplicate field 'identity'",
        "other type | {\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"} | {} | critical.type",
        "no identity | {\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"atomic container signature\"} | {} | critical has no 'identity'",
        "unknown image member | {\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\",\"size\":1},\"type\":\"atomic container signature\"} | {} | unknown key 'size' in critical.image",
        "bad digest | {\"identity\":{\"docker-reference\":\"example.com/a:1\"},\"image\":{\"docker-manifest-digest\":\"md5:00\"},\"type\":\"atomic container signature\"} | {} | Unsupported digest algorithm 'md5'",
        "optional not an object | GOOD | [] | optional is not an object",
    })
    void refusesSignedJsonThatIsNotExactlyTheFormat(String name, String critical, String optional, String expected) throws Exception {
        byte[] sig = sign(payload(critical.replace("GOOD", GOOD_CRITICAL).replace("DIGEST", DIGEST), optional));
        TrustException e = assertThrows(TrustException.class, () -> SimpleSigning.verify(sig, keys, Instant.now(), "sig"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void refusesATamperedSignedMessage() throws Exception {
        byte[] sig = sign(payload(GOOD_CRITICAL, "{}"));
        // gpg compresses: change a byte inside the compressed packet, after its header
        sig[sig.length / 2] ^= 0x01;
        TrustException e = assertThrows(TrustException.class, () -> SimpleSigning.verify(sig, keys, Instant.now(), "sig"));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void refusesNestedCompression() throws Exception {
        byte[] inner = sign(payload(GOOD_CRITICAL, "{}"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PGPCompressedDataGenerator gen = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
        try (OutputStream o = gen.open(out)) {
            o.write(inner);
        }
        TrustException e = assertThrows(TrustException.class, () -> SimpleSigning.verify(out.toByteArray(), keys,
                Instant.now(), "sig"));
        assertTrue(e.getMessage().contains("nests compressed data"), e.getMessage());
    }

    @Test
    void refusesASignatureOf100MegabytesWithoutReadingIt() throws Exception {
        ImageReference image = ImageReference.parse("example.com/a:1");
        Digest d = Digest.parse(DIGEST);
        Path dir = Files.createDirectories(tmp.resolve("sigstore/a@sha256=" + d.hex()));
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("signature-1").toFile(), "rw")) {
            f.setLength(100L << 20); // sparse: nothing is written, and nothing must be read
        }
        TrustException e = assertThrows(TrustException.class, () -> Lookaside.read("file://" + tmp.resolve("sigstore"), image, d,
                null, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("is larger than " + SimpleSigning.MAX_SIGNATURE_BYTES + " bytes"), e.getMessage());
        assertThrows(TrustException.class, () -> SimpleSigning.verify(new byte[SimpleSigning.MAX_SIGNATURE_BYTES + 1], keys,
                Instant.now(), "sig"));
    }

    @Test
    void refusesHugeKeyrings() throws Exception {
        byte[] one = Files.readAllBytes(tmp.resolve("k.gpg"));
        ByteArrayOutputStream many = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            many.write(one);
        }
        Path big = Files.write(tmp.resolve("10000.gpg"), many.toByteArray());
        TrustException e = assertThrows(TrustException.class, () -> Keyring.read(big));
        assertTrue(e.getMessage().contains("is larger than"), e.getMessage());
        ByteArrayOutputStream some = new ByteArrayOutputStream();
        for (int i = 0; i <= Keyring.MAX_KEYS; i++) {
            some.write(one);
        }
        TrustException e2 = assertThrows(TrustException.class, () -> Keyring.parse(some.toByteArray(), "'some.gpg'"));
        assertTrue(e2.getMessage().contains("more than " + Keyring.MAX_KEYS + " keys"), e2.getMessage());
        TrustException e3 = assertThrows(TrustException.class, () -> Keyring.parse("not a key".getBytes(StandardCharsets.UTF_8), "'x'"));
        assertEquals(1, e3.getMessage().lines().count(), e3.getMessage());
    }
}
