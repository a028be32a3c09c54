package io.jcontainer.image.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.store.BlobSources;
import io.jcontainer.image.internal.store.StoreLock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes an image of an {@link ImageStore} to a registry ({@code jcontainer push}), as the distribution spec's
 * push goes: for each blob (config and layers, {@link #DEFAULT_PARALLEL_UPLOADS} at a time) a {@code HEAD}
 * first, and nothing sent when the repository has it; else a cross-repository mount when the store knows another
 * repository of the registry that has the blob (it was pulled from or pushed there), else an upload the registry
 * verifies by digest. Then the manifest, byte for byte as stored, so the image keeps its digest; the registry's
 * {@code Docker-Content-Digest} must agree.
 *
 * <p>The store keeps the platform's manifest of a pulled image, not the index it came from, so a push sends that
 * one manifest. The store's shared lock is held throughout, so gc cannot remove a blob being sent.
 */
public final class ImagePusher {
    public static final int DEFAULT_PARALLEL_UPLOADS = 3;

    private final ImageStore store;
    private final boolean insecure;
    private final AuthFile authFile;
    private final Credentials credentials;
    private final Duration timeout;
    private final int parallelUploads;

    private ImagePusher(Builder b) {
        this.store = b.store;
        this.insecure = b.insecure;
        this.authFile = b.authFile;
        this.credentials = b.credentials;
        this.timeout = b.timeout;
        this.parallelUploads = b.parallelUploads;
    }

    public static Builder builder(ImageStore store) {
        return new Builder(store);
    }

    /** What a push did: the manifest digest and how each blob got there. */
    public record Result(ImageReference target, Digest manifestDigest, List<Digest> existed, Map<Digest, String> mounted,
                         List<Digest> uploaded) {
    }

    /** Pushes the store's {@code source} to {@code target} (a name with a tag, or a digest equal to the image's). */
    public Result push(ImageReference source, ImageReference target, PushProgress progress) throws ImageStoreException {
        PushProgress p = progress == null ? PushProgress.NONE : progress;
        // an HttpClient loads the JDK's CA certificates (slow on a cold JVM): overlap that with reading the store;
        // a plain-HTTP one loads them only if it meets TLS
        CompletableFuture<HttpClient> http = insecure ? CompletableFuture.completedFuture(RegistryClient.newPlainHttpClient(timeout))
                : CompletableFuture.supplyAsync(() -> RegistryClient.newHttpClient(timeout));
        Credentials c = credentials != null ? credentials : authFile.find(target).orElse(null);
        BlobSources sources = new BlobSources(store.root());
        try (StoreLock.Held held = store.lockForWriting()) {
            Image image = store.inspect(source);
            byte[] manifestBytes = store.blobs().read(image.manifestDigest(), BlobStore.MAX_METADATA_BYTES);
            Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
            blobs.put(image.manifest().config().digest(), image.manifest().config());
            for (Descriptor layer : image.manifest().layers()) {
                blobs.putIfAbsent(layer.digest(), layer);
            }
            for (Descriptor d : blobs.values()) {
                if (!store.blobs().contains(d.digest())) {
                    throw new ImageStoreException("Failed to push '" + source + "': blob " + d.digest()
                            + " is not in the store (a damaged store: pull or import the image again).");
                }
            }
            RegistryClient client = RegistryClient.builder(target.registry()).insecure(insecure).credentials(c)
                    .httpClient(http.join()).timeout(timeout).build();
            p.started(source, target, blobs.size());
            List<Digest> existed = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Digest> uploaded = java.util.Collections.synchronizedList(new ArrayList<>());
            Map<Digest, String> mounted = new java.util.concurrent.ConcurrentHashMap<>();
            runAll(target, new ArrayList<>(blobs.values()), d -> {
                if (client.hasBlob(target, d)) {
                    p.blobExists(d);
                    existed.add(d.digest());
                } else {
                    String from = mountSource(sources, d.digest(), target);
                    if (client.pushBlob(target, d, store.blobs(), from, p)) {
                        mounted.put(d.digest(), from);
                    } else {
                        uploaded.add(d.digest());
                    }
                }
                sources.add(d.digest(), target.registry(), target.repository());
            });
            ImageReference named = target.tag() == null && target.digest() == null ? target.withTag(ImageReference.DEFAULT_TAG) : target;
            Digest digest = client.pushManifest(named, manifestBytes, image.manifest().mediaType());
            if (!digest.equals(image.manifestDigest())) {
                throw new RegistryException("Failed to push '" + source + "': the registry has manifest " + digest + ", not "
                        + image.manifestDigest() + ", refusing.");
            }
            p.finished(named, digest);
            return new Result(named, digest, List.copyOf(existed), Map.copyOf(mounted), List.copyOf(uploaded));
        }
    }

    /** The newest other repository of the target's registry known to have the blob, or null. */
    private static String mountSource(BlobSources sources, Digest blob, ImageReference target) {
        List<String> known = sources.get(blob);
        String prefix = target.registry() + "/";
        for (int i = known.size() - 1; i >= 0; i--) {
            String entry = known.get(i);
            if (entry.startsWith(prefix) && !entry.equals(prefix + target.repository())) {
                return entry.substring(prefix.length());
            }
        }
        return null;
    }

    private interface BlobTask {
        void run(Descriptor blob) throws ImageStoreException;
    }

    /** Runs {@code task} for each blob, {@link #parallelUploads} at a time; the first failure cancels the rest. */
    private void runAll(ImageReference target, List<Descriptor> blobs, BlobTask task) throws ImageStoreException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelUploads, blobs.size())), r -> {
            Thread t = new Thread(r, "jcontainer-push-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(pool);
        List<Future<Void>> futures = new ArrayList<>();
        try {
            for (Descriptor d : blobs) {
                futures.add(done.submit(() -> {
                    task.run(d);
                    return null;
                }));
            }
            for (int i = 0; i < blobs.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof ImageStoreException ise) {
                        throw ise;
                    }
                    throw new RegistryException("Failed to push to '" + target + "': " + cause, cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Failed to push to '" + target + "': interrupted");
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

    /** Options of an {@link ImagePusher}. */
    public static final class Builder {
        private final ImageStore store;
        private boolean insecure;
        private AuthFile authFile = AuthFile.defaults();
        private Credentials credentials;
        private Duration timeout = RegistryClient.DEFAULT_TIMEOUT;
        private int parallelUploads = DEFAULT_PARALLEL_UPLOADS;

        private Builder(ImageStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Plain HTTP instead of HTTPS ({@code --insecure}). */
        public Builder insecure(boolean value) {
            this.insecure = value;
            return this;
        }

        /** Where credentials come from; {@link AuthFile#defaults()} unless set. */
        public Builder authFile(AuthFile value) {
            this.authFile = Objects.requireNonNull(value);
            return this;
        }

        /** Credentials for the registry, instead of the auth file ({@code --creds}). */
        public Builder credentials(Credentials value) {
            this.credentials = value;
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        public Builder parallelUploads(int value) {
            if (value < 1 || value > 32) {
                throw new IllegalArgumentException("parallel uploads must be 1..32, not " + value);
            }
            this.parallelUploads = value;
            return this;
        }

        public ImagePusher build() {
            return new ImagePusher(this);
        }
    }
}
