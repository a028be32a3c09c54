package io.jcontainer.jnspawn;

import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.settings.SettingsException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line: nspawn's spellings, and the first non-option starts the command. */
class JnspawnOptionsTest {

    @Test
    void longShortAttachedAndSeparateValues() throws Exception {
        JnspawnOptions o = JnspawnOptions.parse(new String[] {"-D/srv/a", "--machine", "web", "-E", "A=1",
                "--setenv=B=2", "--bind=/x:/y", "--bind-ro", "/z", "--tmpfs=/t", "-bU", "--kill-signal=SIGINT",
                "--private-network", "--no-new-privileges=no", "sh", "-c", "--not-an-option"});
        assertEquals(Path.of("/srv/a"), o.directory);
        assertEquals("web", o.machine);
        assertEquals(List.of("A=1", "B=2"), o.setenv);
        assertEquals(2, o.binds.size());
        assertTrue(o.binds.get(1).readOnly());
        assertEquals(Boolean.TRUE, o.boot);
        assertTrue(o.privateUsers.enabled());
        assertEquals(2, o.killSignal);
        assertEquals(Boolean.TRUE, o.privateNetwork);
        assertEquals(Boolean.FALSE, o.noNewPrivileges);
        assertEquals(List.of("sh", "-c", "--not-an-option"), o.command);
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        assertEquals(List.of("-x"), JnspawnOptions.parse(new String[] {"-D", "/r", "--", "-x"}).command);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--frobnicate|'--frobnicate'",
            "-D|'-D' needs a value",
            "--directory=relative|'relative'",
            "--console=tty|'tty'",
            "--setenv=NOVALUE|'NOVALUE'",
            "--read-only=perhaps|'perhaps'",
            "--machine=../x|'../x'",
            "--private-users=-5|'-5'",
    })
    void badInputNamesWhatWasTyped(String arg, String expected) {
        SettingsException e = assertThrows(SettingsException.class, () -> JnspawnOptions.parse(arg.split(" ")));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
