package io.jcontainer.image.internal.registry;

import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.registry.Credentials;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The token fetch of the Docker token spec: {@code GET realm?service=S&scope=X}, with basic credentials when
 * there are any, answering {@code {"token": ...}} (or OAuth2's {@code access_token}).
 */
public final class TokenFetch {
    private static final int MAX_BYTES = 1024 * 1024;

    private final HttpClient client;
    private final AuthChallenge challenge;
    private final String scope;
    private final Credentials credentials;
    private final boolean insecure;
    private final String userAgent;
    private final Duration timeout;

    public TokenFetch(HttpClient client, AuthChallenge challenge, String scope, Credentials credentials, boolean insecure,
                      String userAgent, Duration timeout) {
        this.client = client;
        this.challenge = challenge;
        this.scope = scope;
        this.credentials = credentials;
        this.insecure = insecure;
        this.userAgent = userAgent;
        this.timeout = timeout;
    }

    public String description() {
        return "fetch a bearer token from '" + challenge.param("realm") + "'" + (scope == null ? "" : " for scope '" + scope + "'");
    }

    public String call() throws RegistryException {
        String realm = challenge.param("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException("Failed to authenticate: the registry's bearer challenge names no realm, refusing.");
        }
        URI uri;
        try {
            StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
            String service = challenge.param("service");
            if (service != null) {
                q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
            }
            if (scope != null) {
                // several scopes (a push that mounts from another repository) are several scope parameters
                String sep = "";
                for (String one : scope.trim().split("\\s+")) {
                    q.append(sep).append("scope=").append(URLEncoder.encode(one, StandardCharsets.UTF_8));
                    sep = "&";
                }
            }
            uri = URI.create(q.toString());
        } catch (IllegalArgumentException e) {
            throw new RegistryException("Failed to " + description() + ": invalid realm, refusing.");
        }
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && insecure)) {
            throw new RegistryException("Failed to " + description() + ": realm is not HTTPS (plain HTTP only with insecure), refusing.");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(timeout).header("User-Agent", userAgent)
                .header("Accept", "application/json");
        if ("http".equals(uri.getScheme())) {
            b.version(HttpClient.Version.HTTP_1_1);
        }
        if (credentials != null) {
            b.header("Authorization", credentials.basicHeader());
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Failed to " + description() + ": interrupted");
        } catch (IOException e) {
            throw new RegistryException("Failed to " + description() + ": " + e.getMessage(), e);
        }
        if (response.statusCode() != 200) {
            throw new RegistryException("Failed to " + description() + ": " + RegistryHttp.describe(response), response.statusCode(), null);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BYTES);
        } catch (IOException e) {
            throw new RegistryException("Failed to " + description() + ": " + e.getMessage(), e);
        }
        try {
            return tokenFrom(body);
        } catch (ImageStoreException e) {
            throw new RegistryException("Failed to " + description() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The token of a token endpoint's answer: {@code token}, else OAuth2's {@code access_token}. It goes into an
     * {@code Authorization: Bearer} header, so only visible ASCII is accepted (RFC 6750's b64token is narrower
     * still): a control character or a line break would otherwise fail later, deep in the HTTP client.
     */
    static String tokenFrom(byte[] body) throws ImageStoreException {
        TokenJson json = Json.read(body, TokenJson.class, "the answer");
        String token = json.token != null && !json.token.isEmpty() ? json.token : json.accessToken;
        if (token == null || token.isEmpty()) {
            throw new ImageStoreException("the answer has neither 'token' nor 'access_token', refusing.");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new ImageStoreException("the answer's token has a character that cannot be sent in a header, refusing.");
            }
        }
        return token;
    }
}
