package io.jcontainer.image.registry;

import static io.jcontainer.image.registry.RegistryTestSupport.sh;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A token issuer for tests, per the Docker token spec: {@code GET /token?service=S&scope=repository:NAME:ACTIONS}
 * answers a JWT (RS256, the signing certificate in {@code x5c}) that grants the asked actions to the one known
 * user (basic credentials), and nothing to anyone else. The key and its self-signed certificate come from
 * {@code openssl}; docker-registry trusts the certificate through {@code auth.token.rootcertbundle}.
 */
final class TestTokenIssuer implements AutoCloseable {
    static final String SERVICE = "jcontainer-test-registry";
    static final String ISSUER = "jcontainer-test-issuer";

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Path certFile;
    private final String user;
    private final String password;
    /** One line per token request: "user scope" or "- scope" for anonymous, "! scope" for bad credentials. */
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** Answer in OAuth2's {@code access_token} field instead of {@code token}. */
    volatile boolean oauthField;

    TestTokenIssuer(Path dir, String user, String password) throws Exception {
        RegistryTestSupport.requireCommand("openssl");
        this.user = user;
        this.password = password;
        Files.createDirectories(dir);
        sh(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "2", "-subj", "/CN=" + ISSUER);
        this.certFile = dir.resolve("cert.pem");
        this.cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        String pem = Files.readString(dir.resolve("key.pem"));
        if (!pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalStateException("openssl wrote no PKCS#8 key: " + pem.lines().findFirst().orElse(""));
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/token", this::token);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    Path certificate() {
        return certFile;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    private void token(HttpExchange ex) throws java.io.IOException {
        try (ex) {
            List<String> scopes = new ArrayList<>();
            String service = null;
            String query = ex.getRequestURI().getRawQuery();
            for (String kv : query == null ? new String[0] : query.split("&")) {
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(kv.substring(0, Math.max(eq, 0)), StandardCharsets.UTF_8);
                String v = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("scope")) {
                    scopes.add(v);
                } else if (k.equals("service")) {
                    service = v;
                }
            }
            String who = "-";
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
                if (!pair.equals(user + ":" + password)) {
                    requests.add("! " + String.join(" ", scopes));
                    byte[] body = "{\"details\":\"invalid credentials\"}".getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(401, body.length);
                    ex.getResponseBody().write(body);
                    return;
                }
                who = user;
            }
            requests.add(who + " " + String.join(" ", scopes));
            StringBuilder access = new StringBuilder("[");
            if (!who.equals("-")) {
                for (String scope : scopes) {
                    int first = scope.indexOf(':');
                    int last = scope.lastIndexOf(':');
                    if (first < 0 || last <= first) {
                        continue;
                    }
                    String[] actions = scope.substring(last + 1).split(",");
                    access.append(access.length() > 1 ? "," : "").append("{\"type\":\"").append(scope, 0, first)
                            .append("\",\"name\":\"").append(scope, first + 1, last).append("\",\"actions\":[");
                    for (int i = 0; i < actions.length; i++) {
                        access.append(i > 0 ? "," : "").append('"').append(actions[i]).append('"');
                    }
                    access.append("]}");
                }
            }
            access.append(']');
            long now = System.currentTimeMillis() / 1000;
            String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + Base64.getEncoder().encodeToString(cert.getEncoded()) + "\"]}";
            String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + who + "\",\"aud\":\"" + (service == null ? SERVICE : service)
                    + "\",\"exp\":" + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
                    + "\",\"access\":" + access + "}";
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(key);
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String jwt = signingInput + "." + b64.encodeToString(sig.sign());
            byte[] body = ("{\"" + (oauthField ? "access_token" : "token") + "\":\"" + jwt + "\",\"expires_in\":300}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (java.security.GeneralSecurityException e) {
            throw new java.io.IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
