package io.jcontainer.generator;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.jnspawn.settings.ContainerFile;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads, for a container file's {@code Image=}, the image config's defaults that the unit needs
 * ({@value ContainerUnitConverter#IMAGE_STOP_SIGNAL}) straight from the image store's files, read
 * only: {@code refs/URL-ENCODED-REF} holds the manifest digest, {@code blobs/sha256/HEX} the
 * manifest, whose {@code config.digest} names the config blob (the layout of
 * {@link io.jcontainer.image.ImageStore}; names are normalised by {@link ImageReference}, as
 * jnspawn does when it resolves {@code Image=}).
 *
 * <p>Not {@code ImageStore} itself: opening one creates the store's directories (the generator
 * writes nothing outside its output directory, and {@code /var} may be read-only or not mounted),
 * and its manifest and config parsing loads Jackson, several hundred classes at every boot (the
 * figures are in docs/benchmarks-history.md). The store verified every blob's digest when it took it in;
 * this trusts them.
 *
 * <p>No store (the directory or its {@code refs/} missing, {@code /var} not mounted yet) or an
 * image not in it: null, silently, and the file alone decides. A store that has the image but
 * whose ref, manifest or config cannot be read or parsed: {@link UnitConversionException} naming
 * the file, its {@code Image=} line and the blob and key at fault. Each image is read once per run.
 * {@link #read} may be called from several threads.
 */
public final class ImageConfigReader {

    /** The store's default root, {@code ImageStore.DEFAULT_ROOT} (not referenced: its class init loads regexes). */
    static final Path DEFAULT_ROOT = Path.of("/var/lib/jcontainer");

    /** Overrides the store's root, for every jcontainer program (ImageRoot, the CLI). */
    static final String ROOT_ENV = "JCONTAINER_ROOT";

    /** BlobStore.MAX_METADATA_BYTES: the most the store reads of a manifest or config. */
    static final int MAX_METADATA_BYTES = 8 * 1024 * 1024;

    /** The cached answer for an image that is not in the store. */
    private static final Map<String, String> NOT_IN_STORE = Map.of();

    private final Path root;
    private Boolean present;
    /** Image= value to its config (or {@link #NOT_IN_STORE}) or to the reason it is corrupt (a String). */
    private final Map<String, Object> cache = new HashMap<>();
    /** Image= value to the manifest digest its ref names, for the images found in the store. */
    private final Map<String, Digest> manifests = new HashMap<>();

    /** Reads the store at {@code root}; nothing is read until {@link #read}. */
    public ImageConfigReader(Path root) {
        this.root = root;
    }

    /** The store {@code $JCONTAINER_ROOT} names, else {@link #DEFAULT_ROOT}. */
    public static Path rootFromEnvironment() {
        String env = System.getenv(ROOT_ENV);
        return env != null && !env.isEmpty() ? Path.of(env) : DEFAULT_ROOT;
    }

    Path root() {
        return root;
    }

    /**
     * The image config's values that {@link ContainerUnitConverter#convert} reads, or null when
     * the file has no {@code Image=}, there is no store or the image is not in it.
     */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, String> read(ContainerFile file) throws UnitConversionException {
        String image = file.image();
        if (image == null || !storePresent()) {
            return null;
        }
        Object cached = cache.get(image);
        if (cached == null) {
            try {
                cached = resolve(image);
            } catch (Corrupt e) {
                cached = e.getMessage();
            }
            cache.put(image, cached);
        }
        if (cached instanceof String) {
            throw UnitConversionException.at(file.source().toString(), file.lineOf("Image"),
                    "Image=" + image + ": " + cached);
        }
        return cached == NOT_IN_STORE ? null : (Map<String, String>) cached;
    }

    /**
     * The manifest digest of the image {@link #read} found for {@code file} (call it after {@code read}), or null
     * when {@code read} found none.
     */
    public synchronized Digest manifestDigest(ContainerFile file) {
        return file.image() == null ? null : manifests.get(file.image());
    }

    private boolean storePresent() {
        if (present == null) {
            present = Files.isDirectory(root.resolve("refs"));
        }
        return present;
    }

    private Map<String, String> resolve(String image) throws Corrupt {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (ImageStoreException e) {
            throw new Corrupt(e.getMessage());
        }
        Path refFile = root.resolve("refs").resolve(URLEncoder.encode(ref.toString(), StandardCharsets.UTF_8));
        Digest manifestDigest;
        try {
            String text = new String(Files.readAllBytes(refFile), StandardCharsets.UTF_8).strip();
            try {
                manifestDigest = Digest.parse(text);
            } catch (ImageStoreException e) {
                throw new Corrupt("corrupt ref " + refFile + " in the image store: " + e.getMessage());
            }
        } catch (NoSuchFileException e) {
            // By digest, the store finds a manifest without a ref (ImageStore.inspect does the same).
            if (ref.digest() == null || !Files.isRegularFile(blob(ref.digest()))) {
                return NOT_IN_STORE;
            }
            manifestDigest = ref.digest();
        } catch (IOException e) {
            throw new Corrupt("cannot read " + refFile + " in the image store: " + reason(e));
        }

        Path manifestBlob = blob(manifestDigest);
        Map<String, Object> manifest = object(manifestBlob, "manifest");
        manifests.put(image, manifestDigest);
        if (manifest.containsKey("manifests")) {
            throw new Corrupt("manifest " + manifestBlob + " is an index, not an image manifest");
        }
        Object configDescriptor = manifest.get("config");
        Object configDigestText = configDescriptor instanceof Map ? ((Map<?, ?>) configDescriptor).get("digest") : null;
        if (!(configDigestText instanceof String)) {
            throw new Corrupt("manifest " + manifestBlob + ": key 'config.digest' is missing or not a string");
        }
        Digest configDigest;
        try {
            configDigest = Digest.parse((String) configDigestText);
        } catch (ImageStoreException e) {
            throw new Corrupt("manifest " + manifestBlob + ": key 'config.digest': " + e.getMessage());
        }

        Path configBlob = blob(configDigest);
        Map<String, Object> config = object(configBlob, "config");
        Object defaults = config.get("config");
        Map<String, String> out = new HashMap<>(2);
        if (defaults == null) {
            return out; // an image with no defaults at all (allowed by the image spec)
        }
        if (!(defaults instanceof Map)) {
            throw new Corrupt("config " + configBlob + ": key 'config' is not an object");
        }
        for (String key : List.of(ContainerUnitConverter.IMAGE_STOP_SIGNAL)) {
            Object value = ((Map<?, ?>) defaults).get(key);
            if (value instanceof String) {
                out.put(key, (String) value);
            } else if (value != null) {
                throw new Corrupt("config " + configBlob + ": key 'config." + key + "' is not a string");
            }
        }
        healthcheck(configBlob, ((Map<?, ?>) defaults).get(HealthUnits.IMAGE_HEALTHCHECK), out);
        return out;
    }

    /** Docker's {@code Healthcheck} object, flattened into {@code out} as {@link HealthUnits} reads it. */
    private static void healthcheck(Path configBlob, Object value, Map<String, String> out) throws Corrupt {
        if (value == null) {
            return;
        }
        String where = "config " + configBlob + ": key 'config." + HealthUnits.IMAGE_HEALTHCHECK;
        if (!(value instanceof Map)) {
            throw new Corrupt(where + "' is not an object");
        }
        Map<?, ?> h = (Map<?, ?>) value;
        Object test = h.get("Test");
        StringBuilder words = new StringBuilder();
        if (test instanceof List) {
            for (Object w : (List<?>) test) {
                if (!(w instanceof String)) {
                    throw new Corrupt(where + ".Test' holds a value that is not a string");
                }
                if (words.length() > 0) {
                    words.append('\0');
                }
                words.append((String) w);
            }
        } else if (test != null) {
            throw new Corrupt(where + ".Test' is not an array");
        }
        out.put(HealthUnits.IMAGE_TEST, words.toString());
        for (String key : HealthUnits.IMAGE_NUMBERS) {
            Object n = h.get(key.substring(HealthUnits.IMAGE_HEALTHCHECK.length() + 1));
            if (n == null) {
                continue;
            }
            String text = n.toString();
            boolean digits = n instanceof MiniJson.JsonNumber && !text.isEmpty() && text.length() < 19;
            for (int i = 0; digits && i < text.length(); i++) {
                digits = text.charAt(i) >= '0' && text.charAt(i) <= '9';
            }
            if (!digits) {
                throw new Corrupt(where + key.substring(HealthUnits.IMAGE_HEALTHCHECK.length()) + "' is not a whole "
                        + "number of at most 18 digits");
            }
            out.put(key, text);
        }
    }

    private Path blob(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** A blob of the store parsed as a JSON object. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Path blob, String what) throws Corrupt {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(blob)) {
            bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new Corrupt(what + " " + blob + " is missing from the image store");
        } catch (IOException e) {
            throw new Corrupt("cannot read " + what + " " + blob + ": " + reason(e));
        }
        if (bytes.length > MAX_METADATA_BYTES) {
            throw new Corrupt(what + " " + blob + " is larger than " + MAX_METADATA_BYTES + " bytes");
        }
        Object value;
        try {
            value = MiniJson.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (MiniJson.JsonException e) {
            throw new Corrupt("corrupt " + what + " " + blob + ": " + e.getMessage());
        }
        if (!(value instanceof Map)) {
            throw new Corrupt("corrupt " + what + " " + blob + ": not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Why an image of the store cannot be read; the message names the blob and key. */
    private static final class Corrupt extends Exception {
        private static final long serialVersionUID = 1L;

        Corrupt(String message) {
            super(message, null, false, false);
        }
    }
}
