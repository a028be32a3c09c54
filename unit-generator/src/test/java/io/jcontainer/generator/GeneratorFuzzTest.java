package io.jcontainer.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the generator's parsers. {@link MiniJson} against Jackson, strict RFC 8259 both: the same texts are
 * accepted and give the same values. {@link ContainerUnitConverter}: a container file either fails with one line,
 * or becomes a drop-in that reads back in unit file syntax.
 */
class GeneratorFuzzTest {
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build(); // a repeated key: the last wins in both

    private static final java.util.regex.Pattern NON_ASCII_ESCAPE = java.util.regex.Pattern.compile("\\\\u.{0,3}[^\\x00-\\x7f]");

    @FuzzTest
    void miniJson(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Object mine;
        try {
            mine = MiniJson.parse(text);
        } catch (MiniJson.JsonException e) {
            oneLine(e);
            if (e.getMessage().contains("nested deeper") || NON_ASCII_ESCAPE.matcher(text).find()) {
                return; // Jackson nests deeper, and takes other scripts' digits in \\u escapes (decoded to another character)
            }
            try {
                JsonNode theirs = jackson(text);
                assertTrue(theirs == null || theirs.isMissingNode(), "MiniJson refused what Jackson reads: " + e.getMessage());
            } catch (IOException expected) {
                // both refuse
            }
            return;
        }
        JsonNode theirs;
        try {
            theirs = jackson(text);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("exceeds the maximum")) {
                return; // Jackson's own length limits (numbers of 1000 digits)
            }
            throw new AssertionError("MiniJson read what Jackson refuses (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        same(theirs, mine);
    }

    private static JsonNode jackson(String text) throws IOException {
        return JACKSON.readerFor(JsonNode.class).with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(text);
    }

    private static void same(JsonNode j, Object m) {
        if (j.isObject()) {
            Map<?, ?> map = (Map<?, ?>) m;
            assertEquals(j.size(), map.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = j.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                assertTrue(map.containsKey(e.getKey()));
                same(e.getValue(), map.get(e.getKey()));
            }
        } else if (j.isArray()) {
            List<?> list = (List<?>) m;
            assertEquals(j.size(), list.size());
            for (int i = 0; i < list.size(); i++) {
                same(j.get(i), list.get(i));
            }
        } else if (j.isTextual()) {
            assertEquals(j.textValue(), m);
        } else if (j.isBoolean()) {
            assertEquals(j.booleanValue(), m);
        } else if (j.isNull()) {
            assertEquals(null, m);
        } else {
            assertTrue(m instanceof MiniJson.JsonNumber, "a number: " + j);
        }
    }

    @FuzzTest
    void convert(byte[] input) {
        ContainerFile file;
        try {
            file = ContainerFile.parse(UnitFile.parse("/etc/jcontainer/fuzz.container", new String(input, StandardCharsets.UTF_8)));
        } catch (SettingsException e) {
            oneLine(e);
            return;
        }
        GeneratedUnit unit;
        try {
            unit = ContainerUnitConverter.convert(file, null);
        } catch (UnitConversionException e) {
            oneLine(e);
            return;
        }
        try {
            UnitFile.parse(unit.dropInPath(), unit.dropIn());
        } catch (SettingsException e) {
            throw new AssertionError("the drop-in does not read back: " + e.getMessage() + "\n" + unit.dropIn(), e);
        }
        for (GeneratedUnit.Link l : unit.links()) {
            // a link stays in the generator's output directory: FOO.wants/UNIT, one level, no "/" in a name
            java.nio.file.Path p = java.nio.file.Path.of(l.path(unit.unitName()));
            assertFalse(l.unit().contains("/") || p.isAbsolute() || p.getNameCount() != 2 || p.normalize().startsWith(".."),
                    l.toString());
        }
    }

    static void oneLine(Exception e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isEmpty() || e.getMessage().indexOf('\n') >= 0 || e.getMessage().indexOf('\r') >= 0,
                () -> "not one line: '" + e.getMessage() + "'");
    }
}
