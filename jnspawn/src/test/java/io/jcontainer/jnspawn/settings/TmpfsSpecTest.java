package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TmpfsSpecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            default options          | /tmp                          | /tmp     | mode=0755
            empty options            | /tmp:                         | /tmp     | mode=0755
            given options            | /run/app:mode=1777,size=64M   | /run/app | mode=1777,size=64M
            options may hold colons  | /x:a=b:c                      | /x       | a=b:c
            normalized path          | /run//app/                    | /run/app | mode=0755
            """)
    void parsesPathAndOptions(String name, String spec, String target, String options) throws SettingsException {
        assertEquals(new TmpfsSpec(Path.of(target), options), TmpfsSpec.parse(spec));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            relative path | tmp        | Invalid tmpfs 'tmp': path must be an absolute path
            empty path    | :mode=0700 | Invalid tmpfs ':mode=0700': path must not be empty
            dot-dot       | /a/../b    | Invalid tmpfs '/a/../b': path must not contain a '..' component
            """)
    void rejectsBadSpecs(String name, String spec, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> TmpfsSpec.parse(spec));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            /tmp
            /run/app:mode=1777,size=64M
            """)
    void toStringParsesBack(String spec) throws SettingsException {
        TmpfsSpec t = TmpfsSpec.parse(spec);
        assertEquals(t, TmpfsSpec.parse(t.toString()));
    }
}
