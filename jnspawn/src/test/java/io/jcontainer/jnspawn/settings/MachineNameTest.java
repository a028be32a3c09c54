package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MachineNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"web", "Web_1", "a", "web.example", "a-b.c_d", "0",
        "x234567890123456789012345678901234567890123456789012345678901234"})
    void acceptsHostnameLikeNames(String name) throws SettingsException {
        assertEquals(name, MachineName.validate(name));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            empty            | ""           | Invalid machine name '': must not be empty
            too long         | x2345678901234567890123456789012345678901234567890123456789012345 | Invalid machine name 'x2345678901234567890123456789012345678901234567890123456789012345': longer than 64 characters
            slash            | ../etc       | Invalid machine name '../etc': contains invalid character '/'
            space            | my web       | Invalid machine name 'my web': contains invalid character ' '
            leading dot      | .web         | Invalid machine name '.web': must not start with '.'
            leading hyphen   | -web         | Invalid machine name '-web': must not start with '-'
            dot-dot          | a..b         | Invalid machine name 'a..b': must not contain '..'
            only dots        | ..           | Invalid machine name '..': must not start with '.'
            non-ASCII        | wéb          | Invalid machine name 'wéb': contains invalid character 'é'
            """)
    void rejectsBadNames(String name, String value, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> MachineName.validate(value));
        assertEquals(message, e.getMessage());
    }
}
