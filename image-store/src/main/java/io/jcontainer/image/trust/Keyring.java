package io.jcontainer.image.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * OpenPGP public keys (a keyring, binary as {@code gpg --export} writes it or ASCII-armored), read with
 * BouncyCastle's lightweight API. Bounded: a keyring is at most {@link #MAX_BYTES} and {@link #MAX_KEYS} keys.
 */
public final class Keyring {
    /** A keyring larger than this is not one jcontainer reads (a few keys take a few kB). */
    public static final int MAX_BYTES = 1 << 20;
    /** Primary keys per keyring (each with its subkeys). */
    public static final int MAX_KEYS = 100;

    private final List<PGPPublicKeyRing> rings;
    private final String source;

    private Keyring(List<PGPPublicKeyRing> rings, String source) {
        this.rings = List.copyOf(rings);
        this.source = source;
    }

    /** Reads the keyring at {@code file}. */
    public static Keyring read(Path file) throws TrustException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new TrustException("Keyring '" + file + "' is larger than " + MAX_BYTES + " bytes, refusing.");
            }
            return parse(Files.readAllBytes(file), "'" + file + "'");
        } catch (NoSuchFileException e) {
            throw new TrustException("Keyring '" + file + "' does not exist.");
        } catch (IOException e) {
            throw new TrustException("Failed to read keyring '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Parses {@code bytes}; {@code what} names them in errors. */
    public static Keyring parse(byte[] bytes, String what) throws TrustException {
        if (bytes.length > MAX_BYTES) {
            throw new TrustException("Keyring " + what + " is larger than " + MAX_BYTES + " bytes, refusing.");
        }
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
            BcPGPObjectFactory f = new BcPGPObjectFactory(in);
            for (Object o = f.nextObject(); o != null; o = f.nextObject()) {
                if (!(o instanceof PGPPublicKeyRing ring)) {
                    throw new TrustException("Keyring " + what + " holds a " + o.getClass().getSimpleName()
                            + ", not OpenPGP public keys, refusing.");
                }
                if (rings.size() == MAX_KEYS) {
                    throw new TrustException("Keyring " + what + " holds more than " + MAX_KEYS + " keys, refusing.");
                }
                rings.add(ring);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof TrustException t) {
                throw t;
            }
            throw new TrustException("Keyring " + what + " is not an OpenPGP public keyring: " + message(e) + ", refusing.", e);
        }
        if (rings.isEmpty()) {
            throw new TrustException("Keyring " + what + " holds no OpenPGP public key, refusing.");
        }
        return new Keyring(rings, what);
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    /** The key (primary or subkey) with {@code keyId}, or null. */
    PGPPublicKey find(long keyId) {
        for (PGPPublicKeyRing ring : rings) {
            PGPPublicKey k = ring.getPublicKey(keyId);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    /** The primary key of the ring holding {@code key}. */
    PGPPublicKey primaryOf(PGPPublicKey key) {
        for (PGPPublicKeyRing ring : rings) {
            if (ring.getPublicKey(key.getKeyID()) != null) {
                return ring.getPublicKey();
            }
        }
        return key;
    }

    /** The primary keys' fingerprints, upper-case hex as gpg prints them. */
    public List<String> fingerprints() {
        List<String> out = new ArrayList<>();
        for (PGPPublicKeyRing ring : rings) {
            out.add(fingerprint(ring.getPublicKey()));
        }
        return out;
    }

    /** Each primary key's first user id, or "" (for {@code jcontainer trust}'s output). */
    public List<String> userIds() {
        List<String> out = new ArrayList<>();
        for (PGPPublicKeyRing ring : rings) {
            Iterator<String> ids = ring.getPublicKey().getUserIDs();
            out.add(ids.hasNext() ? ids.next() : "");
        }
        return out;
    }

    /** The key with primary fingerprint {@code fingerprint} (as {@link #fingerprints()} spells it) alone. */
    public Keyring only(String fingerprint) {
        List<PGPPublicKeyRing> one = new ArrayList<>();
        for (PGPPublicKeyRing ring : rings) {
            if (fingerprint(ring.getPublicKey()).equals(fingerprint)) {
                one.add(ring);
            }
        }
        return new Keyring(one, source);
    }

    /** The keyring as binary OpenPGP packets (what {@code jcontainer trust} stores). */
    public byte[] encoded() throws TrustException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            for (PGPPublicKeyRing ring : rings) {
                ring.encode(out, true);
            }
        } catch (IOException e) {
            throw new TrustException("Failed to encode keyring " + source + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().formatHex(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    String source() {
        return source;
    }

    /** A BouncyCastle failure as one line. */
    static TrustException wrap(String what, PGPException e) {
        return new TrustException(what + ": " + message(e), e);
    }
}
