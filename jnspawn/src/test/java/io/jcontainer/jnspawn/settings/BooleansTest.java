package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BooleansTest {

    @ParameterizedTest
    @ValueSource(strings = {"1", "yes", "y", "true", "t", "on", "YES", "True", "On"})
    void parsesSystemdTrue(String value) throws SettingsException {
        assertTrue(Booleans.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "no", "n", "false", "f", "off", "NO", "False", "OFF"})
    void parsesSystemdFalse(String value) throws SettingsException {
        assertFalse(Booleans.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "", "2", "enabled", " yes", "oui"})
    void rejectsOtherWords(String value) {
        SettingsException e = assertThrows(SettingsException.class, () -> Booleans.parse(value));
        assertEquals("Invalid boolean '" + value + "'", e.getMessage());
    }
}
