package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the syntax an admin writes: unit file syntax ({@link UnitFile}), container files ({@link ContainerFile})
 * and the word splitting of {@code Exec=} and {@code Environment=} ({@link Words}). A parse either fails with a
 * one-line {@link SettingsException} or gives a value that, written back ({@link UnitFile#format}, or words
 * quoted in C escapes), parses to the same value.
 */
class SettingsFuzzTest {
    static final String NAME = "/etc/jcontainer/fuzz.container";

    @FuzzTest
    void unitFile(byte[] input) {
        UnitFile f;
        try {
            f = UnitFile.parse(NAME, new String(input, StandardCharsets.UTF_8));
        } catch (SettingsException e) {
            oneLine(e);
            return;
        }
        String written = f.format();
        UnitFile again = reparse(written);
        assertEquals(withoutLines(f.entries()), withoutLines(again.entries()), "written as:\n" + written);
    }

    @FuzzTest
    void containerFile(byte[] input) {
        ContainerFile c;
        try {
            c = ContainerFile.parse(UnitFile.parse(NAME, new String(input, StandardCharsets.UTF_8)));
            c.publishedPorts();
        } catch (SettingsException e) {
            oneLine(e);
            return;
        }
        // every accessor answers, and the file as written reads to the same container
        List<Object> values = values(c);
        ContainerFile again;
        try {
            again = ContainerFile.parse(reparse(UnitFile.parse(NAME, new String(input, StandardCharsets.UTF_8)).format()));
        } catch (SettingsException e) {
            throw new AssertionError("written back, it fails: " + e.getMessage(), e);
        }
        assertEquals(values, values(again));
    }

    @FuzzTest
    void words(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        List<String> words;
        try {
            words = Words.split(value);
        } catch (SettingsException e) {
            oneLine(e);
            return;
        }
        StringBuilder written = new StringBuilder();
        for (String w : words) {
            written.append(written.length() == 0 ? "" : " ").append(quote(w));
        }
        try {
            assertEquals(words, Words.split(written.toString()), "written as " + written);
        } catch (SettingsException e) {
            throw new AssertionError("written as " + written + ", it fails: " + e.getMessage(), e);
        }
    }

    private static List<Object> values(ContainerFile c) {
        List<Object> v = new ArrayList<>();
        v.add(c.image());
        v.add(c.directory());
        v.add(c.layers());
        v.add(c.exec());
        v.add(c.environment());
        v.add(c.hostname());
        v.add(String.valueOf(c.binds()));
        v.add(String.valueOf(c.bindsReadOnly()));
        v.add(String.valueOf(c.temporaryFileSystems()));
        v.add(c.publishPorts());
        v.add(c.network());
        v.add(c.user());
        v.add(c.workingDirectory());
        v.add(String.valueOf(c.privateUsers()));
        v.add(List.of(c.readOnly(), c.ephemeral(), c.boot(), c.noNewPrivileges(), c.notifyReady()));
        v.add(c.killSignal());
        v.add(c.capability());
        v.add(c.dropCapability());
        v.add(withoutLines(c.unitSection()));
        v.add(withoutLines(c.serviceSection()));
        v.add(withoutLines(c.installSection()));
        return v;
    }

    private static UnitFile reparse(String written) {
        try {
            return UnitFile.parse(NAME, written);
        } catch (SettingsException e) {
            throw new AssertionError("written as:\n" + written + "\nit fails: " + e.getMessage(), e);
        }
    }

    private static List<String> withoutLines(List<UnitFile.Entry> entries) {
        List<String> out = new ArrayList<>();
        for (UnitFile.Entry e : entries) {
            out.add(e.section() + "\u0000" + e.key() + "\u0000" + e.value());
        }
        return out;
    }

    /** A word in double quotes with C escapes, as cli's TransientContainer writes Exec= (the printer under test). */
    private static String quote(String word) {
        StringBuilder out = new StringBuilder("\"");
        word.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    static void oneLine(Exception e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isEmpty() || e.getMessage().indexOf('\n') >= 0 || e.getMessage().indexOf('\r') >= 0,
                () -> "not one line: '" + e.getMessage() + "'");
    }
}
