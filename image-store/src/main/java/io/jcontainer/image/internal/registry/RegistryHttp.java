package io.jcontainer.image.internal.registry;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.registry.Credentials;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * HTTP to one registry: its base URI ({@code https://host:port}, {@code http://} only when insecure), the
 * authentication dance and redirects. The registry calls ({@link ManifestPull}, {@link BlobPull}) build on it and
 * describe themselves in their errors; this class only answers responses or throws {@link IOException}.
 *
 * <p>Authentication follows the Docker token spec: a request goes out with what this registry asked for
 * before (a bearer token for the scope, or basic credentials); on 401 the {@code WWW-Authenticate} challenge
 * says which, a {@link TokenFetch} gets a token, and the request is sent once more.
 *
 * <p>Redirects are followed here, not by {@link HttpClient}: the {@code Authorization} header must not travel
 * to another host (blob storage behind a redirect rejects it or, worse, logs it), while {@code Range} must.
 */
public final class RegistryHttp {
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** Docker Hub's registry API does not live at the name images use. */
    private static final String DOCKER_HUB_API = "registry-1.docker.io";

    private final HttpClient client;
    private final String registry;
    private final URI base;
    private final boolean insecure;
    private final Credentials credentials;
    private final String userAgent;
    private final Duration timeout;
    private final Duration readTimeout;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private volatile String basic;

    public RegistryHttp(HttpClient client, String registry, boolean insecure, Credentials credentials, String userAgent,
                        Duration timeout) {
        this(client, registry, insecure, credentials, userAgent, timeout, timeout);
    }

    /**
     * @param readTimeout how long a response body may send nothing before the exchange counts as stalled
     *                    ({@link StallGuard}); {@code timeout} only covers the connection and the headers
     */
    public RegistryHttp(HttpClient client, String registry, boolean insecure, Credentials credentials, String userAgent,
                        Duration timeout, Duration readTimeout) {
        this.client = Objects.requireNonNull(client);
        this.readTimeout = Objects.requireNonNull(readTimeout);
        this.registry = registry;
        this.insecure = insecure;
        this.credentials = credentials;
        this.userAgent = userAgent;
        this.timeout = timeout;
        String host = ImageReference.DOCKER_HUB.equals(registry) ? DOCKER_HUB_API : registry;
        this.base = URI.create((insecure ? "http://" : "https://") + host);
    }

    public String registry() {
        return registry;
    }

    public URI base() {
        return base;
    }

    public boolean insecure() {
        return insecure;
    }

    /** {@code repository:NAME:pull}, the scope a pull asks a token for. */
    public static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    /** {@code repository:NAME:pull,push}, the scope a push asks a token for. */
    public static String pushScope(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    /** {@code registry:catalog:*}, the scope of {@code GET /v2/_catalog}. */
    public static final String CATALOG_SCOPE = "registry:catalog:*";

    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The body of {@code response}, failing with "no data for N s" when the registry stops sending for
     * {@link #readTimeout()}: {@link HttpClient}'s own timeout ends when the headers are in.
     */
    public InputStream body(HttpResponse<InputStream> response) {
        return StallGuard.watch(response.body(), readTimeout);
    }

    /**
     * Sends {@code method path} with {@code headers}, authenticating for {@code scope} and following redirects.
     * The caller closes the body. A 401 after authenticating is answered, not thrown.
     */
    public HttpResponse<InputStream> send(String method, String path, Map<String, String> headers, String scope)
            throws IOException {
        return send(method, path, headers, scope, null);
    }

    /**
     * As {@link #send(String, String, Map, String)}, with a request body ({@code null} for none); the publisher is
     * subscribed to again when the request is repeated (after a 401 or a 307/308 redirect). {@code path} may be an
     * absolute URI on this registry, such as an upload's {@code Location}.
     */
    public HttpResponse<InputStream> send(String method, String path, Map<String, String> headers, String scope,
                                          HttpRequest.BodyPublisher body) throws IOException {
        URI uri = base.resolve(path);
        boolean authenticated = false;
        for (int hop = 0; ; hop++) {
            boolean sameOrigin = sameOrigin(uri, base);
            String authorization = sameOrigin ? authorization(scope) : null;
            HttpResponse<InputStream> response = sendOnce(method, uri, headers, authorization, body);
            int status = response.statusCode();
            if (status == 401 && sameOrigin && !authenticated) {
                List<AuthChallenge> challenges = AuthChallenge.parse(response.headers().allValues("WWW-Authenticate"));
                authenticated = true;
                boolean again;
                try {
                    again = authenticate(challenges, scope, authorization);
                } catch (IOException | RuntimeException e) {
                    closeQuietly(response);
                    throw e;
                }
                if (again) {
                    closeQuietly(response);
                    continue;
                }
                return response;
            }
            if (isRedirect(status)) {
                String location = response.headers().firstValue("Location").orElse(null);
                closeQuietly(response);
                if (location == null) {
                    throw new IOException(status + " redirect without a Location from " + uri);
                }
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException("more than " + MAX_REDIRECTS + " redirects, last to " + location);
                }
                uri = uri.resolve(location);
                if (!insecure && "http".equals(uri.getScheme())) {
                    throw new IOException("redirected to plain HTTP '" + location + "', refusing");
                }
                continue;
            }
            return response;
        }
    }

    private HttpResponse<InputStream> sendOnce(String method, URI uri, Map<String, String> headers, String authorization,
                                               HttpRequest.BodyPublisher body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body).header("User-Agent", userAgent);
        if (body == null || body.contentLength() == 0) {
            b.timeout(timeout); // for an upload the timeout would cover sending the whole body: none then
        }
        if ("http".equals(uri.getScheme())) {
            b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with plain-HTTP registries
        }
        headers.forEach(b::header);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private String authorization(String scope) {
        String token = scope == null ? null : tokens.get(scope);
        return token != null ? token : basic;
    }

    /** Acts on a 401's challenges; true when the request is worth sending again. */
    private boolean authenticate(List<AuthChallenge> challenges, String scope, String sent) throws RegistryException {
        AuthChallenge bearer = challenges.stream().filter(AuthChallenge::isBearer).findFirst().orElse(null);
        if (bearer != null) {
            String wanted = mergeScopes(scope, bearer.param("scope"));
            String token = new TokenFetch(client, bearer, wanted, credentials, insecure, userAgent, timeout).call();
            String header = "Bearer " + token;
            if (header.equals(sent)) {
                return false; // the same token again: the registry refuses it for good
            }
            if (scope != null) {
                tokens.put(scope, header);
            }
            return true;
        }
        boolean asksBasic = challenges.isEmpty() || challenges.stream().anyMatch(AuthChallenge::isBasic);
        if (asksBasic && credentials != null && !credentials.basicHeader().equals(sent)) {
            basic = credentials.basicHeader();
            return true;
        }
        return false;
    }

    /**
     * The scopes to ask a token for: ours and the challenge's, actions of one resource joined
     * ({@code repository:a:pull,push repository:b:pull}), as Docker's client asks; scopes are space-separated.
     */
    static String mergeScopes(String ours, String challenge) {
        Map<String, java.util.Set<String>> byResource = new java.util.LinkedHashMap<>();
        for (String list : new String[] {ours, challenge}) {
            if (list == null) {
                continue;
            }
            for (String scope : list.trim().split("\\s+")) {
                int last = scope.lastIndexOf(':');
                if (scope.isEmpty() || last <= 0) {
                    continue;
                }
                java.util.Set<String> actions = byResource.computeIfAbsent(scope.substring(0, last), k -> new java.util.LinkedHashSet<>());
                actions.addAll(List.of(scope.substring(last + 1).split(",")));
            }
        }
        if (byResource.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        byResource.forEach((resource, actions) -> sb.append(sb.length() > 0 ? " " : "").append(resource).append(':')
                .append(String.join(",", actions)));
        return sb.toString();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    public static void closeQuietly(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }

    /**
     * A one-line account of an error answer: {@code 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)}.
     * Reads (a bounded part of) the body and closes it.
     */
    public static String describe(HttpResponse<InputStream> response) {
        String text = statusText(response.statusCode());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return text;
        }
        if (body.length > 0 && body[0] == '{') {
            try {
                ErrorsJson errors = Json.read(body, ErrorsJson.class, "error body");
                if (errors.errors != null && !errors.errors.isEmpty()) {
                    StringBuilder sb = new StringBuilder(text).append(" (");
                    for (int i = 0; i < errors.errors.size() && i < 3; i++) {
                        ErrorsJson.ErrorJson e = errors.errors.get(i);
                        sb.append(i > 0 ? "; " : "").append(e.code).append(e.message == null ? "" : ": " + e.message);
                    }
                    return sb.append(')').toString();
                }
            } catch (IOException ignored) {
                // not the registry's error format: the status says enough
            }
        }
        if (response.statusCode() >= 400 && body.length > 0 && body.length < 200) {
            String s = new String(body, StandardCharsets.UTF_8).strip();
            if (!s.isEmpty() && s.indexOf('\n') < 0 && s.indexOf('<') < 0) {
                return text + " (" + s + ")";
            }
        }
        return text;
    }

    public static String statusText(int status) {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> null;
        };
        return reason == null ? "HTTP " + status : status + " " + reason;
    }

    /** A one-line reason for a failed exchange: "connection refused (https://127.0.0.1:5000)", not a class name. */
    public String describe(IOException e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StallGuard.StalledException || t instanceof ConnectException || t instanceof SSLException || t instanceof UnknownHostException
                    || t instanceof UnresolvedAddressException || t instanceof HttpTimeoutException) {
                root = t;
                break;
            }
        }
        String where = " (" + base + ")";
        if (root instanceof HttpConnectTimeoutException) {
            return "connection timed out" + where;
        }
        if (root instanceof StallGuard.StalledException) {
            return root.getMessage() + where;
        }
        if (root instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toSeconds() + " s" + where;
        }
        if (root instanceof ConnectException) {
            return "connection refused" + where;
        }
        if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            return "unknown host '" + base.getHost() + "'";
        }
        if (root instanceof SSLException) {
            return "TLS handshake failed" + where + ": " + message(root)
                    + "; a plain-HTTP registry needs insecure (--insecure)";
        }
        return message(e);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null && t.getCause() != null && t.getCause().getMessage() != null) {
            m = t.getCause().getMessage();
        }
        return m == null ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
