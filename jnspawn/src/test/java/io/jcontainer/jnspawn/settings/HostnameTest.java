package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostnameTest {

    @ParameterizedTest
    @ValueSource(strings = {"web", "web-1", "Web.Example.org", "a", "1",
        "x234567890123456789012345678901234567890123456789012345678901234"})
    void acceptsValidHostnames(String name) throws SettingsException {
        assertEquals(name, Hostname.validate(name));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            empty            | ""       | Invalid hostname '': must not be empty
            too long         | x2345678901234567890123456789012345678901234567890123456789012345 | Invalid hostname 'x2345678901234567890123456789012345678901234567890123456789012345': longer than 64 characters
            underscore       | web_1    | Invalid hostname 'web_1': contains invalid character '_'
            leading dot      | .web     | Invalid hostname '.web': has an empty label
            trailing dot     | web.     | Invalid hostname 'web.': has an empty label
            double dot       | a..b     | Invalid hostname 'a..b': has an empty label
            leading hyphen   | -web     | Invalid hostname '-web': a label must not start or end with '-'
            label hyphen     | a.-b     | Invalid hostname 'a.-b': a label must not start or end with '-'
            trailing hyphen  | web-     | Invalid hostname 'web-': a label must not start or end with '-'
            space            | my web   | Invalid hostname 'my web': contains invalid character ' '
            """)
    void rejectsBadHostnames(String name, String value, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> Hostname.validate(value));
        assertEquals(message, e.getMessage());
    }
}
