package io.jcontainer.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}; the only algorithm the store accepts.
 *
 * <p>Parsed once at the edge ({@link #parse}); everywhere else a digest is this value, never a string.
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (!SHA256.equals(algorithm) || !HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("Invalid digest '" + algorithm + ":" + hex + "'");
        }
    }

    /** Parses {@code sha256:<64 hex>}; anything else is refused with a one-line message. */
    public static Digest parse(String text) throws ImageStoreException {
        if (text == null) {
            throw new ImageStoreException("Missing digest, refusing.");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new ImageStoreException("Invalid digest '" + text + "': expected 'sha256:<64 hex digits>', refusing.");
        }
        String algorithm = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        if (!ALGORITHM.matcher(algorithm).matches()) {
            throw new ImageStoreException("Invalid digest '" + text + "': bad algorithm, refusing.");
        }
        if (!SHA256.equals(algorithm)) {
            throw new ImageStoreException("Unsupported digest algorithm '" + algorithm + "', refusing.");
        }
        if (!HEX64.matcher(hex).matches()) {
            throw new ImageStoreException("Invalid digest '" + text + "': expected 64 lowercase hex digits, refusing.");
        }
        return new Digest(algorithm, hex);
    }

    /** A sha256 digest from its 32 raw bytes. */
    public static Digest ofSha256(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("sha256 has 32 bytes, got " + raw.length);
        }
        return new Digest(SHA256, HexFormat.of().formatHex(raw));
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return ofSha256(newSha256().digest(bytes));
    }

    /** A fresh SHA-256 {@link MessageDigest}; every JDK has one. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ':' + hex;
    }
}
