package io.jcontainer.image.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcontainer.image.Fuzzing;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Platform;

/**
 * Fuzzes what a registry or an archive hands over as JSON: OCI and Docker manifests and indexes, image configs,
 * OCI layouts and {@code docker save} manifest lists. A manifest or index that parses is written back
 * ({@link Wire#writeManifest}, {@link Wire#writeIndex}) and must parse to the same value; a config that parses is
 * written as this program writes configs and must parse to the same platform and diff IDs.
 */
class ManifestFuzzTest {
    @FuzzTest
    void manifestOrIndex(byte[] json) {
        Wire.Parsed parsed;
        try {
            parsed = Wire.parseManifestOrIndex(json, null, "fuzz");
        } catch (ImageStoreException e) {
            Fuzzing.oneLine(e);
            return;
        }
        if (parsed instanceof Wire.ParsedManifest m) {
            byte[] written = Wire.writeManifest(m.manifest());
            assertEquals(parsed, Fuzzing.unchecked(() -> Wire.parseManifestOrIndex(written, null, "written")));
        } else {
            byte[] written = Wire.writeIndex(((Wire.ParsedIndex) parsed).index());
            assertEquals(parsed, Fuzzing.unchecked(() -> Wire.parseManifestOrIndex(written, null, "written")));
        }
    }

    @FuzzTest
    void config(byte[] json) {
        ImageConfig c;
        try {
            c = Wire.parseConfig(json, "fuzz");
        } catch (ImageStoreException e) {
            Fuzzing.oneLine(e);
            return;
        }
        if (c.os() != null && c.architecture() != null) {
            byte[] written = Wire.writeConfig(new Platform(c.os(), c.architecture(), c.variant()), c.diffIds(), c.created());
            ImageConfig again = Fuzzing.unchecked(() -> Wire.parseConfig(written, "written"));
            assertEquals(c.diffIds(), again.diffIds());
            assertEquals(c.os(), again.os());
            assertEquals(c.architecture(), again.architecture());
            assertEquals(c.variant(), again.variant());
            assertEquals(c.created(), again.created());
        }
    }
}
