package io.jcontainer.image;

import io.jcontainer.image.internal.archive.DirectoryTar;
import io.jcontainer.image.internal.json.DockerArchiveManifestJson;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.internal.json.OciLayoutJson;
import io.jcontainer.image.internal.json.Wire;
import io.jcontainer.image.internal.layer.TarEntry;
import io.jcontainer.image.internal.layer.TarReader;
import io.jcontainer.image.internal.store.DigestingInputStream;
import io.jcontainer.image.internal.store.FsUtil;
import io.jcontainer.image.internal.store.Refs;
import io.jcontainer.image.internal.store.StoreLock;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The image store rooted at a directory (by default {@code /var/lib/jcontainer}):
 * <pre>
 *   blobs/sha256/HEX      verified blobs (manifests, configs, compressed layers)
 *   refs/NAME             name:tag -> manifest digest, one file per reference
 *   verified/sha256-HEX.json  what accepted that manifest (policy scope, requirement, key; trust.Verification)
 *   layers/CHAINHEX/      unpacked layers, overlayfs lowerdirs
 *   containers/NAME/      per-container upper/ and work/
 *   tmp/                  partial blobs and staged imports (gc empties it)
 *   sources/HEX           registry/repository lines where a blob is known to be (a push's mount hint)
 *   store.lock            shared for writers and starting containers, exclusive for gc (image-store/README.md)
 * </pre>
 * Imports stage every blob under {@code tmp/}, verify digests, sizes and DiffIDs and unpack each new layer into
 * {@code layers/tmp-*}; only then are blobs moved into {@code blobs/}, layers renamed into place and the ref
 * written. A failed or killed import leaves nothing in {@code blobs/}, {@code layers/} or {@code refs/}.
 *
 * <p>Unpacked layer directories are named by the ChainID's hex alone: overlayfs separates lowerdirs with ':'.
 */
public final class ImageStore {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/jcontainer");
    private static final Pattern CONTAINER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final String OCI_LAYOUT_VERSION = "1.0.0";
    /** Prefix of a {@code layers/} entry that gc has removed from the store and is deleting. */
    private static final String GC_TRASH = ".gc-";

    private final Path root;
    private final BlobStore blobs;
    private final Refs refs;
    private final StoreLock lock;

    public ImageStore(Path root) throws ImageStoreException {
        this.root = root.toAbsolutePath().normalize();
        this.blobs = new BlobStore(this.root);
        this.refs = new Refs(this.root.resolve("refs"));
        this.lock = StoreLock.forFile(this.root.resolve("store.lock"));
        try {
            for (String d : List.of("blobs/sha256", "refs", "verified", "layers", "containers", "tmp")) {
                Files.createDirectories(this.root.resolve(d));
            }
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ImageStoreException(notWritable(this.root, e.getFile() == null ? this.root : Path.of(e.getFile())), e);
        } catch (IOException e) {
            throw new ImageStoreException("Failed to create the image store in '" + this.root + "': " + FsUtil.describe(e), e);
        }
    }

    public static ImageStore openDefault() throws ImageStoreException {
        return new ImageStore(DEFAULT_ROOT);
    }

    public Path root() {
        return root;
    }

    /** The blobs; a registry client puts what it downloads here, each with its expected descriptor. */
    public BlobStore blobs() {
        return blobs;
    }

    /**
     * Refuses, with one line saying why, a caller who may not add images to the store: pull and import write
     * {@code blobs/}, {@code refs/}, {@code verified/}, {@code sources/}, {@code tmp/} and lock {@code store.lock}. Root may; so may
     * members of group {@code jcontainer} when the store is laid out as packaging/systemd/tmpfiles.conf makes it
     * (those group-writable, setgid; polkit/README.md, "Images").
     */
    public void requireWritable() throws ImageStoreException {
        for (String d : List.of("blobs/sha256", "refs", "verified", "tmp")) {
            Path p = root.resolve(d);
            if (!Files.isWritable(p)) {
                throw new ImageStoreException(notWritable(root, p));
            }
        }
        Path lockFile = root.resolve("store.lock");
        if (Files.exists(lockFile) ? !Files.isReadable(lockFile) : !Files.isWritable(root)) {
            throw new ImageStoreException(notWritable(root, lockFile));
        }
    }

    private static String notWritable(Path root, Path what) {
        int uid = FsUtil.effectiveUid();
        return "Permission denied: uid " + (uid < 0 ? "unknown" : uid) + " may not write the image store '" + root + "' ('"
                + what + "'): pulling and importing images is for root and members of group jcontainer"
                + " (polkit/README.md).";
    }

    /**
     * Where this user's pulls keep partial downloads between attempts: {@code tmp/} for the store's owner (root),
     * {@code tmp/user-UID/} for a member of group jcontainer, whose files there other members could not write.
     */
    public Path scratchDir() throws ImageStoreException {
        Path tmp = root.resolve("tmp");
        int uid = FsUtil.effectiveUid();
        try {
            if (uid < 0 || uid == ((Number) Files.getAttribute(tmp, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).intValue()) {
                return tmp;
            }
            Path mine = tmp.resolve("user-" + uid);
            try {
                Files.createDirectory(mine);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by an earlier pull: ours if we own it
            }
            var attrs = Files.readAttributes(mine, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || ((Number) Files.getAttribute(mine, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .intValue() != uid) {
                throw new ImageStoreException("'" + mine + "' is not a directory of uid " + uid + ", refusing.");
            }
            return mine;
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ImageStoreException(notWritable(root, tmp), e);
        } catch (IOException e) {
            throw wrap("Failed to create a scratch directory in '" + tmp + "'", e);
        }
    }

    /**
     * Holds the shared store lock: a registry client holds it from its first {@code put} until
     * {@link #register}, so that gc cannot remove blobs that no ref names yet.
     */
    public StoreLock.Held lockForWriting() throws ImageStoreException {
        return lock.shared();
    }

    /**
     * Holds the shared store lock for a starting container, waiting at most {@code timeoutMillis} for a gc that holds
     * it: jnspawn holds it from resolving its image's layers (and unpacking missing ones) until its state record names
     * them, so that a gc, which reads those records under the exclusive lock, cannot remove them in between.
     */
    public StoreLock.Held lockForStart(long timeoutMillis) throws ImageStoreException {
        return lock.shared(timeoutMillis);
    }

    // ---------------------------------------------------------------- images

    /**
     * Names an image whose blobs are all in {@link #blobs()}: parses and checks manifest and config (media types,
     * one DiffID per layer), then writes the ref. Layers are unpacked later, by {@link #lowerDirs}.
     */
    public Image register(ImageReference name, Digest manifestDigest) throws ImageStoreException {
        try (StoreLock.Held held = lock.shared()) {
            Image image = load(name, manifestDigest, null);
            for (Descriptor layer : image.manifest().layers()) {
                requireBlob(layer, null, "layer of " + manifestDigest);
            }
            refs.put(name, manifestDigest);
            return image;
        }
    }

    /** The file that names {@code ref}'s manifest: a re-tag replaces it (jnspawn's plan file records it). */
    public Path refFile(ImageReference ref) {
        return refs.file(ref);
    }

    /** The image a name refers to (or the manifest a digest reference names). */
    public Image inspect(ImageReference name) throws ImageStoreException {
        Digest d = refs.get(name);
        if (d == null && name.digest() != null && blobs.contains(name.digest())) {
            d = name.digest();
        }
        if (d == null) {
            throw new ImageStoreException("No such image '" + name + "'.");
        }
        return load(name, d, null);
    }

    public List<ImageSummary> list() throws ImageStoreException {
        List<ImageSummary> out = new ArrayList<>();
        for (Map.Entry<ImageReference, Digest> e : refs.all().entrySet()) {
            Image image = load(e.getKey(), e.getValue(), null);
            out.add(new ImageSummary(e.getKey(), e.getValue(), image.size(), image.config().created()));
        }
        return out;
    }

    /** Gives {@code source}'s image a second name. */
    public Image tag(ImageReference source, ImageReference target) throws ImageStoreException {
        Image image = inspect(source);
        try (StoreLock.Held held = lock.shared()) {
            refs.put(target, image.manifestDigest());
        }
        return new Image(target, image.manifestDigest(), image.manifest(), image.config());
    }

    /** Removes a name; blobs and layers stay until {@link #gc}. The CLI checks container files before calling. */
    public void remove(ImageReference name) throws ImageStoreException {
        try (StoreLock.Held held = lock.shared()) {
            if (!refs.remove(name)) {
                throw new ImageStoreException("No such image '" + name + "'.");
            }
        }
    }

    /**
     * The overlayfs lowerdirs of an image, top-most first (the order {@code lowerdir=} takes), unpacking any
     * missing layer from its verified blob first. Unpacking needs root for ownership and device nodes.
     */
    public List<Path> lowerDirs(Image image) throws ImageStoreException {
        try (StoreLock.Held held = lock.shared()) {
            List<Path> out = new ArrayList<>();
            List<Digest> chain = image.chainIds();
            for (int i = 0; i < chain.size(); i++) {
                Path dir = layerDir(chain.get(i));
                if (!Files.isDirectory(dir)) {
                    Path tmp = unpackLayer(image.manifest().layers().get(i), image.config().diffIds().get(i), null);
                    commitLayer(tmp, dir);
                }
                out.add(0, dir);
            }
            return out;
        }
    }

    /** Where the unpacked layer with this ChainID lives. */
    public Path layerDir(Digest chainId) {
        return root.resolve("layers").resolve(chainId.hex());
    }

    // ---------------------------------------------------------------- commit and build

    /**
     * Writes {@code dir} (a container's overlayfs upper dir) as a new tar+gzip layer blob: overlayfs whiteouts become
     * OCI whiteouts (see {@link io.jcontainer.image.internal.layer.LayerWriter}). The digest is computed while the
     * blob is written under {@code tmp/}; it is renamed into {@code blobs/} once complete. Until an image names it,
     * gc may remove it.
     */
    public NewLayer writeLayer(Path dir) throws ImageStoreException {
        try (StoreLock.Held held = lock.shared()) {
            Path staging = root.resolve("tmp").resolve("layer-" + UUID.randomUUID());
            try {
                BlobStore stage = new BlobStore(staging);
                Files.createDirectories(staging.resolve("blobs").resolve(Digest.SHA256));
                Path partial = staging.resolve("layer.partial");
                io.jcontainer.image.internal.layer.LayerWriter.Result r =
                        io.jcontainer.image.internal.layer.LayerWriter.write(dir, partial);
                Files.move(partial, stage.path(r.blob()), StandardCopyOption.ATOMIC_MOVE);
                blobs.adopt(stage, r.blob());
                blobs.sync();
                return new NewLayer(new Descriptor(MediaType.OCI_LAYER_GZIP, r.blob(), r.size()), r.diffId());
            } catch (IOException e) {
                throw wrap("Failed to store a layer of '" + dir + "'", e);
            } finally {
                FsUtil.deleteQuietly(staging);
            }
        }
    }

    /**
     * Writes the config and manifest of an image made of {@code base} (null: from scratch) and {@code added} layers,
     * with these execution defaults and history steps; names it {@code tag} unless that is null.
     * The manifest is an OCI one: the base's Docker layer media types become their OCI equivalents (same bytes).
     */
    public Image writeImage(Image base, List<NewLayer> added, ImageConfig.Defaults defaults,
                            List<HistoryStep> steps, ImageReference tag)
            throws ImageStoreException {
        try (StoreLock.Held held = lock.shared()) {
            byte[] baseConfig = base == null ? null : blobs.read(base.manifest().config().digest(), BlobStore.MAX_METADATA_BYTES);
            byte[] config = io.jcontainer.image.internal.json.DerivedConfig.write(baseConfig, Platform.DEFAULT,
                    added.stream().map(NewLayer::diffId).toList(), defaults, steps, Instant.now().toString());
            Descriptor configDesc = blobs.put(config, MediaType.OCI_CONFIG);
            List<Descriptor> layers = new ArrayList<>();
            if (base != null) {
                for (Descriptor l : base.manifest().layers()) {
                    MediaType.Compression c = l.mediaType().layerCompression().orElseThrow(() -> new ImageStoreException(
                            "Unsupported layer media type '" + l.mediaType() + "' in the base image, refusing."));
                    layers.add(new Descriptor(MediaType.ociLayer(c), l.digest(), l.size()));
                }
            }
            for (NewLayer l : added) {
                requireBlob(l.blob(), null, "new layer");
                layers.add(l.blob());
            }
            byte[] manifest = Wire.writeManifest(new Manifest(MediaType.OCI_MANIFEST, configDesc, layers));
            Digest manifestDigest = blobs.put(manifest, MediaType.OCI_MANIFEST).digest();
            Image image = load(tag, manifestDigest, null);
            if (tag != null) {
                refs.put(tag, manifestDigest);
            }
            return image;
        }
    }

    /** The image whose manifest has this digest, if its manifest and config are in the store (named or not). */
    public java.util.Optional<Image> inspect(Digest manifestDigest) throws ImageStoreException {
        if (!blobs.contains(manifestDigest)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(load(null, manifestDigest, null));
        } catch (ImageStoreException e) {
            return java.util.Optional.empty(); // its config was collected: as good as absent
        }
    }

    // ---------------------------------------------------------------- containers

    /** Creates (or finds) {@code containers/NAME/upper} and {@code work}. */
    public ContainerDirs containerDirs(String name) throws ImageStoreException {
        Path dir = containerDir(name);
        try {
            Files.createDirectories(dir.resolve("upper"));
            Files.createDirectories(dir.resolve("work"));
        } catch (IOException e) {
            throw new ImageStoreException("Failed to create '" + dir + "': " + FsUtil.describe(e), e);
        }
        return new ContainerDirs(dir.resolve("upper"), dir.resolve("work"));
    }

    public void removeContainerDirs(String name) throws ImageStoreException {
        Path dir = containerDir(name);
        try {
            FsUtil.deleteRecursively(dir);
        } catch (IOException e) {
            throw new ImageStoreException("Failed to remove '" + dir + "': " + FsUtil.describe(e), e);
        }
    }

    private Path containerDir(String name) throws ImageStoreException {
        if (name == null || !CONTAINER_NAME.matcher(name).matches()) {
            throw new ImageStoreException("Invalid container name '" + name + "', refusing.");
        }
        return root.resolve("containers").resolve(name);
    }

    // ---------------------------------------------------------------- gc

    /**
     * Removes every blob and unpacked layer that no ref and no digest in {@code inUse} (manifests of images that
     * container files use) reaches, and everything under {@code tmp/}. Takes the exclusive lock.
     */
    public GcResult gc(Set<Digest> inUse) throws ImageStoreException {
        return gc(inUse, List.of());
    }

    /**
     * {@link #gc(Set)}, also keeping the unpacked layers among {@code layerDirsInUse}: the overlayfs lowerdirs of
     * running containers (jnspawn records them), which need no container file and may outlive their image's name.
     * Directories that are not this store's {@code layers/CHAINID} are ignored.
     */
    public GcResult gc(Set<Digest> inUse, Collection<Path> layerDirsInUse) throws ImageStoreException {
        return gc(inUse, () -> layerDirsInUse);
    }

    /** The unpacked layers running containers use; asked under gc's exclusive lock (see {@link #lockForStart}). */
    @FunctionalInterface
    public interface LayerUsers {
        Collection<Path> layerDirs() throws ImageStoreException;
    }

    /**
     * {@link #gc(Set, Collection)}, asking {@code running} for the layers in use only once it holds the exclusive lock:
     * a container that is starting holds the shared lock until its record names its layers, so the answer cannot
     * miss it. Under the lock, removed layers are only renamed aside ({@code layers/.gc-PID-*}); they are deleted
     * after its release, so that a start waits for gc no longer than its decisions and renames take.
     */
    public GcResult gc(Set<Digest> inUse, LayerUsers running) throws ImageStoreException {
        if (!Files.isWritable(root.resolve("layers"))) {
            // A member of group jcontainer could remove blobs but not root's layers: refuse before removing anything.
            throw new ImageStoreException("Permission denied: gc removes unpacked layers in '" + root.resolve("layers")
                    + "', which only root may; run it as root.");
        }
        Path layersDir = realPath(root.resolve("layers"));
        List<Path> trash = new ArrayList<>();
        GcResult result;
        try (StoreLock.Held held = lock.exclusive()) {
            Set<String> keepLayers = new HashSet<>();
            for (Path p : running.layerDirs()) {
                Path abs = realPath(p);
                if (layersDir.equals(abs.getParent()) && HEX64.matcher(abs.getFileName().toString()).matches()) {
                    keepLayers.add(abs.getFileName().toString());
                }
            }
            Set<Digest> roots = new LinkedHashSet<>(refs.all().values());
            roots.addAll(inUse);
            Set<Digest> keepBlobs = new HashSet<>();
            for (Digest r : roots) {
                mark(r, keepBlobs, keepLayers, 0);
            }
            List<Digest> removedBlobs = new ArrayList<>();
            long freed = 0;
            for (Digest d : blobs.list()) {
                if (!keepBlobs.contains(d)) {
                    freed += blobs.sizeOf(d);
                    blobs.delete(d);
                    new io.jcontainer.image.internal.store.BlobSources(root).remove(d);
                    removedBlobs.add(d);
                }
            }
            List<Digest> removedLayers = new ArrayList<>();
            try {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("layers"))) {
                    for (Path p : ds) {
                        String n = p.getFileName().toString();
                        if (HEX64.matcher(n).matches() && keepLayers.contains(n) || beingDeleted(n)) {
                            continue;
                        }
                        // renamed aside at once (no start can see it any more), deleted after the lock's release
                        Path aside = p.resolveSibling(GC_TRASH + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
                        Files.move(p, aside, StandardCopyOption.ATOMIC_MOVE);
                        trash.add(aside);
                        if (HEX64.matcher(n).matches()) {
                            removedLayers.add(new Digest(Digest.SHA256, n));
                        }
                    }
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("tmp"))) {
                    for (Path p : ds) {
                        FsUtil.deleteRecursively(p);
                    }
                }
            } catch (IOException e) {
                throw new ImageStoreException("Failed to collect garbage in '" + root + "': " + FsUtil.describe(e), e);
            }
            result = new GcResult(removedBlobs, removedLayers, freed);
        } finally {
            for (Path p : trash) {
                FsUtil.deleteQuietly(p); // what a crash leaves, the next gc removes
            }
        }
        for (Path p : trash) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageStoreException("Failed to remove '" + p + "' (a layer gc removed from the store).");
            }
        }
        return result;
    }

    /** Whether a {@code layers/} entry is a layer that another gc, still running, renamed aside and is deleting. */
    private static boolean beingDeleted(String name) {
        if (!name.startsWith(GC_TRASH)) {
            return false;
        }
        int dash = name.indexOf('-', GC_TRASH.length());
        try {
            long pid = Long.parseLong(name.substring(GC_TRASH.length(), dash < 0 ? name.length() : dash));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The path with symlinks resolved when it exists, else absolute and normalized. */
    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private void mark(Digest d, Set<Digest> keepBlobs, Set<String> keepLayers, int depth) throws ImageStoreException {
        if (depth > 8 || !blobs.contains(d) || !keepBlobs.add(d)) {
            return;
        }
        Wire.Parsed parsed = Wire.parseManifestOrIndex(blobs.read(d, BlobStore.MAX_METADATA_BYTES), null, d.toString());
        if (parsed instanceof Wire.ParsedIndex i) {
            for (Descriptor m : i.index().manifests()) {
                mark(m.digest(), keepBlobs, keepLayers, depth + 1);
            }
            return;
        }
        Manifest m = ((Wire.ParsedManifest) parsed).manifest();
        keepBlobs.add(m.config().digest());
        m.layers().forEach(l -> keepBlobs.add(l.digest()));
        if (blobs.contains(m.config().digest())) {
            ImageConfig c = Wire.parseConfig(blobs.read(m.config().digest(), BlobStore.MAX_METADATA_BYTES), m.config().digest().toString());
            Image.chainIds(c.diffIds()).forEach(x -> keepLayers.add(x.hex()));
        }
    }

    // ---------------------------------------------------------------- import

    /**
     * Imports an OCI image layout, a directory or a tar of one ({@code skopeo copy ... oci:DIR:tag},
     * {@code oci-archive:}, {@code umoci}). With several images in the layout, the one whose
     * {@code org.opencontainers.image.ref.name} equals {@code name}'s tag is taken.
     */
    public Image importOciLayout(Path source, ImageReference name) throws ImageStoreException {
        return importOciLayout(source, name, Platform.DEFAULT);
    }

    public Image importOciLayout(Path source, ImageReference name, Platform platform) throws ImageStoreException {
        return importStaged(name, source, staging -> {
            byte[] indexJson;
            byte[] layoutJson;
            Map<Digest, Long> present = new HashMap<>();
            if (Files.isDirectory(source)) {
                layoutJson = readSmall(source.resolve("oci-layout"));
                indexJson = readSmall(source.resolve("index.json"));
            } else {
                Map<String, byte[]> files = new HashMap<>();
                streamTar(source, (path, entry, content) -> {
                    if (path.startsWith("blobs/sha256/") && entry.type() == TarEntry.Type.FILE) {
                        Digest d = Digest.parse("sha256:" + path.substring("blobs/sha256/".length()));
                        staging.blobs.put(content, new Descriptor(MediaType.OCTET_STREAM, d, entry.size()));
                        present.put(d, entry.size());
                    } else if ((path.equals("index.json") || path.equals("oci-layout")) && entry.type() == TarEntry.Type.FILE) {
                        files.put(path, readLimited(content, path));
                    }
                });
                layoutJson = require(files.get("oci-layout"), source, "oci-layout");
                indexJson = require(files.get("index.json"), source, "index.json");
            }
            OciLayoutJson layout = Json.read(layoutJson, OciLayoutJson.class, "'" + source + "/oci-layout'");
            if (!OCI_LAYOUT_VERSION.equals(layout.imageLayoutVersion)) {
                throw new ImageStoreException("Unsupported OCI layout version '" + layout.imageLayoutVersion + "' in '" + source + "', refusing.");
            }
            Wire.Parsed top = Wire.parseManifestOrIndex(indexJson, MediaType.OCI_INDEX, "'" + source + "/index.json'");
            if (!(top instanceof Wire.ParsedIndex idx)) {
                throw new ImageStoreException("'" + source + "/index.json' is not an image index, refusing.");
            }
            Descriptor entry = selectByName(idx.index(), name, platform, source);
            BlobFetcher fetch = d -> {
                if (Files.isDirectory(source)) {
                    Path f = source.resolve("blobs").resolve(d.digest().algorithm()).resolve(d.digest().hex());
                    try (InputStream in = Files.newInputStream(f)) {
                        staging.blobs.put(in, d);
                    } catch (java.nio.file.NoSuchFileException e) {
                        throw new ImageStoreException("Blob " + d.digest() + " is missing from '" + source + "', refusing.");
                    } catch (IOException e) {
                        throw wrap("Failed to read blob " + d.digest() + " from '" + source + "'", e);
                    }
                } else {
                    Long size = present.get(d.digest());
                    if (size == null) {
                        throw new ImageStoreException("Blob " + d.digest() + " is missing from '" + source + "', refusing.");
                    }
                    if (size != d.size()) {
                        throw new ImageStoreException("Blob " + d.digest() + " in '" + source + "' is " + size
                                + " bytes but its descriptor says " + d.size() + ", refusing.");
                    }
                }
            };
            return resolveToManifest(entry, platform, staging, fetch, source.toString());
        });
    }

    /** Imports a {@code docker save} (or {@code skopeo copy ... docker-archive:}) tar. */
    public Image importDockerArchive(Path source, ImageReference name) throws ImageStoreException {
        ImageReference[] chosen = {name};
        return importStaged(name, source, staging -> {
            Map<String, Descriptor> files = new HashMap<>();
            Map<String, String> links = new HashMap<>();
            byte[][] manifestJson = {null};
            streamTar(source, (path, entry, content) -> {
                if (entry.type() == TarEntry.Type.FILE) {
                    if (path.equals("manifest.json")) {
                        manifestJson[0] = readLimited(content, path);
                    } else {
                        files.put(path, staging.blobs.put(content, null));
                    }
                } else if (entry.type() == TarEntry.Type.SYMLINK || entry.type() == TarEntry.Type.HARDLINK) {
                    String target = entry.unsafeLinkTarget();
                    if (entry.type() == TarEntry.Type.SYMLINK && path.contains("/")) {
                        target = Path.of(path).getParent().resolve(target).normalize().toString();
                    }
                    links.put(path, target);
                }
            });
            byte[] mj = require(manifestJson[0], source, "manifest.json");
            DockerArchiveManifestJson[] entries = Json.read(mj, DockerArchiveManifestJson[].class, "'" + source + "/manifest.json'");
            if (entries.length == 0) {
                throw new ImageStoreException("'" + source + "/manifest.json' lists no image, refusing.");
            }
            for (DockerArchiveManifestJson c : entries) {
                // found by reading the fuzz target's input space: [null] and "RepoTags":[null] threw NullPointerException
                if (c == null || c.repoTags != null && c.repoTags.contains(null)) {
                    throw new ImageStoreException("'" + source + "/manifest.json' lists a null image or tag, refusing.");
                }
            }
            DockerArchiveManifestJson e = entries[0];
            if (entries.length > 1 && name != null) {
                for (DockerArchiveManifestJson c : entries) {
                    if (c.repoTags != null && c.repoTags.stream().anyMatch(t -> t.endsWith(":" + name.tag()))) {
                        e = c;
                    }
                }
            }
            if (chosen[0] == null) {
                if (e.repoTags == null || e.repoTags.isEmpty()) {
                    throw new ImageStoreException("'" + source + "' names no image (no RepoTags): give a name, refusing.");
                }
                chosen[0] = ImageReference.parse(e.repoTags.get(0));
            }
            Descriptor configBlob = archiveFile(files, links, e.config, source);
            byte[] configJson = staging.read(configBlob.digest());
            ImageConfig config = Wire.parseConfig(configJson, "'" + source + "/" + e.config + "'");
            if (e.layers == null || e.layers.size() != config.diffIds().size()) {
                throw new ImageStoreException("'" + source + "/manifest.json' lists " + (e.layers == null ? 0 : e.layers.size())
                        + " layers but the config has " + config.diffIds().size() + " diff_ids, refusing.");
            }
            List<Descriptor> layers = new ArrayList<>();
            for (String layerPath : e.layers) {
                Descriptor blob = archiveFile(files, links, layerPath, source);
                MediaType.Compression c = LayerUnpacker.sniff(staging.blobs.path(blob.digest()));
                layers.add(new Descriptor(MediaType.ociLayer(c), blob.digest(), blob.size()));
            }
            Descriptor configDesc = new Descriptor(MediaType.OCI_CONFIG, configBlob.digest(), configBlob.size());
            byte[] manifest = Wire.writeManifest(new Manifest(MediaType.OCI_MANIFEST, configDesc, layers));
            return staging.blobs.put(manifest, MediaType.OCI_MANIFEST).digest();
        }, chosen);
    }

    /** Imports a plain root file system tarball (tar, tar.gz or tar.zst) as a one-layer image. */
    public Image importRootfsTarball(Path tarball, ImageReference name) throws ImageStoreException {
        requireName(name, tarball);
        return importStaged(name, tarball, staging -> {
            MediaType.Compression c = LayerUnpacker.sniff(tarball);
            Descriptor blob;
            try (InputStream in = Files.newInputStream(tarball)) {
                blob = staging.blobs.put(in, null);
            } catch (IOException e) {
                throw wrap("Failed to read '" + tarball + "'", e);
            }
            Digest diffId = blob.digest();
            if (c != MediaType.Compression.NONE) {
                try (DigestingInputStream d = new DigestingInputStream(LayerUnpacker.decompress(
                        new BufferedInputStream(staging.blobs.open(blob.digest()), 1 << 17), c))) {
                    d.drain();
                    diffId = d.digest();
                } catch (ImageStoreException e) {
                    throw e;
                } catch (IOException e) {
                    throw new ImageStoreException("Truncated or corrupt " + c.name().toLowerCase() + " data in '" + tarball + "' ("
                            + FsUtil.describe(e) + "), refusing.", e);
                }
            }
            return writeSingleLayerImage(staging, new Descriptor(MediaType.ociLayer(c), blob.digest(), blob.size()), diffId);
        });
    }

    /** Imports a directory tree as a one-layer image (uncompressed layer; xattrs are not carried). */
    public Image importDirectory(Path dir, ImageReference name) throws ImageStoreException {
        requireName(name, dir);
        if (!Files.isDirectory(dir)) {
            throw new ImageStoreException("'" + dir + "' is not a directory, refusing.");
        }
        return importStaged(name, dir, staging -> {
            Path tar = staging.dir.resolve("layer.tar");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tar), 1 << 17)) {
                DirectoryTar.writeTree(dir, out);
            } catch (IOException e) {
                throw wrap("Failed to archive '" + dir + "'", e);
            }
            Descriptor blob;
            try (InputStream in = Files.newInputStream(tar)) {
                blob = staging.blobs.put(in, null);
            } catch (IOException e) {
                throw wrap("Failed to read '" + tar + "'", e);
            }
            return writeSingleLayerImage(staging, new Descriptor(MediaType.OCI_LAYER_TAR, blob.digest(), blob.size()), blob.digest());
        });
    }

    /** Writes an image as an OCI layout tar (what {@code skopeo copy oci-archive:} reads). */
    public void export(ImageReference name, Path target) throws ImageStoreException {
        export(inspect(name), name.tag() == null ? Map.of() : Map.of(ImageIndex.REF_NAME, name.tag()), target);
    }

    /** {@link #export(ImageReference, Path)} of an image, named or not, its index entry carrying these annotations. */
    public void export(Image image, Map<String, String> annotations, Path target) throws ImageStoreException {
        String name = image.reference() == null ? image.manifestDigest().toString() : image.reference().toString();
        Path tmp = target.toAbsolutePath().resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        try (StoreLock.Held held = lock.shared();
             OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 17);
             TarArchiveOutputStream tar = DirectoryTar.open(out)) {
            byte[] layout = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Descriptor manifest = new Descriptor(image.manifest().mediaType(), image.manifestDigest(),
                    blobs.sizeOf(image.manifestDigest()), null, annotations);
            byte[] index = Wire.writeIndex(new ImageIndex(MediaType.OCI_INDEX, List.of(manifest), Map.of()));
            DirectoryTar.addFile(tar, "oci-layout", layout.length, new ByteArrayInputStream(layout));
            DirectoryTar.addFile(tar, "index.json", index.length, new ByteArrayInputStream(index));
            DirectoryTar.addDirectory(tar, "blobs");
            DirectoryTar.addDirectory(tar, "blobs/sha256");
            Set<Digest> written = new HashSet<>();
            List<Digest> all = new ArrayList<>();
            all.add(image.manifestDigest());
            all.add(image.manifest().config().digest());
            image.manifest().layers().forEach(l -> all.add(l.digest()));
            for (Digest d : all) {
                if (written.add(d)) {
                    try (InputStream in = blobs.open(d)) {
                        DirectoryTar.addFile(tar, "blobs/sha256/" + d.hex(), blobs.sizeOf(d), in);
                    }
                }
            }
            tar.finish();
        } catch (ImageStoreException e) {
            FsUtil.deleteQuietly(tmp);
            throw e;
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
            throw wrap("Failed to export '" + name + "' to '" + target + "'", e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
            throw wrap("Failed to write '" + target + "'", e);
        }
    }

    // ---------------------------------------------------------------- import machinery

    /** A private blob store under {@code tmp/import-*}: nothing in it is visible until committed. */
    private final class Staging implements AutoCloseable {
        final Path dir;
        final BlobStore blobs;
        final Set<Digest> needed = new LinkedHashSet<>();
        final List<Path> tmpLayers = new ArrayList<>();

        Staging() throws ImageStoreException {
            this.dir = root.resolve("tmp").resolve("import-" + UUID.randomUUID());
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw wrap("Failed to create '" + dir + "'", e);
            }
            this.blobs = new BlobStore(dir);
        }

        /** Opens a blob from the staging area, else from the store. */
        InputStream open(Digest d) throws ImageStoreException {
            return blobs.contains(d) ? blobs.open(d) : ImageStore.this.blobs.open(d);
        }

        /** {@link BlobStore#openStored}, from the staging area, else from the store. */
        InputStream openStored(Digest d) throws ImageStoreException {
            return blobs.contains(d) ? blobs.openStored(d) : ImageStore.this.blobs.openStored(d);
        }

        byte[] read(Digest d) throws ImageStoreException {
            return blobs.contains(d) ? blobs.read(d, BlobStore.MAX_METADATA_BYTES)
                    : ImageStore.this.blobs.read(d, BlobStore.MAX_METADATA_BYTES);
        }

        @Override
        public void close() {
            tmpLayers.forEach(FsUtil::deleteQuietly);
            FsUtil.deleteQuietly(dir);
        }
    }

    private interface StageFn {
        Digest stage(Staging staging) throws ImageStoreException;
    }

    private interface BlobFetcher {
        void fetch(Descriptor d) throws ImageStoreException;
    }

    private interface EntryHandler {
        void handle(String path, TarEntry entry, InputStream content) throws IOException;
    }

    private Image importStaged(ImageReference name, Path source, StageFn fn) throws ImageStoreException {
        return importStaged(name, source, fn, new ImageReference[] {name});
    }

    private Image importStaged(ImageReference name, Path source, StageFn fn, ImageReference[] finalName) throws ImageStoreException {
        if (!Files.exists(source)) {
            throw new ImageStoreException("'" + source + "' does not exist.");
        }
        requireWritable();
        // A member of group jcontainer stores verified blobs only: unpacking creates root-owned files, and layers/ is
        // root's; jnspawn unpacks the missing layers as root when a container starts (lowerDirs).
        boolean unpack = Files.isWritable(root.resolve("layers"));
        try (StoreLock.Held held = lock.shared(); Staging staging = new Staging()) {
            Digest manifestDigest = fn.stage(staging);
            ImageReference ref = finalName[0];
            requireName(ref, source);
            Image image = load(ref, manifestDigest, staging);
            staging.needed.add(manifestDigest);
            staging.needed.add(image.manifest().config().digest());
            List<Digest> chain = image.chainIds();
            Map<Path, Path> layerRenames = new java.util.LinkedHashMap<>();
            for (int i = 0; i < chain.size(); i++) {
                Descriptor layer = image.manifest().layers().get(i);
                requireBlob(layer, staging, "layer " + (i + 1) + " of '" + source + "'");
                staging.needed.add(layer.digest());
                Path dir = layerDir(chain.get(i));
                if (unpack && !Files.isDirectory(dir) && !layerRenames.containsValue(dir)) {
                    layerRenames.put(unpackLayer(layer, image.config().diffIds().get(i), staging), dir);
                }
            }
            // commit: blobs first, then layers, then the name (a crash in between leaves only gc-able garbage)
            for (Digest d : staging.needed) {
                if (staging.blobs.contains(d)) {
                    blobs.adopt(staging.blobs, d);
                }
            }
            blobs.sync();
            for (Map.Entry<Path, Path> e : layerRenames.entrySet()) {
                commitLayer(e.getKey(), e.getValue());
            }
            refs.put(ref, manifestDigest);
            return image;
        }
    }

    private void requireBlob(Descriptor d, Staging staging, String what) throws ImageStoreException {
        BlobStore where = staging != null && staging.blobs.contains(d.digest()) ? staging.blobs : blobs;
        if (!where.contains(d.digest())) {
            throw new ImageStoreException("Blob " + d.digest() + " (" + what + ") is missing, refusing.");
        }
        long size = where.sizeOf(d.digest());
        if (size != d.size()) {
            throw new ImageStoreException("Blob " + d.digest() + " (" + what + ") is " + size + " bytes but its descriptor says "
                    + d.size() + ", refusing.");
        }
    }

    /** Reads manifest and config (from staging first) and checks they fit together. */
    private Image load(ImageReference name, Digest manifestDigest, Staging staging) throws ImageStoreException {
        byte[] mj = staging != null ? staging.read(manifestDigest) : blobs.read(manifestDigest, BlobStore.MAX_METADATA_BYTES);
        Wire.Parsed parsed = Wire.parseManifestOrIndex(mj, null, manifestDigest.toString());
        if (!(parsed instanceof Wire.ParsedManifest pm)) {
            throw new ImageStoreException("Blob " + manifestDigest + " is an index, not an image manifest, refusing.");
        }
        Manifest manifest = pm.manifest();
        Digest cd = manifest.config().digest();
        if (staging != null) {
            requireBlob(manifest.config(), staging, "config of " + manifestDigest);
        }
        byte[] cj = staging != null ? staging.read(cd) : blobs.read(cd, BlobStore.MAX_METADATA_BYTES);
        ImageConfig config = Wire.parseConfig(cj, cd.toString());
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new ImageStoreException("Manifest " + manifestDigest + " has " + manifest.layers().size()
                    + " layers but its config has " + config.diffIds().size() + " diff_ids, refusing.");
        }
        return new Image(name, manifestDigest, manifest, config);
    }

    /** Follows index entries (platform selection) to one image manifest, fetching each blob into staging. */
    private Digest resolveToManifest(Descriptor entry, Platform platform, Staging staging, BlobFetcher fetch, String what)
            throws ImageStoreException {
        Descriptor current = entry;
        for (int depth = 0; depth < 4; depth++) {
            fetch.fetch(current);
            Wire.Parsed parsed = Wire.parseManifestOrIndex(staging.read(current.digest()), current.mediaType(), current.digest().toString());
            if (parsed instanceof Wire.ParsedManifest pm) {
                fetch.fetch(pm.manifest().config());
                for (Descriptor l : pm.manifest().layers()) {
                    fetch.fetch(l);
                }
                if (!pm.manifest().mediaType().isManifest()) {
                    throw new ImageStoreException("Unsupported manifest in '" + what + "', refusing.");
                }
                return current.digest();
            }
            ImageIndex index = ((Wire.ParsedIndex) parsed).index();
            current = index.select(platform).orElseThrow(() -> new ImageStoreException(
                    "No image for platform " + platform + " in '" + what + "', refusing."));
        }
        throw new ImageStoreException("Indexes nested too deep in '" + what + "', refusing.");
    }

    private static Descriptor selectByName(ImageIndex index, ImageReference name, Platform platform, Path source)
            throws ImageStoreException {
        if (index.manifests().isEmpty()) {
            throw new ImageStoreException("'" + source + "/index.json' lists no image, refusing.");
        }
        if (name != null) {
            for (Descriptor d : index.manifests()) {
                String refName = d.annotations().get(ImageIndex.REF_NAME);
                if (refName != null && (refName.equals(name.tag()) || refName.equals(name.toString()))) {
                    return d;
                }
            }
        }
        if (index.manifests().size() == 1) {
            return index.manifests().get(0);
        }
        if (index.manifests().stream().allMatch(d -> d.platform() != null)) {
            return index.select(platform).orElseThrow(() -> new ImageStoreException(
                    "No image for platform " + platform + " in '" + source + "', refusing."));
        }
        throw new ImageStoreException("'" + source + "' holds several images and none is tagged '"
                + (name == null ? "" : name.tag()) + "', refusing.");
    }

    private Digest writeSingleLayerImage(Staging staging, Descriptor layer, Digest diffId) throws ImageStoreException {
        byte[] config = Wire.writeConfig(Platform.DEFAULT, List.of(diffId), Instant.now().toString());
        Descriptor configDesc = staging.blobs.put(config, MediaType.OCI_CONFIG);
        byte[] manifest = Wire.writeManifest(new Manifest(MediaType.OCI_MANIFEST, configDesc, List.of(layer)));
        return staging.blobs.put(manifest, MediaType.OCI_MANIFEST).digest();
    }

    /** Unpacks one layer into a fresh {@code layers/tmp-*} directory and checks its DiffID; returns that directory. */
    private Path unpackLayer(Descriptor layer, Digest expectedDiffId, Staging staging) throws ImageStoreException {
        MediaType.Compression c = layer.mediaType().layerCompression().orElseThrow(() -> new ImageStoreException(
                "Unsupported layer media type '" + layer.mediaType() + "' for " + layer.digest() + ", refusing."));
        Path tmp = root.resolve("layers").resolve("tmp-" + UUID.randomUUID());
        if (staging != null) {
            staging.tmpLayers.add(tmp);
        }
        boolean ok = false;
        try {
            Files.createDirectory(tmp);
            Files.setAttribute(tmp, "unix:mode", 0755);
            Digest diffId;
            // A store that group members write (they may rewrite a blob they stored): a private copy, verified before
            // a byte of it is unpacked. Else the blob as stored: its digest was verified when it was stored (by this
            // root process or by root before), so it is not hashed again here, only its DiffID.
            try (InputStream blob = blobs.writableByOthers() && !(staging != null && staging.blobs.contains(layer.digest()))
                    ? blobs.openVerifiedCopy(layer.digest(), root.resolve("layers"))
                    : staging != null ? staging.openStored(layer.digest()) : blobs.openStored(layer.digest())) {
                try {
                    diffId = LayerUnpacker.unpack(blob, c, tmp);
                } catch (ImageStoreException e) {
                    verifyBlob(layer.digest(), staging); // a tampered blob explains a corrupt stream better
                    throw new ImageStoreException("Failed to unpack layer " + layer.digest() + ": " + e.getMessage(), e);
                }
            }
            if (!diffId.equals(expectedDiffId)) {
                throw new ImageStoreException("DiffID mismatch for layer " + layer.digest() + ": the config says " + expectedDiffId
                        + ", the layer is " + diffId + ", refusing.");
            }
            ok = true;
            return tmp;
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw wrap("Failed to unpack layer " + layer.digest() + " into '" + tmp + "'", e);
        } finally {
            if (!ok) {
                FsUtil.deleteQuietly(tmp);
            }
        }
    }

    private void verifyBlob(Digest d, Staging staging) throws ImageStoreException {
        try (InputStream in = staging != null ? staging.open(d) : blobs.open(d)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw wrap("Failed to read blob " + d, e);
        }
    }

    /**
     * Makes an unpacked layer visible by renaming it to its ChainID. syncfs(2) first, once per layer rather than one
     * fsync per file, so a layer that is visible after a power loss is also complete. (Reached only after an unpack:
     * this is the store's one use of the JNA-backed NativeFiles, which a start from unpacked layers never loads.)
     */
    private void commitLayer(Path tmp, Path target) throws ImageStoreException {
        try {
            io.jcontainer.image.internal.layer.NativeFiles.syncFileSystem(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            FsUtil.fsyncDirectory(target.getParent());
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            FsUtil.deleteQuietly(tmp); // another writer unpacked the same layer first: identical content
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
            throw wrap("Failed to move layer into '" + target + "'", e);
        }
    }

    private static Descriptor archiveFile(Map<String, Descriptor> files, Map<String, String> links, String path, Path source)
            throws ImageStoreException {
        String p = path == null ? null : normalizeArchivePath(path);
        for (int i = 0; p != null && i < 16 && !files.containsKey(p) && links.containsKey(p); i++) {
            p = normalizeArchivePath(links.get(p));
        }
        Descriptor d = p == null ? null : files.get(p);
        if (d == null) {
            throw new ImageStoreException("'" + source + "' lacks '" + path + "' that its manifest.json names, refusing.");
        }
        return d;
    }

    private static String normalizeArchivePath(String path) {
        String p = path;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return p;
    }

    private static void streamTar(Path source, EntryHandler handler) throws ImageStoreException {
        try (InputStream raw = Files.newInputStream(source)) {
            MediaType.Compression c = LayerUnpacker.sniff(source);
            TarReader reader = new TarReader(new BufferedInputStream(LayerUnpacker.decompress(new BufferedInputStream(raw, 1 << 17), c), 1 << 17));
            TarEntry e;
            while ((e = reader.next()) != null) {
                handler.handle(normalizeArchivePath(e.unsafePath()), e, reader.content());
            }
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw wrap("Failed to read archive '" + source + "'", e);
        }
    }

    private static byte[] readLimited(InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes(BlobStore.MAX_METADATA_BYTES + 1);
        if (b.length > BlobStore.MAX_METADATA_BYTES) {
            throw new ImageStoreException("'" + what + "' is larger than " + BlobStore.MAX_METADATA_BYTES + " bytes, refusing.");
        }
        return b;
    }

    private static byte[] readSmall(Path file) throws ImageStoreException {
        try (InputStream in = Files.newInputStream(file)) {
            return readLimited(in, file.toString());
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw wrap("Failed to read '" + file + "'", e);
        }
    }

    private static byte[] require(byte[] b, Path source, String what) throws ImageStoreException {
        if (b == null) {
            throw new ImageStoreException("'" + source + "' has no '" + what + "', refusing.");
        }
        return b;
    }

    private static void requireName(ImageReference name, Path source) throws ImageStoreException {
        if (name == null) {
            throw new ImageStoreException("Importing '" + source + "' needs a name (--name), refusing.");
        }
    }

    private static ImageStoreException wrap(String what, IOException e) {
        if (e instanceof ImageStoreException ise) {
            return ise;
        }
        return new ImageStoreException(what + ": " + FsUtil.describe(e), e);
    }
}
