package io.jcontainer.image.internal.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.registry.PushProgress;
import io.jcontainer.image.registry.RegistryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A blob into a repository, as the distribution spec's push says: {@code POST /v2/NAME/blobs/uploads/} (with
 * {@code ?mount=DIGEST&from=OTHER} when the blob is known to be in another repository of the registry: 201 means
 * mounted, no bytes sent), then one {@code PUT LOCATION?digest=DIGEST} with the whole blob (a monolithic
 * upload). The registry verifies the digest; its {@code Docker-Content-Digest} answer is checked too.
 */
public final class BlobUpload {
    /** What a push of one blob did. */
    public enum Result { MOUNTED, UPLOADED }

    private final RegistryHttp http;
    private final ImageReference image;
    private final Descriptor blob;
    private final String mountFrom;
    private final PushProgress progress;

    /** @param mountFrom a repository of the same registry that has the blob, or null */
    public BlobUpload(RegistryHttp http, ImageReference image, Descriptor blob, String mountFrom, PushProgress progress) {
        this.http = http;
        this.image = image;
        this.blob = blob;
        this.mountFrom = mountFrom;
        this.progress = progress;
    }

    public String description() {
        return "push blob " + blob.digest() + " to '" + image.registry() + "/" + image.repository() + "'";
    }

    public Result call(BlobStore source) throws RegistryException {
        String scope = RegistryHttp.pushScope(image.repository());
        String path = "/v2/" + image.repository() + "/blobs/uploads/";
        if (mountFrom != null) {
            scope += " " + RegistryHttp.pullScope(mountFrom);
            path += "?mount=" + enc(blob.digest().toString()) + "&from=" + enc(mountFrom);
        }
        try {
            HttpResponse<InputStream> started = http.send("POST", path, Map.of(), scope,
                    HttpRequest.BodyPublishers.noBody());
            int status = started.statusCode();
            if (status == 201 && mountFrom != null) {
                RegistryHttp.closeQuietly(started);
                checkDigest(started, "mount");
                progress.blobMounted(blob, mountFrom);
                return Result.MOUNTED;
            }
            if (status != 202) {
                throw failure(RegistryHttp.describe(started), status);
            }
            RegistryHttp.closeQuietly(started);
            String location = started.headers().firstValue("Location").orElse(null);
            if (location == null || location.isEmpty()) {
                throw failure("the registry's 202 names no upload Location", 0);
            }
            String put = location + (location.contains("?") ? "&" : "?") + "digest=" + enc(blob.digest().toString());
            progress.blobStarted(blob);
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> counting(source)), blob.size());
            HttpResponse<InputStream> done = http.send("PUT", put, Map.of("Content-Type", "application/octet-stream"), scope, body);
            if (done.statusCode() != 201) {
                throw failure(RegistryHttp.describe(done), done.statusCode());
            }
            RegistryHttp.closeQuietly(done);
            checkDigest(done, "upload");
            progress.blobDone(blob);
            return Result.UPLOADED;
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ImageStoreException local) {
                    // our side failed while sending: the stored blob is corrupt (BlobStore.open checks it at the end)
                    throw new RegistryException("Failed to " + description() + ": " + local.getMessage(), local);
                }
            }
            throw new RegistryException("Failed to " + description() + ": " + http.describe(e), e);
        }
    }

    private void checkDigest(HttpResponse<InputStream> r, String what) throws RegistryException {
        String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (claimed != null && !claimed.trim().equals(blob.digest().toString())) {
            throw failure("after the " + what + " the registry says the blob is " + claimed.trim() + ", refusing.", 0);
        }
    }

    /** The stored blob (verified as it is read), counted for the progress display. */
    private InputStream counting(BlobStore source) {
        InputStream in;
        try {
            in = source.open(blob.digest());
        } catch (ImageStoreException e) {
            throw new java.io.UncheckedIOException(new IOException(e.getMessage(), e));
        }
        return new FilterInputStream(in) {
            private long sent;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    sent += n;
                    progress.blobProgress(blob, sent);
                }
                return n;
            }
        };
    }

    private RegistryException failure(String why, int status) {
        return new RegistryException("Failed to " + description() + ": " + why, status, null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
