package io.jcontainer.image.internal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text format under the layer writer: PAX records (TarWriter against TarReader). */
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
}
