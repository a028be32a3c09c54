package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.TrustException;
import io.jcontainer.image.trust.Verification;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry signature extension: docker-registry does not have it, so a small front (a fake, named as such)
 * answers {@code GET /v2/} with {@code X-Registry-Supports-Signatures: 1} and serves
 * {@code /extensions/v2/NAME/signatures/DIGEST} with a signature that {@code skopeo standalone-sign} made; every
 * other request goes to the real registry.
 */
class SignatureExtensionTest {
    @TempDir
    Path tmp;
    LocalRegistry registry;
    TestGpg gpg;
    HttpServer front;
    volatile boolean advertise = true;
    volatile String signatures = "{\"signatures\":[]}";
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        Path layout = TestImages.busyboxLayout(tmp);
        registry = LocalRegistry.start(tmp.resolve("registry"));
        registry.push(layout, "t", "r/good:1", null);
        gpg = new TestGpg();
        front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        front.createContext("/", this::serve);
        front.start();
    }

    @AfterEach
    void stop() throws Exception {
        front.stop(0);
        registry.close();
        gpg.close();
    }

    private void serve(HttpExchange x) throws java.io.IOException {
        String path = x.getRequestURI().getRawPath();
        byte[] body;
        int status;
        if (path.equals("/v2/")) {
            if (advertise) {
                x.getResponseHeaders().add("X-Registry-Supports-Signatures", "1");
            }
            status = 200;
            body = "{}".getBytes(StandardCharsets.UTF_8);
        } else if (path.startsWith("/extensions/v2/")) {
            status = 200;
            body = signatures.getBytes(StandardCharsets.UTF_8);
        } else {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + registry.host() + x.getRequestURI()))
                    .method(x.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
            x.getRequestHeaders().getOrDefault("Accept", List.of()).forEach(v -> b.header("Accept", v));
            try {
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                for (String h : List.of("Content-Type", "Docker-Content-Digest")) {
                    r.headers().firstValue(h).ifPresent(v -> x.getResponseHeaders().add(h, v));
                }
                status = r.statusCode();
                body = r.body();
            } catch (InterruptedException e) {
                throw new java.io.IOException(e);
            }
        }
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
        x.close();
    }

    @Test
    void readsSignaturesFromTheExtensionWhenTheRegistryAdvertisesIt() throws Exception {
        String fpr = gpg.generate("ext <ext@example.org>", "ed25519", "never", null);
        gpg.export(fpr, tmp.resolve("ext.gpg"), false);
        String host = "127.0.0.1:" + front.getAddress().getPort();
        String ref = host + "/r/good:1";
        byte[] manifest = RegistryTestSupport.script(null, "skopeo inspect --raw --tls-verify=false docker://" + registry.host()
                + "/r/good:1").getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(manifest);
        Path m = Files.write(tmp.resolve("manifest.json"), manifest);
        gpg.run(null, "skopeo", "standalone-sign", m.toString(), ref, fpr, "-o", tmp.resolve("sig").toString());
        signatures = "{\"signatures\":[{\"schemaVersion\":2,\"type\":\"atomic\",\"name\":\"" + d + "@0123\",\"content\":\""
                + Base64.getEncoder().encodeToString(Files.readAllBytes(tmp.resolve("sig"))) + "\"}]}";
        Path policy = Files.writeString(tmp.resolve("policy.json"), "{\"default\":[{\"type\":\"reject\"}],\"transports\":"
                + "{\"docker\":{\"" + host + "/r\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\""
                + tmp.resolve("ext.gpg") + "\"}]}}}");
        ImagePuller.Trust trust = new ImagePuller.Trust(Policy.read(policy), List.of(tmp.resolve("no-registries.d")));

        ImageStore store = new ImageStore(tmp.resolve("store"));
        ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).trust(trust).build().pull(ImageReference.parse(ref));
        assertEquals(fpr, Verification.read(store.root(), d).key());

        advertise = false; // the same signatures, but the registry does not say it has the extension
        ImageStore other = new ImageStore(tmp.resolve("store2"));
        TrustException e = assertThrows(TrustException.class, () -> ImagePuller.builder(other).insecure(true)
                .authFile(AuthFile.none()).trust(trust).build().pull(ImageReference.parse(ref)));
        assertTrue(e.getMessage().contains("it has no signature (looked in the registry's signature API"), e.getMessage());
    }
}
