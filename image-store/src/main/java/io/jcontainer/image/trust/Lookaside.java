package io.jcontainer.image.trust;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads simple signing signatures from lookaside storage (containers-registries.d(5)):
 * {@code BASE/REPOSITORY@ALGO=HEX/signature-N}, N from 1 until one is missing, over {@code file://} or
 * {@code http(s)://}. Each is at most {@link SimpleSigning#MAX_SIGNATURE_BYTES}; at most {@link #MAX_SIGNATURES}.
 */
public final class Lookaside {
    /** containers/image stops looking after this many (a signature per key and identity is a handful). */
    static final int MAX_SIGNATURES = 128;

    private Lookaside() {
    }

    /** The URL of signature {@code n} of {@code manifest} of {@code image} below {@code base}. */
    static String url(String base, ImageReference image, Digest manifest, int n) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return b + "/" + image.repository() + "@" + manifest.algorithm() + "=" + manifest.hex() + "/signature-" + n;
    }

    /** The signatures stored for {@code manifest} of {@code image} below {@code base}. */
    public static List<byte[]> read(String base, ImageReference image, Digest manifest, HttpClient http, Duration timeout)
            throws TrustException {
        List<byte[]> out = new ArrayList<>();
        for (int n = 1; n <= MAX_SIGNATURES; n++) {
            String url = url(base, image, manifest, n);
            byte[] sig = url.startsWith("file://") ? readFile(Path.of(URI.create(url)), url) : readHttp(url, http, timeout);
            if (sig == null) {
                break;
            }
            out.add(sig);
        }
        return out;
    }

    private static byte[] readFile(Path p, String url) throws TrustException {
        try {
            if (Files.size(p) > SimpleSigning.MAX_SIGNATURE_BYTES) {
                throw tooLarge(url);
            }
            try (InputStream in = Files.newInputStream(p)) {
                return bounded(in, url);
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (e instanceof TrustException t) {
                throw t;
            }
            throw new TrustException("Failed to read signature '" + url + "': " + e.getMessage(), e);
        }
    }

    private static byte[] readHttp(String url, HttpClient http, Duration timeout) throws TrustException {
        if (http == null) {
            throw new TrustException("Signature '" + url + "' is on http(s), and this caller has no HTTP client.");
        }
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() == 404) {
                    return null;
                }
                if (r.statusCode() != 200) {
                    throw new TrustException("Failed to fetch signature '" + url + "': HTTP " + r.statusCode() + ".");
                }
                if (r.headers().firstValueAsLong("Content-Length").orElse(0) > SimpleSigning.MAX_SIGNATURE_BYTES) {
                    throw tooLarge(url);
                }
                return bounded(in, url);
            }
        } catch (IOException e) {
            if (e instanceof TrustException t) {
                throw t;
            }
            throw new TrustException("Failed to fetch signature '" + url + "': " + Keyring.message(e) + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrustException("Interrupted fetching signature '" + url + "'.");
        }
    }

    static byte[] bounded(InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes(SimpleSigning.MAX_SIGNATURE_BYTES + 1);
        if (b.length > SimpleSigning.MAX_SIGNATURE_BYTES) {
            throw tooLarge(what);
        }
        return b;
    }

    private static TrustException tooLarge(String what) {
        return new TrustException("Signature '" + what + "' is larger than " + SimpleSigning.MAX_SIGNATURE_BYTES
                + " bytes, refusing.");
    }
}
