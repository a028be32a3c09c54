package io.jcontainer.image.internal.registry;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code GET /v2/NAME/blobs/DIGEST} of a small blob into memory (a cosign signature payload): at most {@code max}
 * bytes, verified by its digest. Large blobs go through {@link BlobPull} into the store.
 */
public final class SmallBlobGet {
    private final RegistryHttp http;
    private final ImageReference image;
    private final Digest digest;
    private final int max;

    public SmallBlobGet(RegistryHttp http, ImageReference image, Digest digest, int max) {
        this.http = http;
        this.image = image;
        this.digest = digest;
        this.max = max;
    }

    public String description() {
        return "fetch blob " + digest + " of '" + image.name() + "'";
    }

    public byte[] call() throws RegistryException {
        byte[] bytes;
        try {
            HttpResponse<InputStream> r = http.send("GET", "/v2/" + image.repository() + "/blobs/" + digest, Map.of(),
                    RegistryHttp.pullScope(image.repository()));
            if (r.statusCode() != 200) {
                throw failure(RegistryHttp.describe(r), r.statusCode());
            }
            try (InputStream in = http.body(r)) {
                bytes = in.readNBytes(max + 1);
            }
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw failure(http.describe(e), 0);
        }
        if (bytes.length > max) {
            throw failure("larger than " + max + " bytes, refusing.", 0);
        }
        if (!Digest.sha256(bytes).equals(digest)) {
            throw failure("digest mismatch: got " + Digest.sha256(bytes) + ", refusing.", 0);
        }
        return bytes;
    }

    private RegistryException failure(String why, int status) {
        return new RegistryException("Failed to " + description() + ": " + why, status, null);
    }
}
