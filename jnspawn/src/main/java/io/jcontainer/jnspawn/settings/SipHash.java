package io.jcontainer.jnspawn.settings;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed hash systemd uses to derive ids from names
 * (src/basic/siphash24.c).
 *
 * <p>Written out here because the JDK has no SipHash, and hashing a machine name through
 * {@code MessageDigest} would load the security providers on jnspawn's start path.
 */
final class SipHash {

    private SipHash() {
    }

    /**
     * The 64-bit hash of {@code data}; {@code k0} and {@code k1} are the key's first and second
     * eight bytes read little-endian, as the reference implementation reads them.
     */
    static long hash(byte[] data, long k0, long k1) {
        long[] v = {
            k0 ^ 0x736f6d6570736575L,
            k1 ^ 0x646f72616e646f6dL,
            k0 ^ 0x6c7967656e657261L,
            k1 ^ 0x7465646279746573L,
        };
        int end = data.length - data.length % 8;
        for (int i = 0; i < end; i += 8) {
            long m = 0;
            for (int b = 7; b >= 0; b--) {
                m = (m << 8) | (data[i + b] & 0xffL);
            }
            compress(v, m);
        }
        // The last block holds the remaining bytes and, in its top byte, the length mod 256.
        long last = ((long) data.length) << 56;
        for (int i = end; i < data.length; i++) {
            last |= (data[i] & 0xffL) << (8 * (i - end));
        }
        compress(v, last);
        v[2] ^= 0xff;
        for (int r = 0; r < 4; r++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
