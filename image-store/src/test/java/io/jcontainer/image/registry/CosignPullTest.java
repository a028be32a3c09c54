package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.trust.Cosign;
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
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cosign-style key signatures made by hand as cosign lays them out: an ECDSA P-256 key from openssl, the payload
 * signed with {@code openssl dgst -sha256 -sign}, the {@code sha256-HEX.sig} manifest pushed to docker-registry.
 * Debian's skopeo has sigstore support patched out, so there is no third-party oracle: the cases carry their
 * expectations, and each refusal is checked for its reason.
 */
class CosignPullTest {
    @TempDir
    static Path tmp;
    static LocalRegistry registry;
    static Path layout;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void setUp() throws Exception {
        RegistryTestSupport.requireCommand("openssl");
        layout = TestImages.busyboxLayout(tmp);
        registry = LocalRegistry.start(tmp.resolve("registry"));
        for (String k : List.of("ec", "other")) {
            RegistryTestSupport.sh(tmp, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", k + ".key");
            RegistryTestSupport.sh(tmp, "openssl", "ec", "-in", k + ".key", "-pubout", "-out", k + ".pub");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    /** A cosign payload; {@code digest} "DIGEST" is replaced by the pushed manifest's. */
    static String payload(String reference, String digest) {
        return "{\"critical\":{\"identity\":{\"docker-reference\":\"" + reference + "\"},\"image\":{\"docker-manifest-digest\":\""
                + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
    }

    /** Pushes {@code repo:1} and a signature manifest for it whose layer is {@code served} with the signature of {@code signed}. */
    static Digest pushSigned(String repo, String signed, String served, String key) throws Exception {
        registry.push(layout, "t", repo + ":1", null);
        Digest d = registry.manifestDigest(repo + ":1");
        Path p = Files.writeString(tmp.resolve(repo.replace('/', '-') + ".payload"), signed.replace("DIGEST", d.toString()));
        RegistryTestSupport.sh(tmp, "openssl", "dgst", "-sha256", "-sign", key + ".key", "-out", p + ".sig", p.toString());
        String sig = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(p + ".sig")));
        byte[] layer = served.replace("DIGEST", d.toString()).getBytes(StandardCharsets.UTF_8);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        upload(repo, layer);
        upload(repo, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + Cosign.PAYLOAD_TYPE + "\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + ",\"annotations\":{\"" + Cosign.SIGNATURE_ANNOTATION + "\":\"" + sig + "\"}}]}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/" + repo
                + "/manifests/sha256-" + d.hex() + ".sig")).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return d;
    }

    static void upload(String repo, byte[] blob) throws Exception {
        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/" + repo
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create("http://" + registry.host()).resolve(location + (location.contains("?") ? "&" : "?") + "digest="
                + Digest.sha256(blob));
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, done.statusCode(), done.body());
    }

    static void pull(String repo, String key, String identity, ImageStore store) throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy-" + repo.replace('/', '-') + "-" + key + ".json"), "{\"default\":[{\"type\":\"reject\"}],"
                + "\"transports\":{\"docker\":{\"" + registry.host() + "/" + repo + "\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\""
                + tmp.resolve(key + ".pub") + "\"" + (identity == null ? "" : ",\"signedIdentity\":{\"type\":\"" + identity + "\"}") + "}]}}}");
        ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                .trust(new ImagePuller.Trust(Policy.read(policy), List.of(tmp.resolve("no-registries.d")))).build()
                .pull(ImageReference.parse(registry.host() + "/" + repo + ":1"));
    }

    static String refused(String repo, String key, String identity) throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("store-" + repo.replace('/', '-') + "-" + key + "-" + identity));
        TrustException e = assertThrows(TrustException.class, () -> pull(repo, key, identity, store));
        assertTrue(store.list().isEmpty());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void acceptsAGoodSignatureByTheTrustedKeyAndRecordsIt() throws Exception {
        String name = registry.host() + "/c/good";
        Digest d = pushSigned("c/good", payload(name, "DIGEST"), payload(name, "DIGEST"), "ec");
        ImageStore store = new ImageStore(tmp.resolve("store-good"));
        pull("c/good", "ec", "matchRepository", store);
        Verification v = Verification.read(store.root(), d);
        assertEquals("sigstoreSigned", v.requirement());
        assertTrue(v.key().startsWith("SHA256:"), v.key());
        // cosign names the repository alone: the default identity (matchRepoDigestOrExact) does not accept that for a tag
        assertTrue(refused("c/good", "ec", null).contains("which matchRepoDigestOrExact does not accept"));
        assertTrue(refused("c/good", "other", "matchRepository").contains("the ECDSA signature does not verify"));
    }

    @Test
    void refusesAChangedPayloadAnotherDigestAndNoSignature() throws Exception {
        String name = registry.host() + "/c/changed";
        String good = payload(name, "DIGEST");
        pushSigned("c/changed", good, good.replace("cosign container", "cosign  container"), "ec");
        assertTrue(refused("c/changed", "ec", "matchRepository").contains("does not verify"));

        String other = payload(registry.host() + "/c/digest", Digest.sha256(new byte[0]).toString());
        pushSigned("c/digest", other, other, "ec");
        assertTrue(refused("c/digest", "ec", "matchRepository").contains("is for manifest " + Digest.sha256(new byte[0])));

        registry.push(layout, "t", "c/none:1", null);
        assertTrue(refused("c/none", "ec", "matchRepository").contains("it has no cosign signature (no tag 'sha256-"));
    }
}
