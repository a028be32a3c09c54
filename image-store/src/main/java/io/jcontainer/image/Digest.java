package io.jcontainer.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}; the only algorithm the store accepts.
 *
 * <p>Parsed once at the edge ({@link #parse}); everywhere else a digest is this value, never a string.
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (!SHA256.equals(algorithm) || !isHex64(hex)) {
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
        if (!isAlgorithm(algorithm)) {
            throw new ImageStoreException("Invalid digest '" + text + "': bad algorithm, refusing.");
        }
        if (!SHA256.equals(algorithm)) {
            throw new ImageStoreException("Unsupported digest algorithm '" + algorithm + "', refusing.");
        }
        if (!isHex64(hex)) {
            throw new ImageStoreException("Invalid digest '" + text + "': expected 64 lowercase hex digits, refusing.");
        }
        return new Digest(algorithm, hex);
    }

    // Loops, not regexes, for the unit generator's start time (see ImageReference); ValuesTest
    // checks each against its regex.

    /** {@code [0-9a-f]{64}}. */
    static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z0-9]+(?:[+._-][a-z0-9]+)*}. */
    static boolean isAlgorithm(String s) {
        int n = s.length();
        int i = 0;
        while (true) {
            int run = i;
            while (i < n && ImageReference.isLowerOrDigit(s.charAt(i))) {
                i++;
            }
            if (i == run) {
                return false;
            }
            if (i == n) {
                return true;
            }
            char c = s.charAt(i++);
            if (c != '+' && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
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
