package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SipHashTest {

    /** Key 00 01 .. 0f, as in the reference test vectors. */
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /** Vectors of the SipHash paper and reference code: the message is bytes 00 01 .. (length-1). */
    @ParameterizedTest(name = "length {0}")
    @CsvSource(textBlock = """
            0,  726fdb47dd0e0e31
            1,  74f839c593dc67fd
            7,  ab0200f58b01d137
            8,  93f5f5799a932462
            15, a129ca6149be45e5
            """)
    void matchesTheReferenceVectors(int length, String hex) {
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) i;
        }
        assertEquals(Long.parseUnsignedLong(hex, 16), SipHash.hash(message, K0, K1));
    }
}
