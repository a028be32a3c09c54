package io.jcontainer.image.internal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text formats under the layer writer: PAX records (TarWriter against TarReader) and getfattr's dump. */
class LayerFormatTest {
    @ParameterizedTest(name = "value of {0} bytes")
    @ValueSource(ints = {0, 1, 80, 83, 84, 85, 86, 982, 983, 984, 985, 9980, 9981, 9982})
    void paxRecordLengthsCountThemselvesAcrossDigitBoundaries(int size) throws Exception {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) (i * 7); // binary, with '\n' and '=' among the bytes
        }

        Map<String, byte[]> back = TarReader.parsePax(TarWriter.paxRecords(Map.of("SCHILY.xattr.security.capability", value)));

        assertArrayEquals(value, back.get("SCHILY.xattr.security.capability"));
    }

    @Test
    void getfattrEscapesAreUndoneAndValuesDecoded() throws Exception {
        String dump = "# file: /u\n"
                + "trusted.overlay.opaque=0x79\n\n"
                + "# file: /u/a b\\134c\\012d\n"
                + "security.capability=0x0100000200200000\n"
                + "user.empty=0x\n\n";

        var x = XattrDump.parse(dump.getBytes(StandardCharsets.ISO_8859_1), "/u");

        assertEquals("y", new String(x.get("").get("trusted.overlay.opaque"), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 0, 0, 2, 0, 0x20, 0, 0}, x.get("a b\\c\nd").get("security.capability"));
        assertArrayEquals(new byte[0], x.get("a b\\c\nd").get("user.empty"));
    }
}
