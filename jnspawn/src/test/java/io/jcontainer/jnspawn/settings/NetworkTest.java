package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            private, PRIVATE
            host,    HOST
            none,    NONE
            """)
    void parsesModes(String value, Network expected) throws SettingsException {
        assertEquals(expected, Network.parse(value));
    }

    @ParameterizedTest
    @EnumSource(Network.class)
    void toStringParsesBack(Network n) throws SettingsException {
        assertEquals(n, Network.parse(n.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge", "Private", "", "veth"})
    void rejectsOtherModes(String value) {
        SettingsException e = assertThrows(SettingsException.class, () -> Network.parse(value));
        assertEquals("Invalid network '" + value + "': expected private, host or none", e.getMessage());
    }
}
