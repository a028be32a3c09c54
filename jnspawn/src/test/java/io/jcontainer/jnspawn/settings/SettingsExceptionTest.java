package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SettingsExceptionTest {

    @Test
    void quotingKeepsMessagesOnOneLine() {
        assertEquals("'a\\nb\\tc\\rd\\x01e\\x7f'", SettingsException.quote("a\nb\tc\rd\u0001e\u007f"));
    }

    @Test
    void fileLocationPutsTheKeyAfterTheValue() {
        SettingsException e = SettingsException.invalid("bind", "foo", "source must be an absolute path")
                .at("/etc/jcontainer/web.container", 7, "Bind", "foo");
        assertEquals("/etc/jcontainer/web.container:7: Invalid bind 'foo' for key 'Bind': "
                + "source must be an absolute path", e.getMessage());
    }

    @Test
    void aPlainMessageIsWrappedWithTheTypedValue() {
        SettingsException e = new SettingsException("something odd").at("f", 2, "Key", "v");
        assertEquals("f:2: Invalid value 'v' for key 'Key': something odd", e.getMessage());
    }
}
