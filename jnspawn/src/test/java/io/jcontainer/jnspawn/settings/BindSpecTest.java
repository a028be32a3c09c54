package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindSpecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            source only defaults target      | /srv/web                 | /srv/web      | /srv/web | true
            source and target                | /srv/web:/var/www        | /srv/web      | /var/www | true
            norbind                          | /srv/web:/var/www:norbind| /srv/web      | /var/www | false
            rbind explicitly                 | /srv/web:/var/www:rbind  | /srv/web      | /var/www | true
            last option wins                 | /a:/b:norbind,rbind      | /a            | /b       | true
            empty options mean rbind         | /a:/b:                   | /a            | /b       | true
            paths are normalized             | //srv/./web/:/var//www/  | /srv/web      | /var/www | true
            escaped colon in a path          | /srv/a\\:b:/c            | /srv/a:b      | /c       | true
            """)
    void parsesNspawnSyntax(String name, String spec, String source, String target, boolean recursive)
            throws SettingsException {
        assertEquals(new BindSpec(Path.of(source), Path.of(target), false, recursive), BindSpec.parse(spec, false));
    }

    @Test
    void carriesTheReadOnlyFlag() throws SettingsException {
        assertEquals(true, BindSpec.parse("/a", true).readOnly());
        assertEquals(false, BindSpec.parse("/a", false).readOnly());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            relative source        | foo                 | Invalid bind 'foo': source must be an absolute path
            empty source           | ""                  | Invalid bind '': source must not be empty
            empty source, target   | :/var/www           | Invalid bind ':/var/www': source must not be empty
            relative target        | /srv:www            | Invalid bind '/srv:www': destination must be an absolute path
            empty target           | /srv:               | Invalid bind '/srv:': destination must not be empty
            dot-dot in source      | /srv/../etc         | Invalid bind '/srv/../etc': source must not contain a '..' component
            dot-dot in target      | /srv:/var/..        | Invalid bind '/srv:/var/..': destination must not contain a '..' component
            nspawn's + prefix      | +/srv               | Invalid bind '+/srv': source must be an absolute path
            unknown option         | /a:/b:idmap         | Invalid bind '/a:/b:idmap': unknown option 'idmap', expected rbind or norbind
            trailing backslash     | /a\\                | Invalid bind '/a\\': trailing backslash
            """)
    void rejectsBadSpecs(String name, String spec, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> BindSpec.parse(spec, false));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /srv/web
            /srv/web:/var/www
            /srv/web:/var/www:norbind
            /srv/a\\:b:/c\\\\d
            """)
    void toStringParsesBack(String spec) throws SettingsException {
        BindSpec b = BindSpec.parse(spec, false);
        assertEquals(b, BindSpec.parse(b.toString(), false));
    }
}
