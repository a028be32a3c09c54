package io.jcontainer.image.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The fingerprints of the keys a policy requirement names, without BouncyCastle (a container's start checks them,
 * and BouncyCastle stays off that path): an OpenPGP keyring's primary keys (RFC 4880 section 12.2, v4: SHA-1 of
 * 0x99, the two-byte length and the public key packet's body; v5 and v6 keys SHA-256 with 0x9A and 0x9B and a
 * four-byte length), spelled as {@link Keyring#fingerprints()} spells them; a PEM public key's {@code SHA256:} of
 * its DER encoding, as {@link Cosign#fingerprint} spells it. Only packet headers are read: that the keys are valid
 * keys was checked when they verified the image's signature.
 */
public final class KeyFingerprints {
    private static final int TAG_PUBLIC_KEY = 6;
    /** As {@link Keyring}'s bounds (not referenced: that class names BouncyCastle's). */
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_KEYS = 100;

    private KeyFingerprints() {
    }

    /** The primary keys' fingerprints of the keyring (binary or ASCII-armored) in {@code file}. */
    public static List<String> openPgp(Path file) throws TrustException {
        return openPgp(readKeyFile(file), "'" + file + "'");
    }

    /** The primary keys' fingerprints of the keyring {@code bytes}; {@code what} names it in errors. */
    public static List<String> openPgp(byte[] bytes, String what) throws TrustException {
        byte[] packets = dearmor(bytes, what);
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < packets.length) {
            int header = packets[i++] & 0xff;
            if ((header & 0x80) == 0) {
                throw bad(what, "a byte at offset " + (i - 1) + " is not an OpenPGP packet header");
            }
            int tag;
            long length;
            if ((header & 0x40) != 0) {
                tag = header & 0x3f;
                int o1 = octet(packets, i++, what);
                if (o1 < 192) {
                    length = o1;
                } else if (o1 < 224) {
                    length = ((o1 - 192) << 8) + octet(packets, i++, what) + 192;
                } else if (o1 == 255) {
                    length = be(packets, i, 4, what);
                    i += 4;
                } else {
                    throw bad(what, "a partial-length packet (not one a key is stored in)");
                }
            } else {
                tag = (header >> 2) & 0x0f;
                int lengthType = header & 3;
                if (lengthType == 3) {
                    throw bad(what, "a packet of indeterminate length");
                }
                int n = 1 << lengthType;
                length = be(packets, i, n, what);
                i += n;
            }
            if (length > packets.length - i) {
                throw bad(what, "a packet runs past the end");
            }
            if (tag == TAG_PUBLIC_KEY) {
                if (out.size() == MAX_KEYS) {
                    throw new TrustException("Keyring " + what + " holds more than " + MAX_KEYS + " keys, refusing.");
                }
                out.add(fingerprint(packets, i, (int) length, what));
            }
            i += (int) length;
        }
        if (out.isEmpty()) {
            throw new TrustException("Keyring " + what + " holds no OpenPGP public key, refusing.");
        }
        return out;
    }

    /** {@code SHA256:HEX} of the DER encoding of the PEM public key in {@code file}. */
    public static String pem(Path file) throws TrustException {
        return pem(readKeyFile(file), "'" + file + "'");
    }

    /** {@code SHA256:HEX} of the DER encoding of the PEM public key {@code bytes}. */
    public static String pem(byte[] bytes, String what) throws TrustException {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int start = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (start < 0 || end < start) {
            throw new TrustException("Key " + what + " is not a PEM public key, refusing.");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(start + 26, end));
            return "SHA256:" + hex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            throw new TrustException("Key " + what + " is not a PEM public key: " + e.getMessage() + ", refusing.", e);
        }
    }

    private static String fingerprint(byte[] p, int off, int len, String what) throws TrustException {
        if (len < 1) {
            throw bad(what, "an empty public key packet");
        }
        int version = p[off] & 0xff;
        try {
            MessageDigest md;
            if (version == 4 || version == 3) {
                if (version == 3) {
                    throw bad(what, "a version 3 key (not used for signatures since 2007)");
                }
                md = MessageDigest.getInstance("SHA-1");
                md.update(new byte[] {(byte) 0x99, (byte) (len >> 8), (byte) len});
            } else if (version == 5 || version == 6) {
                md = MessageDigest.getInstance("SHA-256");
                md.update(new byte[] {(byte) (version == 5 ? 0x9a : 0x9b), (byte) (len >>> 24), (byte) (len >> 16),
                        (byte) (len >> 8), (byte) len});
            } else {
                throw bad(what, "a public key of version " + version);
            }
            md.update(p, off, len);
            return hex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packets of an ASCII-armored keyring (RFC 4880 section 6.2), or {@code bytes} as they are. */
    private static byte[] dearmor(byte[] bytes, String what) throws TrustException {
        String text = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1);
        if (!text.stripLeading().startsWith("-----BEGIN PGP")) {
            return bytes;
        }
        List<String> lines = new String(bytes, StandardCharsets.ISO_8859_1).lines().toList();
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith("-----BEGIN PGP")) {
            i++;
        }
        i++;
        while (i < lines.size() && !lines.get(i).isBlank()) {
            i++; // armor headers (Version:, Comment:)
        }
        StringBuilder b64 = new StringBuilder();
        for (i++; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("-----END PGP")) {
                try {
                    return Base64.getMimeDecoder().decode(b64.toString());
                } catch (IllegalArgumentException e) {
                    throw bad(what, "its armor is not base64 (" + e.getMessage() + ")");
                }
            }
            if (line.startsWith("=") && line.length() == 5) {
                continue; // the CRC-24 checksum
            }
            b64.append(line);
        }
        throw bad(what, "its armor has no END line");
    }

    private static byte[] readKeyFile(Path file) throws TrustException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new TrustException("Key file '" + file + "' is larger than " + MAX_BYTES + " bytes, refusing.");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TrustException("Key file '" + file + "' does not exist.");
        } catch (IOException e) {
            throw new TrustException("Failed to read key file '" + file + "': " + e.getMessage(), e);
        }
    }

    private static int octet(byte[] p, int i, String what) throws TrustException {
        if (i >= p.length) {
            throw bad(what, "a packet header runs past the end");
        }
        return p[i] & 0xff;
    }

    private static long be(byte[] p, int i, int n, String what) throws TrustException {
        long v = 0;
        for (int k = 0; k < n; k++) {
            v = v << 8 | octet(p, i + k, what);
        }
        return v;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b).toUpperCase(Locale.ROOT);
    }

    private static TrustException bad(String what, String why) {
        return new TrustException("Keyring " + what + " is not an OpenPGP public keyring: " + why + ", refusing.");
    }
}
