package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignalsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            SIGTERM,     15
            TERM,        15
            15,          15
            SIGHUP,      1
            SIGKILL,     9
            SIGCHLD,     17
            SIGWINCH,    28
            SIGPWR,      30
            SIGSYS,      31
            SIGRTMIN,    34
            RTMIN,       34
            SIGRTMIN+3,  37
            RTMIN+3,     37
            SIGRTMIN+30, 64
            SIGRTMAX,    64
            SIGRTMAX-2,  62
            RTMAX-30,    34
            64,          64
            32,          32
            """)
    void parsesNamesAndNumbers(String value, int number) throws SettingsException {
        assertEquals(number, Signals.parse(value));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unknown name     | SIGFOO       | Invalid signal 'SIGFOO'
            lower case       | sigterm      | Invalid signal 'sigterm'
            zero             | 0            | Invalid signal '0': number must be in 1..64
            too large        | 65           | Invalid signal '65': number must be in 1..64
            very large       | 99999999999  | Invalid signal '99999999999': number must be in 1..64
            offset too large | SIGRTMIN+31  | Invalid signal 'SIGRTMIN+31': offset must be at most 30
            wrong sign       | SIGRTMIN-1   | Invalid signal 'SIGRTMIN-1'
            wrong sign max   | SIGRTMAX+1   | Invalid signal 'SIGRTMAX+1'
            missing offset   | SIGRTMIN+    | Invalid signal 'SIGRTMIN+'
            negative number  | -15          | Invalid signal '-15'
            empty            | ""           | Invalid signal ''
            """)
    void rejectsBadSignals(String name, String value, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> Signals.parse(value));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            15, SIGTERM
            1,  SIGHUP
            31, SIGSYS
            32, 32
            34, SIGRTMIN
            37, SIGRTMIN+3
            64, SIGRTMIN+30
            """)
    void namesSignals(int number, String name) {
        assertEquals(name, Signals.name(number));
    }

    @Test
    void everyNameParsesBack() throws SettingsException {
        for (int n = 1; n <= Signals.SIGRTMAX; n++) {
            assertEquals(n, Signals.parse(Signals.name(n)));
        }
    }

    @Test
    void namingRejectsNumbersOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Signals.name(0));
        assertThrows(IllegalArgumentException.class, () -> Signals.name(65));
    }
}
