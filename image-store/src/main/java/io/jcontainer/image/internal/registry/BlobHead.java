package io.jcontainer.image.internal.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;

/** {@code HEAD /v2/NAME/blobs/DIGEST}: whether a repository has a blob already (so a push skips it). */
public final class BlobHead {
    private final RegistryHttp http;
    private final ImageReference image;
    private final Descriptor blob;

    public BlobHead(RegistryHttp http, ImageReference image, Descriptor blob) {
        this.http = http;
        this.image = image;
        this.blob = blob;
    }

    public String description() {
        return "check for blob " + blob.digest() + " in '" + image.registry() + "/" + image.repository() + "'";
    }

    /** True when the registry has the blob in the repository with the descriptor's size. */
    public boolean call() throws RegistryException {
        HttpResponse<InputStream> r;
        try {
            r = http.send("HEAD", "/v2/" + image.repository() + "/blobs/" + blob.digest(), Map.of(),
                    RegistryHttp.pushScope(image.repository()));
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException("Failed to " + description() + ": " + http.describe(e), e);
        }
        RegistryHttp.closeQuietly(r);
        int status = r.statusCode();
        if (status == 404) {
            return false;
        }
        if (status != 200) {
            throw new RegistryException("Failed to " + description() + ": " + RegistryHttp.statusText(status), status, null);
        }
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        // a blob of another size under this digest cannot be: upload ours and let the registry verify it
        return length < 0 || length == blob.size();
    }
}
