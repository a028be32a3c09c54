package io.jcontainer.image.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.store.FsUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * What accepted an image when it entered the store: the policy scope, the requirement and, for a signature, the key
 * and the reference it signed. Kept per manifest digest in the store's {@code verified/} directory
 * ({@code sha256-HEX.json}, written atomically) for {@code inspect} and {@code images --json}. Plain JSON: reading
 * it loads no OpenPGP code.
 *
 * @param image the reference pulled or imported
 * @param where the policy file and scope whose requirements applied
 * @param requirement the requirement types that accepted it, e.g. {@code signedBy}
 * @param key the fingerprint of the key whose signature satisfied {@code signedBy}, or null
 * @param signedReference the docker-reference that signature named, or null
 */
public record Verification(String image, String where, String requirement, String key, String signedReference) {
    public static final String DIR = "verified";

    /** Where the record for {@code manifest} is kept under {@code storeRoot}. */
    public static Path file(Path storeRoot, Digest manifest) {
        return storeRoot.resolve(DIR).resolve(manifest.algorithm() + "-" + manifest.hex() + ".json");
    }

    /** Writes this record for {@code manifest} under {@code storeRoot}. */
    public void write(Path storeRoot, Digest manifest) throws ImageStoreException {
        Path dir = storeRoot.resolve(DIR);
        Path target = file(storeRoot, manifest);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        ObjectNode o = PolicyParser.STRICT.createObjectNode();
        o.put("image", image);
        o.put("policy", where);
        o.put("requirement", requirement);
        if (key != null) {
            o.put("key", key);
        }
        if (signedReference != null) {
            o.put("signedReference", signedReference);
        }
        try {
            Files.createDirectories(dir);
            Files.write(tmp, (o.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
            throw new ImageStoreException("Failed to record the verification in '" + target + "': " + FsUtil.describe(e), e);
        }
    }

    /** The record for {@code manifest}, or null (an image stored before verification, or by gc's leftovers). */
    public static Verification read(Path storeRoot, Digest manifest) throws ImageStoreException {
        Path f = file(storeRoot, manifest);
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            byte[] bytes;
            try (var in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(64 << 10);
            }
            JsonNode n = PolicyParser.STRICT.readTree(bytes);
            return new Verification(text(n, "image"), text(n, "policy"), text(n, "requirement"), text(n, "key"),
                    text(n, "signedReference"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read verification record '" + f + "': " + FsUtil.describe(e), e);
        }
    }

    /** One line for {@code inspect}: the requirement, the key, the signed reference and the policy scope. */
    public String describe() {
        return requirement + (key == null ? "" : " by key " + key) + (signedReference == null ? "" : ", signed as '"
                + signedReference + "'") + " (" + where + ")";
    }

    /** The record as {@code --json} prints it. */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("image", image);
        m.put("policy", where);
        m.put("requirement", requirement);
        m.put("key", key);
        m.put("signedReference", signedReference);
        return m;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n == null ? null : n.get(key);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
