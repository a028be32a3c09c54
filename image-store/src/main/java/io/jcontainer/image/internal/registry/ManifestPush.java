package io.jcontainer.image.internal.registry;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code PUT /v2/NAME/manifests/REFERENCE} with the manifest's exact bytes and media type (the registry checks
 * that every blob it names is there); the answer's {@code Docker-Content-Digest} must be the digest of those bytes.
 */
public final class ManifestPush {
    private final RegistryHttp http;
    private final ImageReference image;
    private final byte[] bytes;
    private final MediaType mediaType;

    public ManifestPush(RegistryHttp http, ImageReference image, byte[] bytes, MediaType mediaType) {
        this.http = http;
        this.image = image;
        this.bytes = bytes;
        this.mediaType = mediaType;
    }

    public String description() {
        return "push manifest to '" + image + "'";
    }

    public Digest call() throws RegistryException {
        Digest digest = Digest.sha256(bytes);
        String reference = image.tag() != null ? image.tag() : image.digest().toString();
        if (image.digest() != null && !image.digest().equals(digest)) {
            throw new RegistryException("Failed to " + description() + ": the manifest is " + digest + ", not the digest named, refusing.");
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send("PUT", "/v2/" + image.repository() + "/manifests/" + reference,
                    Map.of("Content-Type", mediaType.value()), RegistryHttp.pushScope(image.repository()),
                    HttpRequest.BodyPublishers.ofByteArray(bytes));
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException("Failed to " + description() + ": " + http.describe(e), e);
        }
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new RegistryException("Failed to " + description() + ": " + RegistryHttp.describe(r), r.statusCode(), null);
        }
        RegistryHttp.closeQuietly(r);
        String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (claimed != null && !claimed.trim().equals(digest.toString())) {
            throw new RegistryException("Failed to " + description() + ": the registry stored it as " + claimed.trim()
                    + " but it is " + digest + ", refusing.");
        }
        return digest;
    }
}
