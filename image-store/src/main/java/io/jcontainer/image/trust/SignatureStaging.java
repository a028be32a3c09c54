package io.jcontainer.image.trust;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * The writing side of simple signing: the JSON a signer signs (containers-signature(5), as skopeo writes it) and
 * the lookaside staging location it goes to ({@code BASE/REPOSITORY@ALGO=HEX/signature-N}, the first N free, as
 * {@link Lookaside} reads it), over {@code file://} only: publishing a staging directory is the user's business,
 * as with skopeo.
 */
public final class SignatureStaging {
    private SignatureStaging() {
    }

    /** The signed JSON for {@code manifest} pushed as {@code identity}, with a creator and a timestamp (optional). */
    public static byte[] payload(ImageReference identity, Digest manifest, String creator, long timestampSeconds) {
        ObjectNode root = PolicyParser.STRICT.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", identity.toString());
        critical.putObject("image").put("docker-manifest-digest", manifest.toString());
        critical.put("type", SimpleSigning.TYPE);
        root.putObject("optional").put("creator", creator).put("timestamp", timestampSeconds);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code signature} as the first free {@code signature-N} of {@code manifest} of {@code image} below {@code base}. */
    public static Path write(String base, ImageReference image, Digest manifest, byte[] signature) throws TrustException {
        if (!base.startsWith("file://")) {
            throw new TrustException("Cannot write signatures to lookaside '" + base + "': only a file:// lookaside-staging "
                    + "is written (containers-registries.d(5)), refusing.");
        }
        Path dir = Path.of(URI.create(Lookaside.url(base, image, manifest, 1))).getParent();
        Path tmp = dir.resolve(".signature.tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.write(tmp, signature);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            for (int n = 1; n <= Lookaside.MAX_SIGNATURES; n++) {
                Path target = dir.resolve("signature-" + n);
                try {
                    Files.createLink(target, tmp); // fails if signature-N exists: never overwrites another's signature
                    Files.delete(tmp);
                    return target;
                } catch (FileAlreadyExistsException taken) {
                    // the next N
                }
            }
            throw new TrustException("'" + dir + "' already holds " + Lookaside.MAX_SIGNATURES + " signatures, refusing.");
        } catch (TrustException e) {
            throw e;
        } catch (IOException e) {
            throw new TrustException("Failed to write a signature in '" + dir + "': " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
