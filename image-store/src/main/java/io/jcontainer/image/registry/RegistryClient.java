package io.jcontainer.image.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Digest;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.internal.registry.BlobHead;
import io.jcontainer.image.internal.registry.BlobPull;
import io.jcontainer.image.internal.registry.BlobUpload;
import io.jcontainer.image.internal.registry.CatalogList;
import io.jcontainer.image.internal.registry.LazyTls;
import io.jcontainer.image.internal.registry.ManifestPush;
import io.jcontainer.image.internal.registry.ManifestPull;
import io.jcontainer.image.internal.registry.RegistryHttp;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The OCI distribution API for one registry: manifests and blobs (pull and push), catalog and tags, with anonymous, basic or
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

    /** Whether {@code image}'s repository has {@code blob} ({@code HEAD}). */
    public boolean hasBlob(ImageReference image, Descriptor blob) throws RegistryException {
        checkRegistry(image);
        return new BlobHead(http, image, blob).call();
    }

    /**
     * Sends a blob of {@code source} to {@code image}'s repository, mounted from {@code mountFrom} (a repository of
     * this registry, or null) when the registry agrees, else uploaded; true when it was mounted.
     */
    public boolean pushBlob(ImageReference image, Descriptor blob, BlobStore source, String mountFrom, PushProgress progress)
            throws RegistryException {
        checkRegistry(image);
        return new BlobUpload(http, image, blob, mountFrom, progress == null ? PushProgress.NONE : progress).call(source)
                == BlobUpload.Result.MOUNTED;
    }

    /** Stores a manifest under {@code image}'s tag (or digest); returns its digest, as the registry confirmed it. */
    public Digest pushManifest(ImageReference image, byte[] bytes, MediaType mediaType) throws RegistryException {
        checkRegistry(image);
        return new ManifestPush(http, image, bytes, mediaType).call();
    }

    /** The simple signing signatures the registry's signature extension has for {@code manifest}; empty without it. */
    public List<byte[]> signatures(ImageReference image, Digest manifest) throws RegistryException {
        checkRegistry(image);
        return new io.jcontainer.image.internal.registry.SignatureList(http, image, manifest).call();
    }

    /** A small blob (at most {@code max} bytes) of {@code image}'s repository, in memory, verified by digest. */
    public byte[] smallBlob(ImageReference image, Digest digest, int max) throws RegistryException {
        checkRegistry(image);
        return new io.jcontainer.image.internal.registry.SmallBlobGet(http, image, digest, max).call();
    }

    /** Every repository of the registry ({@code GET /v2/_catalog}, all pages). */
    public List<String> catalog() throws RegistryException {
        return new CatalogList(http, null).call();
    }

    /** The tags of a repository ({@code GET /v2/NAME/tags/list}, all pages). */
    public List<String> tags(String repository) throws RegistryException {
        return new CatalogList(http, repository).call();
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
        private Duration readTimeout;
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

        /** How long an answer's body may send nothing before the exchange fails as stalled (default: the timeout). */
        public Builder readTimeout(Duration value) {
            this.readTimeout = Objects.requireNonNull(value);
            return this;
        }

        public Builder userAgent(String value) {
            this.userAgent = Objects.requireNonNull(value);
            return this;
        }

        public RegistryClient build() {
            HttpClient client = httpClient != null ? httpClient : newHttpClient(timeout);
            return new RegistryClient(new RegistryHttp(client, registry, insecure, credentials, userAgent, timeout,
                    readTimeout != null ? readTimeout : timeout));
        }
    }

    /** An {@link HttpClient} as registry calls need it: no automatic redirects (see RegistryHttp), a connect timeout. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
    }

    /**
     * As {@link #newHttpClient(Duration)}, for a plain-HTTP ({@code insecure}) registry: cheap to build, since the
     * JDK's default TLS context (CA certificates and all) is only loaded if a request does go to {@code https://}
     * ({@link LazyTls}).
     */
    public static HttpClient newPlainHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout)
                .sslContext(LazyTls.context()).sslParameters(LazyTls.parameters()).build();
    }
}
