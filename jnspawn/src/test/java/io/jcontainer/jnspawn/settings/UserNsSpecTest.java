package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UserNsSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {"no", "false", "off", "0", "NO"})
    void falseMeansNone(String value) throws SettingsException {
        UserNsSpec s = UserNsSpec.parse(value);
        assertFalse(s.enabled());
        assertFalse(s.pick());
        assertEquals("no", s.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "pick", "true", "on", "1"})
    void trueAndPickMeanPick(String value) throws SettingsException {
        UserNsSpec s = UserNsSpec.parse(value);
        assertTrue(s.enabled());
        assertTrue(s.pick());
        assertEquals(0x10000, s.range());
        assertThrows(IllegalStateException.class, s::base);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            524288,        524288, 65536
            524288:1000,   524288, 1000
            1:65536,       1,      65536
            4294901759:65536, 4294901759, 65536
            1:4294967294,  1,      4294967294
            """)
    void parsesBaseAndRange(String value, long base, long range) throws SettingsException {
        UserNsSpec s = UserNsSpec.parse(value);
        assertTrue(s.enabled());
        assertFalse(s.pick());
        assertEquals(base, Integer.toUnsignedLong(s.base()));
        assertEquals(range, Integer.toUnsignedLong(s.range()));
        assertEquals(s, UserNsSpec.parse(s.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            base 0                | 0:65536          | Invalid user namespace '0:65536': base must be above 0, base 0 would map the host's own ids
            range 0               | 524288:0         | Invalid user namespace '524288:0': range must be at least 1
            past the last id      | 4294901760:65536 | Invalid user namespace '4294901760:65536': base + range must not exceed 4294967295
            huge base             | 99999999999      | Invalid user namespace '99999999999': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            word                  | maybe            | Invalid user namespace 'maybe': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            negative              | -5               | Invalid user namespace '-5': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            signed                | +5               | Invalid user namespace '+5': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            hex                   | 0x80000          | Invalid user namespace '0x80000': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            empty range           | 524288:          | Invalid user namespace '524288:': range must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            empty                 | ""               | Invalid user namespace '': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            """)
    void rejectsBadValues(String name, String value, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> UserNsSpec.parse(value));
        assertEquals(message, e.getMessage());
    }

    @Test
    void pickResolvesToAnAlignedRangeInNspawnsPickWindow() {
        for (int i = 0; i < 2000; i++) {
            UserNsSpec s = UserNsSpec.PICK.resolve("machine-" + i);
            assertFalse(s.pick());
            assertEquals(0x10000, s.range());
            assertEquals(0, s.base() & 0xFFFF, "aligned to 0x10000");
            assertTrue(s.base() >= 0x00080000 && s.base() <= 0x6FFF0000, Integer.toHexString(s.base()));
        }
    }

    @Test
    void pickIsDeterministicPerMachineName() {
        assertEquals(UserNsSpec.PICK.resolve("web"), UserNsSpec.PICK.resolve("web"));
        // Pinned: a change here moves every container's files to other host ids.
        assertEquals("253165568:65536", UserNsSpec.PICK.resolve("web").toString());
    }

    @Test
    void pickSpreadsSimilarNames() {
        // A weak hash (String.hashCode) would give web1 and web2 the same range after alignment.
        assertNotEquals(UserNsSpec.PICK.resolve("web1"), UserNsSpec.PICK.resolve("web2"));
        Set<Integer> bases = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            bases.add(UserNsSpec.PICK.resolve("web" + i).base());
        }
        assertTrue(bases.size() >= 99, "bases: " + bases.size());
    }

    @Test
    void resolveLeavesNoneAndFixedAlone() throws SettingsException {
        assertSame(UserNsSpec.NONE, UserNsSpec.NONE.resolve("web"));
        UserNsSpec fixed = UserNsSpec.parse("524288");
        assertSame(fixed, fixed.resolve("web"));
    }

    @Test
    void noneHasNoRange() {
        assertThrows(IllegalStateException.class, UserNsSpec.NONE::base);
        assertThrows(IllegalStateException.class, UserNsSpec.NONE::range);
    }

    @Test
    void fixedChecksItsRange() {
        assertEquals("524288:65536", UserNsSpec.fixed(0x80000, 0x10000).toString());
        assertThrows(IllegalArgumentException.class, () -> UserNsSpec.fixed(0, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> UserNsSpec.fixed(0x80000, 0));
        assertThrows(IllegalArgumentException.class, () -> UserNsSpec.fixed(-0x10000, 0x10000));
    }
}
