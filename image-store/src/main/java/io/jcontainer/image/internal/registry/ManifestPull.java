package io.jcontainer.image.internal.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.registry.PulledManifest;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code GET /v2/NAME/manifests/REFERENCE}: one manifest or index, by tag or by digest, verified against
 * {@code Docker-Content-Digest}, the digest the reference names and, for an index entry, its descriptor.
 */
public final class ManifestPull {
    /** Every manifest and index type the store reads; a registry converts or refuses anything else. */
    public static final String ACCEPT = String.join(", ", MediaType.OCI_MANIFEST.value(), MediaType.OCI_INDEX.value(),
            MediaType.DOCKER_MANIFEST.value(), MediaType.DOCKER_MANIFEST_LIST.value());

    private final RegistryHttp http;
    private final ImageReference image;
    private final Descriptor entry;

    /**
     * @param entry null to pull what {@code image} names (its digest, else its tag); else an index entry of it
     */
    public ManifestPull(RegistryHttp http, ImageReference image, Descriptor entry) {
        this.http = http;
        this.image = image;
        this.entry = entry;
    }

    public String description() {
        if (entry == null) {
            return "pull manifest for '" + image + "'";
        }
        return "pull manifest " + entry.digest() + (entry.platform() == null ? "" : " (" + entry.platform() + ")")
                + " for '" + image + "'";
    }

    public PulledManifest call() throws RegistryException {
        Digest expected = entry != null ? entry.digest() : image.digest();
        String reference = expected != null ? expected.toString() : image.tag();
        HttpResponse<InputStream> response;
        try {
            response = http.send("GET", "/v2/" + image.repository() + "/manifests/" + reference, Map.of("Accept", ACCEPT),
                    RegistryHttp.pullScope(image.repository()));
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw failure(http.describe(e), 0, e);
        }
        if (response.statusCode() != 200) {
            throw failure(RegistryHttp.describe(response), response.statusCode(), null);
        }
        byte[] bytes;
        try (InputStream in = http.body(response)) {
            bytes = in.readNBytes(BlobStore.MAX_METADATA_BYTES + 1);
        } catch (IOException e) {
            throw failure(http.describe(e), 0, e);
        }
        if (bytes.length > BlobStore.MAX_METADATA_BYTES) {
            throw failure("larger than " + BlobStore.MAX_METADATA_BYTES + " bytes, refusing.", 0, null);
        }
        Digest actual = Digest.sha256(bytes);
        String header = response.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (header != null) {
            Digest claimed;
            try {
                claimed = Digest.parse(header.trim());
            } catch (ImageStoreException e) {
                throw failure("invalid Docker-Content-Digest '" + header + "', refusing.", 0, e);
            }
            if (!claimed.equals(actual)) {
                throw failure("Docker-Content-Digest " + claimed + " does not match the content (" + actual + "), refusing.", 0, null);
            }
        }
        if (expected != null && !expected.equals(actual)) {
            throw failure("digest mismatch: expected " + expected + ", got " + actual + ", refusing.", 0, null);
        }
        if (entry != null && entry.size() != bytes.length) {
            throw failure(bytes.length + " bytes but the index says " + entry.size() + ", refusing.", 0, null);
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        int semi = contentType.indexOf(';');
        contentType = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        MediaType type = contentType.isEmpty() || contentType.equals("application/json")
                ? (entry != null ? entry.mediaType() : MediaType.OCTET_STREAM) : new MediaType(contentType);
        return new PulledManifest(bytes, actual, type);
    }

    private RegistryException failure(String why, int status, Throwable cause) {
        return new RegistryException("Failed to " + description() + ": " + why, status, cause);
    }
}
