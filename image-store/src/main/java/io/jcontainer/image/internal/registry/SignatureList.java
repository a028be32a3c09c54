package io.jcontainer.image.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The registry's signature extension (containers/image "docker-registry extension API"): when {@code GET /v2/}
 * answers {@code X-Registry-Supports-Signatures: 1}, {@code GET /extensions/v2/NAME/signatures/DIGEST} lists
 * {@code {"signatures":[{"type":"atomic","content":"<base64>"}]}}. A registry without it has none there.
 */
public final class SignatureList {
    /** A list of signatures is small; a larger answer is not one. */
    static final int MAX_BYTES = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryHttp http;
    private final ImageReference image;
    private final Digest manifest;

    public SignatureList(RegistryHttp http, ImageReference image, Digest manifest) {
        this.http = http;
        this.image = image;
        this.manifest = manifest;
    }

    public String description() {
        return "list signatures of " + manifest + " of '" + image + "'";
    }

    /** The signatures, or an empty list when the registry does not offer the extension. */
    public List<byte[]> call() throws RegistryException {
        try {
            HttpResponse<InputStream> ping = http.send("GET", "/v2/", Map.of(), RegistryHttp.pullScope(image.repository()));
            RegistryHttp.closeQuietly(ping);
            if (!ping.headers().firstValue("X-Registry-Supports-Signatures").map(v -> v.trim().equals("1")).orElse(false)) {
                return List.of();
            }
            HttpResponse<InputStream> r = http.send("GET", "/extensions/v2/" + image.repository() + "/signatures/" + manifest,
                    Map.of(), RegistryHttp.pullScope(image.repository()));
            if (r.statusCode() == 404) {
                RegistryHttp.closeQuietly(r);
                return List.of();
            }
            if (r.statusCode() != 200) {
                throw failure(RegistryHttp.describe(r), r.statusCode(), null);
            }
            byte[] body;
            try (InputStream in = http.body(r)) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
            if (body.length > MAX_BYTES) {
                throw failure("larger than " + MAX_BYTES + " bytes, refusing.", 0, null);
            }
            JsonNode list = JSON.readTree(body).get("signatures");
            List<byte[]> out = new ArrayList<>();
            if (list != null && list.isArray()) {
                for (JsonNode s : list) {
                    if (s.path("type").asText().equals("atomic") && s.path("content").isTextual()) {
                        out.add(Base64.getDecoder().decode(s.get("content").asText()));
                    }
                }
            }
            return out;
        } catch (RegistryException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw failure(e.getMessage(), 0, e);
        }
    }

    private RegistryException failure(String why, int status, Throwable cause) {
        return new RegistryException("Failed to " + description() + ": " + why, status, cause);
    }
}
