package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the parsers of values users and registries type: {@link Digest} and {@link ImageReference}. A parse
 * either fails with {@link ImageStoreException} or gives a value whose text parses back to the same value.
 * Regression inputs: {@code src/test/resources/io/jcontainer/image/ValuesFuzzTestInputs/METHOD/}.
 */
class ValuesFuzzTest {
    @FuzzTest
    void digest(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Digest d;
        try {
            d = Digest.parse(text);
        } catch (ImageStoreException e) {
            Fuzzing.oneLine(e);
            return;
        }
        assertEquals(d, Fuzzing.unchecked(() -> Digest.parse(d.toString())));
    }

    @FuzzTest
    void imageReference(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ImageReference r;
        try {
            r = ImageReference.parse(text);
        } catch (ImageStoreException e) {
            Fuzzing.oneLine(e);
            return;
        }
        ImageReference again = Fuzzing.unchecked(() -> ImageReference.parse(r.toString()));
        assertEquals(r, again, "'" + text + "' printed as '" + r + "'");
        assertEquals(r.toString(), again.toString());
    }
}
