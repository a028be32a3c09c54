package io.jcontainer.image.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageIndex;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Manifest;
import io.jcontainer.image.Platform;
import io.jcontainer.image.internal.json.Wire;
import io.jcontainer.image.internal.store.BlobSources;
import io.jcontainer.image.internal.store.FsUtil;
import io.jcontainer.image.internal.store.StoreLock;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Pulls an image from a registry into an {@link ImageStore} ({@code jcontainer pull}), as systemd's pull-oci.c
 * and Jib's puller do: the manifest (an index or manifest list is resolved to the configured platform), then
 * config and layers in parallel ({@link #DEFAULT_PARALLEL_DOWNLOADS} at a time), each verified while it streams;
 * blobs already in the store are not downloaded.
 *
 * <p>New blobs are staged in the store's {@code tmp/pull-MANIFESTHEX/} ({@code tmp/user-UID/pull-MANIFESTHEX/} for
 * a member of group jcontainer, see {@link ImageStore#scratchDir}) and moved into {@code blobs/} only
 * when all of them are in and verified; then the manifest is stored and the name registered. A failed pull
 * leaves {@code blobs/}, {@code layers/} and {@code refs/} as they were; what it staged or half downloaded
 * under {@code tmp/} lets the next pull of the image go on where it stopped (gc removes it otherwise). The store's
 * shared lock is held from the first download to the registration, so gc cannot run in between.
 */
public final class ImagePuller {
    public static final int DEFAULT_PARALLEL_DOWNLOADS = 3;
    /** An index may name an index (nested multi-platform images); this deep and no deeper. */
    private static final int MAX_INDEX_DEPTH = 4;

    private final ImageStore store;
    private final Platform platform;
    private final boolean insecure;
    private final AuthFile authFile;
    private final Credentials credentials;
    private final String defaultRegistry;
    private final int parallelDownloads;
    private final Duration timeout;
    private final Duration readTimeout;
    /** The signature policy and registries.d directories; null: no signature check (library callers, tests). */
    private final Trust trust;
    /**
     * Built in the background from construction on: an {@link HttpClient} loads the JDK's CA certificates
     * (about 0.4 s on a cold JVM, seconds on a loaded machine), which overlaps with opening the store and reading
     * auth files this way. An insecure (plain-HTTP) puller builds a client that loads them only if it meets TLS.
     */
    private final CompletableFuture<HttpClient> httpClient;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    /**
     * Test hook, for tests only: run between finding the config in the staging dir and reading it there, so that a
     * test can let a concurrent pull of the same image move it into the store inside that window. Does nothing otherwise.
     */
    static volatile Runnable testHookStagedRead = () -> { };

    private ImagePuller(Builder b) {
        this.store = b.store;
        this.platform = b.platform;
        this.insecure = b.insecure;
        this.authFile = b.authFile;
        this.credentials = b.credentials;
        this.defaultRegistry = b.defaultRegistry;
        this.parallelDownloads = b.parallelDownloads;
        this.timeout = b.timeout;
        this.readTimeout = b.readTimeout != null ? b.readTimeout : b.timeout;
        this.trust = b.trust;
        Duration connectTimeout = b.timeout;
        this.httpClient = insecure ? CompletableFuture.completedFuture(RegistryClient.newPlainHttpClient(connectTimeout))
                : CompletableFuture.supplyAsync(() -> RegistryClient.newHttpClient(connectTimeout));
    }

    public static Builder builder(ImageStore store) {
        return new Builder(store);
    }

    /** Parses {@code text} with the configured default registry for short names, then pulls it. */
    public Image pull(String text, PullProgress progress) throws ImageStoreException {
        return pull(ImageReference.parse(text, defaultRegistry), progress);
    }

    public Image pull(ImageReference image) throws ImageStoreException {
        return pull(image, PullProgress.NONE);
    }

    /** Pulls {@code image} and registers it under that name; returns the image as the store now has it. */
    public Image pull(ImageReference image, PullProgress progress) throws ImageStoreException {
        PullProgress p = progress == null ? PullProgress.NONE : progress;
        store.requireWritable(); // before the network: a caller who may not write the store hears it at once
        RegistryClient client = client(image);
        try (StoreLock.Held held = store.lockForWriting()) {
            PulledManifest chosen = client.pullManifest(image);
            // Signatures are of the manifest the reference names (an index for a multi-platform image), as
            // containers/image checks them: before any blob is downloaded.
            io.jcontainer.image.trust.Verification verified = trust == null ? null : trust.check(client, image, chosen.digest(),
                    httpClient.join(), timeout);
            Wire.Parsed parsed = parse(chosen, image);
            for (int depth = 0; parsed instanceof Wire.ParsedIndex index; depth++) {
                if (depth >= MAX_INDEX_DEPTH) {
                    throw new RegistryException("Failed to pull '" + image + "': indexes nested deeper than " + MAX_INDEX_DEPTH
                            + ", refusing.");
                }
                Descriptor entry = select(index.index(), image);
                chosen = client.pullManifest(image, entry);
                parsed = parse(chosen, image);
            }
            Manifest manifest = ((Wire.ParsedManifest) parsed).manifest();
            p.resolved(image, chosen.digest(), manifest);

            Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
            blobs.put(manifest.config().digest(), manifest.config());
            for (Descriptor layer : manifest.layers()) {
                blobs.putIfAbsent(layer.digest(), layer);
            }
            Path tmp = store.scratchDir();
            Path stagingDir = tmp.resolve("pull-" + chosen.digest().hex());
            BlobStore staging = new BlobStore(stagingDir);
            download(client, image, new ArrayList<>(blobs.values()), staging, tmp, p);
            checkConfig(image, manifest, staging);
            adopt(staging, blobs.keySet());
            store.blobs().put(new java.io.ByteArrayInputStream(chosen.bytes()), chosen.descriptor());
            if (verified != null) {
                verified.write(store.root(), chosen.digest()); // kept by the digest the name points at
            }
            Image result = store.register(image, chosen.digest());
            BlobSources sources = new BlobSources(store.root());
            for (Digest d : blobs.keySet()) {
                sources.add(d, image.registry(), image.repository()); // a later push to this registry can mount it
            }
            removeEmpty(stagingDir);
            p.finished(result);
            return result;
        }
    }

    private RegistryClient client(ImageReference image) throws RegistryException {
        Credentials c = credentials != null ? credentials : authFile.find(image).orElse(null);
        // auth.json keys may be scoped to a repository: one client (and token cache) per registry and credentials
        String key = image.registry() + (c == null ? "" : "\0" + c.username() + "\0" + c.password());
        return clients.computeIfAbsent(key, k -> RegistryClient.builder(image.registry()).insecure(insecure).credentials(c)
                .httpClient(httpClient.join()).timeout(timeout).readTimeout(readTimeout).build());
    }

    private static Wire.Parsed parse(PulledManifest m, ImageReference image) throws RegistryException {
        try {
            return Wire.parseManifestOrIndex(m.bytes(), m.mediaType(), m.digest() + " of '" + image + "'");
        } catch (RegistryException e) {
            throw e;
        } catch (ImageStoreException e) {
            throw new RegistryException("Failed to pull '" + image + "': " + e.getMessage(), e);
        }
    }

    private Descriptor select(ImageIndex index, ImageReference image) throws RegistryException {
        return index.select(platform).orElseThrow(() -> new RegistryException("Failed to pull '" + image
                + "': its index has no image for " + platform + " (it has " + index.manifests().stream()
                .map(d -> d.platform() == null ? "unnamed" : d.platform().toString()).distinct()
                .collect(Collectors.joining(", ")) + "), refusing."));
    }

    /** Downloads what the store lacks, {@link #parallelDownloads} at a time; the first failure cancels the rest. */
    private void download(RegistryClient client, ImageReference image, List<Descriptor> blobs, BlobStore staging, Path tmp,
                          PullProgress progress) throws ImageStoreException {
        List<Descriptor> wanted = new ArrayList<>();
        for (Descriptor d : blobs) {
            if (store.blobs().contains(d.digest()) || staging.contains(d.digest())) {
                progress.blobSkipped(d);
            } else {
                wanted.add(d);
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelDownloads, wanted.size()), r -> {
            Thread t = new Thread(r, "jcontainer-pull-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<Descriptor> done = new ExecutorCompletionService<>(pool);
        List<Future<Descriptor>> futures = new ArrayList<>();
        try {
            for (Descriptor d : wanted) {
                futures.add(done.submit(() -> client.pullBlob(image, d, staging, store.blobs(), tmp, progress)));
            }
            for (int i = 0; i < wanted.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof ImageStoreException ise) {
                        throw ise;
                    }
                    throw new RegistryException("Failed to pull '" + image + "': " + cause, cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Failed to pull '" + image + "': interrupted");
        } finally {
            futures.forEach(f -> f.cancel(true));
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Removes the staging directory if nothing is left in it. Not recursively: another pull of the same image (same
     * staging directory) may be writing there now; whatever stays is gc's.
     */
    private static void removeEmpty(Path stagingDir) {
        for (String sub : List.of("blobs/sha256", "blobs", "tmp", "")) {
            try {
                Files.deleteIfExists(stagingDir.resolve(sub));
            } catch (IOException ignored) {
                // not empty: in use by a concurrent pull
            }
        }
    }

    /** Refuses an image that {@link ImageStore#register} would refuse, before anything is moved into the store. */
    private void checkConfig(ImageReference image, Manifest manifest, BlobStore staging) throws ImageStoreException {
        Digest d = manifest.config().digest();
        try {
            byte[] bytes;
            if (staging.contains(d)) {
                testHookStagedRead.run();
                try {
                    bytes = staging.read(d, BlobStore.MAX_METADATA_BYTES);
                } catch (ImageStoreException e) {
                    // A concurrent pull of the same image (same staging dir) may have moved it into the store between
                    // the two looks: a rename, so it is in one of the two at every instant.
                    if (!store.blobs().contains(d)) {
                        throw e;
                    }
                    bytes = store.blobs().read(d, BlobStore.MAX_METADATA_BYTES);
                }
            } else {
                bytes = store.blobs().read(d, BlobStore.MAX_METADATA_BYTES);
            }
            ImageConfig config = Wire.parseConfig(bytes, "config " + d);
            if (config.diffIds().size() != manifest.layers().size()) {
                throw new ImageStoreException("config " + d + " has " + config.diffIds().size() + " diff_ids but the manifest "
                        + manifest.layers().size() + " layers, refusing.");
            }
        } catch (ImageStoreException e) {
            throw new RegistryException("Failed to pull '" + image + "': " + e.getMessage(), e);
        }
    }

    /** Moves the staged blobs into the store: each an atomic rename of a verified file, then one directory fsync. */
    private void adopt(BlobStore staging, Iterable<Digest> digests) throws ImageStoreException {
        Path blobDir = null;
        for (Digest d : digests) {
            Path target = store.blobs().path(d);
            blobDir = target.getParent();
            if (store.blobs().contains(d)) {
                FsUtil.deleteQuietly(staging.path(d)); // a pull of another image sharing it stored it first
                continue;
            }
            try {
                Files.move(staging.path(d), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                FsUtil.deleteQuietly(staging.path(d)); // another pull moved the same blob in first
            } catch (IOException e) {
                if (!store.blobs().contains(d)) {
                    throw new ImageStoreException("Failed to move blob " + d + " into '" + target.getParent() + "': "
                            + FsUtil.describe(e), e);
                }
            }
        }
        if (blobDir != null) {
            try {
                FsUtil.fsyncDirectory(blobDir);
            } catch (IOException e) {
                throw new ImageStoreException("Failed to sync '" + blobDir + "': " + FsUtil.describe(e), e);
            }
        }
    }

    /**
     * What a pull checks signatures against: a policy and the registries.d directories that say where signatures are
     * stored. The trust classes (and BouncyCastle with them) load only when a pull has one.
     */
    public record Trust(io.jcontainer.image.trust.Policy policy, List<Path> registriesDirs) {
        io.jcontainer.image.trust.Verification check(RegistryClient client, ImageReference image, Digest manifest,
                                                     HttpClient http, Duration timeout) throws ImageStoreException {
            io.jcontainer.image.trust.RegistriesD config = io.jcontainer.image.trust.RegistriesD.read(registriesDirs);
            return io.jcontainer.image.trust.PolicyCheck.check(policy, image, manifest,
                    new io.jcontainer.image.trust.RegistrySignatures(config, client, image, manifest, http, timeout),
                    java.time.Instant.now());
        }
    }

    /** Options of an {@link ImagePuller}. */
    public static final class Builder {
        private final ImageStore store;
        private Platform platform = Platform.DEFAULT;
        private boolean insecure;
        private AuthFile authFile = AuthFile.defaults();
        private Credentials credentials;
        private String defaultRegistry = ImageReference.DOCKER_HUB;
        private int parallelDownloads = DEFAULT_PARALLEL_DOWNLOADS;
        private Duration timeout = RegistryClient.DEFAULT_TIMEOUT;
        private Duration readTimeout;
        private Trust trust;

        private Builder(ImageStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The platform an index is resolved to; linux/amd64 by default ({@code --platform}). */
        public Builder platform(Platform value) {
            this.platform = Objects.requireNonNull(value);
            return this;
        }

        /** Plain HTTP instead of HTTPS ({@code --insecure}). */
        public Builder insecure(boolean value) {
            this.insecure = value;
            return this;
        }

        /** Where credentials come from; {@link AuthFile#defaults()} unless set ({@code --authfile}). */
        public Builder authFile(AuthFile value) {
            this.authFile = Objects.requireNonNull(value);
            return this;
        }

        /** Credentials for every registry, instead of the auth file ({@code --creds}). */
        public Builder credentials(Credentials value) {
            this.credentials = value;
            return this;
        }

        /** The registry of short names such as {@code busybox}; {@code docker.io} by default. */
        public Builder defaultRegistry(String value) {
            this.defaultRegistry = Objects.requireNonNull(value);
            return this;
        }

        public Builder parallelDownloads(int value) {
            if (value < 1 || value > 32) {
                throw new IllegalArgumentException("parallel downloads must be 1..32, not " + value);
            }
            this.parallelDownloads = value;
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        /**
         * How long a download may receive nothing before it counts as stalled (default: the timeout); a stalled
         * blob is resumed like a dropped one and, after {@link io.jcontainer.image.internal.registry.BlobPull#MAX_ATTEMPTS}
         * tries without progress, fails the pull, its partial file kept for the next pull.
         */
        public Builder readTimeout(Duration value) {
            this.readTimeout = Objects.requireNonNull(value);
            return this;
        }

        /** Checks every pulled image against a signature policy before downloading its blobs ({@code jcontainer pull}). */
        public Builder trust(Trust value) {
            this.trust = value;
            return this;
        }

        public ImagePuller build() {
            return new ImagePuller(this);
        }
    }
}
