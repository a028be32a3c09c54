package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.TrustException;
import io.jcontainer.image.trust.Verification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signed pulls against the real tools, with skopeo as the oracle: keys made by gpg (Ed25519 and RSA), images
 * signed by {@code skopeo copy --sign-by} into a lookaside directory (registries.d) and pushed to docker-registry
 * on loopback. For every case, the same policy file is given to {@code skopeo --policy FILE copy} and to a
 * jcontainer pull: both must accept exactly when the case says so, and a refused pull stores nothing.
 */
class SignedPullTest {
    @TempDir
    static Path tmp;
    static TestGpg gpg;
    static LocalRegistry registry;
    static Path registriesD;
    static Path sigstore;
    static String ed;
    static String rsa;
    static String expired;
    static Digest goodDigest;
    static final AtomicInteger N = new AtomicInteger();

    @BeforeAll
    static void setUp() throws Exception {
        RegistryTestSupport.requireCommand("skopeo");
        Path layout = TestImages.busyboxLayout(tmp);
        registry = LocalRegistry.start(tmp.resolve("registry"));
        gpg = new TestGpg();
        ed = gpg.generate("ed <ed@example.org>", "ed25519", "never", null);
        rsa = gpg.generate("rsa <rsa@example.org>", "rsa2048", "never", null);
        expired = gpg.generate("exp <exp@example.org>", "ed25519", "1d", "20200101T000000!");
        gpg.export(ed, tmp.resolve("ed.gpg"), false);
        gpg.export(rsa, tmp.resolve("rsa.asc"), true);
        gpg.export(expired, tmp.resolve("expired.gpg"), false);
        sigstore = Files.createDirectories(tmp.resolve("sigstore"));
        registriesD = Files.createDirectories(tmp.resolve("registries.d"));
        Files.writeString(registriesD.resolve("default.yaml"), """
                # as containers-registries.d(5) writes it
                default-docker:
                  lookaside: file://%s
                """.formatted(sigstore));
        String h = registry.host();
        String src = "oci:" + layout + ":t";
        signedPush(src, h + "/r/good:1", ed);
        signedPush(src, h + "/r/rsa:1", rsa);
        registry.push(layout, "t", "r/unsigned:1", null);
        registry.push(layout, "t", "r/good:2", null); // the same manifest, its signature names r/good:1
        goodDigest = registry.manifestDigest("r/good:1");
        assertEquals(goodDigest, registry.manifestDigest("r/good:2"));
        // r/wrongid: signed, but the signature names another image
        registry.push(layout, "t", "r/wrongid:1", null);
        standaloneSign(h + "/r/wrongid:1", h + "/r/elsewhere:1", ed);
        // r/tampered: one byte of the manifest changed; the signature of the original copied beside it
        registry.push(layout, "t", "r/tampered:0", null); // the blobs must be in the repository before its manifest
        Digest tampered = putTampered(h);
        copySignature("r/good", goodDigest, "r/tampered", tampered);
        // mirror/good: the same image under another name, with r/good's signature
        registry.push(layout, "t", "mirror/good:1", null);
        copySignature("r/good", goodDigest, "mirror/good", goodDigest);
        // r/expired: signed in 2020 by a key that expired a day later (gpg --faked-system-time)
        registry.push(layout, "t", "r/expired:1", null);
        Digest d = registry.manifestDigest("r/expired:1");
        Path payload = Files.writeString(tmp.resolve("expired.json"), "{\"critical\":{\"identity\":{\"docker-reference\":\""
                + h + "/r/expired:1\"},\"image\":{\"docker-manifest-digest\":\"" + d + "\"},\"type\":\"atomic container "
                + "signature\"},\"optional\":{\"creator\":\"gpg\"}}");
        Path sig = lookasideDir("r/expired", d).resolve("signature-1");
        Files.createDirectories(sig.getParent());
        gpg.run(null, "gpg", "--batch", "--faked-system-time", "20200101T010000!", "--pinentry-mode", "loopback",
                "--passphrase", "", "-u", expired, "--output", sig.toString(), "--sign", payload.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (gpg != null) {
            gpg.close();
        }
    }

    static void signedPush(String src, String dest, String fpr) throws Exception {
        gpg.run(null, "skopeo", "--registries.d", registriesD.toString(), "copy", "-q", "--dest-tls-verify=false",
                "--sign-by", fpr, src, "docker://" + dest);
    }

    static Path lookasideDir(String repo, Digest d) {
        return sigstore.resolve(repo + "@sha256=" + d.hex());
    }

    static void standaloneSign(String image, String identity, String fpr) throws Exception {
        Path manifest = tmp.resolve("m-" + N.incrementAndGet() + ".json");
        Files.write(manifest, rawManifest(image));
        String repo = image.substring(image.indexOf('/') + 1, image.lastIndexOf(':'));
        Path dir = Files.createDirectories(lookasideDir(repo, Digest.sha256(Files.readAllBytes(manifest))));
        gpg.run(null, "skopeo", "standalone-sign", manifest.toString(), identity, fpr, "-o", dir.resolve("signature-1").toString());
    }

    static byte[] rawManifest(String image) throws Exception {
        return RegistryTestSupport.script(null, "skopeo inspect --raw --tls-verify=false docker://" + image)
                .getBytes(StandardCharsets.UTF_8);
    }

    static void copySignature(String fromRepo, Digest from, String toRepo, Digest to) throws Exception {
        Path target = Files.createDirectories(lookasideDir(toRepo, to)).resolve("signature-1");
        Files.copy(lookasideDir(fromRepo, from).resolve("signature-1"), target);
    }

    /** PUTs r/good:1's manifest with one byte changed (a space added after the first '{') as r/tampered:1. */
    static Digest putTampered(String h) throws Exception {
        byte[] m = rawManifest(h + "/r/good:1");
        String text = new String(m, StandardCharsets.UTF_8).strip();
        String changed = "{ " + text.substring(1);
        String type = changed.contains("application/vnd.oci.image.config.v1+json")
                ? "application/vnd.oci.image.manifest.v1+json" : "application/vnd.docker.distribution.manifest.v2+json";
        // HTTP/1.1: the JDK's h2c upgrade request loses the body on docker-registry
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://" + h
                + "/v2/r/tampered/manifests/1")).header("Content-Type", type)
                .PUT(HttpRequest.BodyPublishers.ofString(changed)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return Digest.sha256(changed.getBytes(StandardCharsets.UTF_8));
    }

    static String signedBy(String keyPath, String identity) {
        return "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\"," + keyPath + (identity == null ? "" : ",\"signedIdentity\":" + identity) + "}";
    }

    static Stream<Arguments> cases() {
        String edKey = "\"keyPath\":\"" + tmp.resolve("ed.gpg") + "\"";
        String rsaKey = "\"keyPath\":\"" + tmp.resolve("rsa.asc") + "\"";
        String both = "\"keyPaths\":[\"" + tmp.resolve("rsa.asc") + "\",\"" + tmp.resolve("ed.gpg") + "\"]";
        String expiredKey = "\"keyPath\":\"" + tmp.resolve("expired.gpg") + "\"";
        String h = "HOST";
        return Stream.of(
                Arguments.of("good Ed25519 signature", "HOST/r", signedBy(edKey, null), "r/good:1", true),
                Arguments.of("good RSA signature, armored key", "HOST/r", signedBy(rsaKey, null), "r/rsa:1", true),
                Arguments.of("keyPaths, the second key signed", "HOST", signedBy(both, null), "r/good:1", true),
                Arguments.of("no signature", "HOST/r", signedBy(edKey, null), "r/unsigned:1", false),
                Arguments.of("manifest changed by one byte", "HOST/r", signedBy(edKey, null), "r/tampered:1", false),
                Arguments.of("signature names another image", "HOST/r", signedBy(edKey, null), "r/wrongid:1", false),
                Arguments.of("signed by an untrusted key", "HOST/r", signedBy(rsaKey, null), "r/good:1", false),
                Arguments.of("expired key", "HOST/r", signedBy(expiredKey, null), "r/expired:1", false),
                Arguments.of("other tag, matchRepoDigestOrExact", "HOST/r", signedBy(edKey, null), "r/good:2", false),
                Arguments.of("other tag, matchExact", "HOST/r", signedBy(edKey, "{\"type\":\"matchExact\"}"), "r/good:2", false),
                Arguments.of("other tag, matchRepository", "HOST/r", signedBy(edKey, "{\"type\":\"matchRepository\"}"), "r/good:2", true),
                Arguments.of("by digest, matchRepoDigestOrExact", "HOST/r", signedBy(edKey, null), "r/good@DIGEST", true),
                Arguments.of("by digest, matchExact", "HOST/r", signedBy(edKey, "{\"type\":\"matchExact\"}"), "r/good@DIGEST", false),
                Arguments.of("mirror without remapIdentity", "HOST/mirror", signedBy(edKey, null), "mirror/good:1", false),
                Arguments.of("mirror with remapIdentity", "HOST/mirror", signedBy(edKey, "{\"type\":\"remapIdentity\","
                        + "\"prefix\":\"HOST/mirror\",\"signedPrefix\":\"HOST/r\"}"), "mirror/good:1", true),
                Arguments.of("mirror with exactReference", "HOST/mirror", signedBy(edKey, "{\"type\":\"exactReference\","
                        + "\"dockerReference\":\"HOST/r/good:1\"}"), "mirror/good:1", true),
                Arguments.of("mirror with exactRepository", "HOST/mirror", signedBy(edKey, "{\"type\":\"exactRepository\","
                        + "\"dockerRepository\":\"HOST/r/good\"}"), "mirror/good:1", true),
                Arguments.of("scope rejects", "HOST/r/good", "{\"type\":\"reject\"}", "r/good:1", false),
                Arguments.of("scope accepts anything", "HOST/r/unsigned", "{\"type\":\"insecureAcceptAnything\"}", "r/unsigned:1", true),
                Arguments.of("key for another prefix (r-evil is not below r)", "HOST/r-evil", signedBy(edKey, null), "r/good:1", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void acceptsExactlyWhatSkopeoAccepts(String name, String scope, String requirement, String image, boolean expected)
            throws Exception {
        String h = registry.host();
        String ref = h + "/" + image.replace("DIGEST", goodDigest.toString());
        int n = N.incrementAndGet();
        Path policy = Files.writeString(tmp.resolve("policy-" + n + ".json"), ("{\"default\":[{\"type\":\"reject\"}],"
                + "\"transports\":{\"docker\":{\"" + scope + "\":[" + requirement + "]}}}").replace("HOST", h));

        Path log = tmp.resolve("skopeo-" + n + ".log");
        int skopeo = gpg.exitCode(log, "skopeo", "--policy", policy.toString(), "--registries.d", registriesD.toString(),
                "copy", "-q", "--src-tls-verify=false", "docker://" + ref, "dir:" + tmp.resolve("out-" + n)); // dir: keeps signatures; oci: refuses to
        assertEquals(expected, skopeo == 0, name + ": skopeo says " + Files.readString(log));

        ImageStore store = new ImageStore(tmp.resolve("store-" + n));
        ImagePuller puller = ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                .trust(new ImagePuller.Trust(Policy.read(policy), List.of(registriesD))).build();
        ImageReference r = ImageReference.parse(ref);
        if (expected) {
            puller.pull(r);
            Verification v = Verification.read(store.root(), r.digest() != null ? r.digest() : registry.manifestDigest(image));
            assertNotNull(v, name);
            assertTrue(v.where().contains(scope.replace("HOST", h)), v.toString());
        } else {
            ImageStoreException e = org.junit.jupiter.api.Assertions.assertThrows(TrustException.class, () -> puller.pull(r), name);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith("Refusing '" + ref + "'"), e.getMessage());
            assertTrue(store.list().isEmpty(), name);
            try (Stream<Path> blobs = Files.list(store.root().resolve("blobs/sha256"))) {
                assertEquals(0, blobs.count(), name + ": a refused image downloads nothing");
            }
        }
    }

    @Test
    void recordsTheKeyThatAccepted() throws Exception {
        String h = registry.host();
        Path policy = Files.writeString(tmp.resolve("policy-record.json"), "{\"default\":[{\"type\":\"reject\"}],"
                + "\"transports\":{\"docker\":{\"" + h + "/r\":[" + signedBy("\"keyPath\":\"" + tmp.resolve("ed.gpg") + "\"", null) + "]}}}");
        ImageStore store = new ImageStore(tmp.resolve("store-record"));
        ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                .trust(new ImagePuller.Trust(Policy.read(policy), List.of(registriesD))).build().pull(ImageReference.parse(h + "/r/good:1"));
        Verification v = Verification.read(store.root(), goodDigest);
        assertEquals(ed, v.key());
        assertEquals("signedBy", v.requirement());
        assertEquals(h + "/r/good:1", v.signedReference());
        assertNull(Verification.read(store.root(), Digest.sha256(new byte[0])));
    }

    @Test
    void theBuiltInPolicyRefusesAnUnsignedImageSayingHowToTrustIt() throws Exception {
        String ref = registry.host() + "/r/unsigned:1";
        ImageStore store = new ImageStore(tmp.resolve("store-builtin"));
        TrustException e = org.junit.jupiter.api.Assertions.assertThrows(TrustException.class, () ->
                ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                        .trust(new ImagePuller.Trust(Policy.builtIn(), List.of(registriesD))).build().pull(ImageReference.parse(ref)));
        assertTrue(e.getMessage().contains("jcontainer trust --prefix=" + registry.host() + "/r/unsigned KEYFILE"), e.getMessage());
    }
}
