package io.jcontainer.image.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.internal.registry.BlobPull;
import io.jcontainer.image.internal.registry.ManifestPull;
import io.jcontainer.image.internal.registry.RegistryHttp;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The read side of the OCI distribution API for one registry: manifests and blobs, with anonymous, basic or
 * bearer-token authentication (tokens are kept per scope for the client's life). One small class per call does
 * the work ({@code internal.registry.ManifestPull}, {@code BlobPull}, {@code TokenFetch}) and names itself in
 * its errors. Thread-safe: {@link ImagePuller} downloads several blobs through one client at once.
 */
public final class RegistryClient {
    public static final String USER_AGENT = "jcontainer/0.1";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final RegistryHttp http;

    private RegistryClient(RegistryHttp http) {
        this.http = http;
    }

    /** A client for {@code registry} ({@code host[:port]} as in an image reference; {@code docker.io} works). */
    public static Builder builder(String registry) {
        return new Builder(registry);
    }

    public String registry() {
        return http.registry();
    }

    /** Fetches what {@code image} names, by digest if it has one, else by tag, verified against Docker-Content-Digest. */
    public PulledManifest pullManifest(ImageReference image) throws RegistryException {
        checkRegistry(image);
        return new ManifestPull(http, image, null).call();
    }

    /** Fetches an entry of {@code image}'s index, verified against the entry's digest and size. */
    public PulledManifest pullManifest(ImageReference image, Descriptor indexEntry) throws RegistryException {
        checkRegistry(image);
        return new ManifestPull(http, image, Objects.requireNonNull(indexEntry)).call();
    }

    /**
     * Downloads a blob of {@code image}'s repository into {@code target}, verified by digest and size, resuming
     * from and keeping {@code partialDir/pull-HEX.partial} (put it under the store's {@code tmp/}).
     */
    public Descriptor pullBlob(ImageReference image, Descriptor blob, BlobStore target, Path partialDir, PullProgress progress)
            throws RegistryException {
        checkRegistry(image);
        return new BlobPull(http, image, blob, partialDir, progress == null ? PullProgress.NONE : progress).call(target);
    }

    /** As the public pullBlob, but nothing is downloaded when {@code elsewhere} (the store proper) has the blob by then. */
    Descriptor pullBlob(ImageReference image, Descriptor blob, BlobStore target, BlobStore elsewhere, Path partialDir,
                        PullProgress progress) throws RegistryException {
        checkRegistry(image);
        return new BlobPull(http, image, blob, partialDir, progress).call(target, elsewhere);
    }

    private void checkRegistry(ImageReference image) {
        if (!image.registry().equals(http.registry())) {
            throw new IllegalArgumentException("'" + image + "' is not on " + http.registry());
        }
    }

    /** Options of a {@link RegistryClient}. */
    public static final class Builder {
        private final String registry;
        private boolean insecure;
        private Credentials credentials;
        private HttpClient httpClient;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String userAgent = USER_AGENT;

        private Builder(String registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Plain HTTP instead of HTTPS; only when asked for ({@code --insecure}). */
        public Builder insecure(boolean value) {
            this.insecure = value;
            return this;
        }

        /** Credentials for basic auth and for token fetches; null for anonymous. */
        public Builder credentials(Credentials value) {
            this.credentials = value;
            return this;
        }

        /** A shared client; it must not follow redirects itself ({@link HttpClient.Redirect#NEVER}). */
        public Builder httpClient(HttpClient value) {
            this.httpClient = value;
            return this;
        }

        /** How long to wait for a connection and for the headers of an answer. */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        public Builder userAgent(String value) {
            this.userAgent = Objects.requireNonNull(value);
            return this;
        }

        public RegistryClient build() {
            HttpClient client = httpClient != null ? httpClient : newHttpClient(timeout);
            return new RegistryClient(new RegistryHttp(client, registry, insecure, credentials, userAgent, timeout));
        }
    }

    /** An {@link HttpClient} as registry calls need it: no automatic redirects (see RegistryHttp), a connect timeout. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
    }
}
