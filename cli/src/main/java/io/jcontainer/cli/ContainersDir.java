package io.jcontainer.cli;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Manifest;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.internal.json.Wire;
import io.jcontainer.image.trust.SignatureSource;
import io.jcontainer.image.trust.SimpleSigning;
import io.jcontainer.image.trust.TrustException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * containers/image's {@code dir:} format, as {@code skopeo copy ... dir:OUT} writes it: {@code manifest.json}, the
 * blobs named by their hex digest, {@code version}, and the simple signing signatures {@code signature-1..N}.
 * Imported through a temporary OCI layout beside it in the store's scratch directory; its signatures are checked
 * against the policy's {@code dir} transport before anything enters the store.
 */
final class ContainersDir {
    static final String VERSION_FILE = "version";
    static final String MANIFEST_FILE = "manifest.json";
    static final int MAX_SIGNATURES = 128;

    private ContainersDir() {
    }

    /** Whether {@code dir} is a {@code dir:} image ({@code version} says "Directory Transport Version"). */
    static boolean is(Path dir) {
        try {
            Path v = dir.resolve(VERSION_FILE);
            if (!Files.isRegularFile(v, LinkOption.NOFOLLOW_LINKS) || Files.size(v) > 4096
                    || !Files.isRegularFile(dir.resolve(MANIFEST_FILE))) {
                return false;
            }
            return Files.readString(v).startsWith("Directory Transport Version:");
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] manifest(Path dir) throws CliException {
        return read(dir.resolve(MANIFEST_FILE), 4 << 20);
    }

    /** The signatures beside the manifest, as a {@link SignatureSource}. */
    static SignatureSource signatures(Path dir) {
        return new SignatureSource() {
            @Override
            public List<byte[]> signatures() throws TrustException {
                List<byte[]> out = new ArrayList<>();
                for (int n = 1; n <= MAX_SIGNATURES; n++) {
                    Path f = dir.resolve("signature-" + n);
                    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        break;
                    }
                    try {
                        out.add(read(f, SimpleSigning.MAX_SIGNATURE_BYTES));
                    } catch (CliException e) {
                        throw new TrustException(e.getMessage(), e);
                    }
                }
                return out;
            }

            @Override
            public String describe() {
                return "'" + dir.resolve("signature-1") + "'";
            }
        };
    }

    /** An OCI layout at {@code layout} holding the image of {@code dir} (blobs copied). */
    static Path toOciLayout(Path dir, byte[] manifest, Path layout) throws CliException, ImageStoreException {
        String declared = JsonOutput.tree(manifest, "'" + dir.resolve(MANIFEST_FILE) + "'").path("mediaType").asText("");
        MediaType type = declared.isEmpty() ? MediaType.OCI_MANIFEST : new MediaType(declared);
        if (!(Wire.parseManifestOrIndex(manifest, type, "'" + dir.resolve(MANIFEST_FILE) + "'") instanceof Wire.ParsedManifest m)) {
            throw new CliException("'" + dir + "' holds an index (a list of images); import one image of it, refusing.");
        }
        Manifest parsed = m.manifest();
        Digest digest = Digest.sha256(manifest);
        try {
            Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
            Files.write(blobs.resolve(digest.hex()), manifest);
            List<Descriptor> needed = new ArrayList<>(parsed.layers());
            needed.add(parsed.config());
            for (Descriptor d : needed) {
                Path from = dir.resolve(d.digest().hex());
                if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CliException("'" + dir + "' lacks blob " + d.digest() + " that its manifest names, refusing.");
                }
                Files.copy(from, blobs.resolve(d.digest().hex()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                    + type.value() + "\",\"digest\":\"" + digest + "\",\"size\":" + manifest.length + "}]}");
        } catch (IOException e) {
            throw new CliException("Failed to stage '" + dir + "' in '" + layout + "': " + e.getMessage(), e);
        }
        return layout;
    }

    private static byte[] read(Path f, int max) throws CliException {
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new CliException("'" + f + "' is larger than " + max + " bytes, refusing.");
            }
            return b;
        } catch (IOException e) {
            throw new CliException("Failed to read '" + f + "': " + e.getMessage(), e);
        }
    }
}
