package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContainerFileErrorsTest {

    private static final String NAME = ContainerFileTest.NAME;

    private static SettingsException failure(String text) {
        return assertThrows(SettingsException.class, () -> ContainerFileTest.parse(text));
    }

    /** The bad assignment is always on line 3, after a header and a good line. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ReadOnly            | maybe          | Invalid boolean 'maybe' for key 'ReadOnly'
            Ephemeral           | 2              | Invalid boolean '2' for key 'Ephemeral'
            Boot                | ""             | Invalid boolean '' for key 'Boot'
            NoNewPrivileges     | nope           | Invalid boolean 'nope' for key 'NoNewPrivileges'
            NotifyReady         | sure           | Invalid boolean 'sure' for key 'NotifyReady'
            Image               | ""             | Invalid image '' for key 'Image': must not be empty
            User                | ""             | Invalid user '' for key 'User': must not be empty
            Directory           | srv/web        | Invalid directory 'srv/web' for key 'Directory': must be an absolute path
            Directory           | /srv/../etc    | Invalid directory '/srv/../etc' for key 'Directory': must not contain a '..' component
            Layer               | layers/a       | Invalid layer 'layers/a' for key 'Layer': must be an absolute path
            Exec                | /bin/sh -c "x  | Invalid value '/bin/sh -c "x' for key 'Exec': unterminated double quote
            Exec                | /bin/echo \\q  | Invalid value '/bin/echo \\q' for key 'Exec': unknown escape '\\q'
            Environment         | A=1 'B=2       | Invalid value 'A=1 'B=2' for key 'Environment': unterminated single quote
            Environment         | A=1 1B=2       | Invalid environment assignment '1B=2' for key 'Environment': variable name must match [A-Za-z_][A-Za-z0-9_]*
            Environment         | MODE           | Invalid environment assignment 'MODE' for key 'Environment': expected NAME=VALUE
            Environment         | "A-B=1"        | Invalid environment assignment 'A-B=1' for key 'Environment': variable name must match [A-Za-z_][A-Za-z0-9_]*
            Hostname            | web_1          | Invalid hostname 'web_1' for key 'Hostname': contains invalid character '_'
            Hostname            | ""             | Invalid hostname '' for key 'Hostname': must not be empty
            Bind                | foo            | Invalid bind 'foo' for key 'Bind': source must be an absolute path
            BindReadOnly        | /a:b           | Invalid bind '/a:b' for key 'BindReadOnly': destination must be an absolute path
            TemporaryFileSystem | tmp            | Invalid tmpfs 'tmp' for key 'TemporaryFileSystem': path must be an absolute path
            PublishPort         | 8080:http      | Invalid published port '8080:http' for key 'PublishPort': expected [IP:]HOST:CONTAINER[/PROTOCOL]
            PublishPort         | 8080:80/sctp   | Invalid published port '8080:80/sctp' for key 'PublishPort': protocol must be tcp or udp
            PublishPort         | 70000:80       | Invalid published port '70000:80' for key 'PublishPort': port 70000 is not in 1..65535
            Network             | bridge         | Invalid network 'bridge' for key 'Network': expected private, host or none
            Network             | ""             | Invalid network '' for key 'Network': expected private, host or none
            WorkingDirectory    | www            | Invalid working directory 'www' for key 'WorkingDirectory': must be an absolute path
            WorkingDirectory    | ""             | Invalid working directory '' for key 'WorkingDirectory': must not be empty
            PrivateUsers        | 0:65536        | Invalid user namespace '0:65536' for key 'PrivateUsers': base must be above 0, base 0 would map the host's own ids
            PrivateUsers        | lots           | Invalid user namespace 'lots' for key 'PrivateUsers': base must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE
            KillSignal          | SIGFOO         | Invalid signal 'SIGFOO' for key 'KillSignal'
            KillSignal          | SIGRTMIN+40    | Invalid signal 'SIGRTMIN+40' for key 'KillSignal': offset must be at most 30
            HealthCmd           | ""             | Invalid health command '' for key 'HealthCmd': must not be empty ('none' disables the image's check)
            HealthInterval      | 30             | Invalid interval '30' for key 'HealthInterval': expected a duration such as 30s, 1m30s or 500ms
            HealthInterval      | 0              | Invalid interval '0' for key 'HealthInterval': must be positive ('disable': no timer)
            HealthTimeout       | 1x             | Invalid timeout '1x' for key 'HealthTimeout': expected a duration such as 30s, 1m30s or 500ms
            HealthTimeout       | 0              | Invalid timeout '0' for key 'HealthTimeout': must be at least 1ms
            HealthStartPeriod   | soon           | Invalid start period 'soon' for key 'HealthStartPeriod': expected a duration such as 30s, 1m30s or 500ms
            HealthRetries       | 0              | Invalid retries '0' for key 'HealthRetries': expected a number above 0
            HealthRetries       | three          | Invalid retries 'three' for key 'HealthRetries': expected a number above 0
            HealthOnFailure     | reboot         | Invalid health action 'reboot' for key 'HealthOnFailure': expected none, kill, restart or stop
            """)
    void namesFileLineKeyAndValue(String key, String value, String message) {
        SettingsException e = failure("[Container]\nImage=web\n" + key + "=" + value + "\n");
        assertEquals(NAME + ":3: " + message, e.getMessage());
    }

    @Test
    void namesTheValueAsTypedWhenItUnescapesToAControlCharacter() {
        SettingsException e = failure("[Container]\nEnvironment=\"A\\nB=1\"\n");
        assertEquals(NAME + ":2: Invalid environment assignment 'A\\nB=1' for key 'Environment': "
                + "variable name must match [A-Za-z_][A-Za-z0-9_]*", e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1);
    }

    @Test
    void reportsAnUnknownKeyWithItsSection() {
        SettingsException e = failure("[Container]\nImage=web\nImgae=web\n");
        assertEquals(NAME + ":3: Unknown key 'Imgae' in section [Container]", e.getMessage());
    }

    @Test
    void keysAreCaseSensitive() {
        SettingsException e = failure("[Container]\nimage=web\n");
        assertEquals(NAME + ":2: Unknown key 'image' in section [Container]", e.getMessage());
    }

    @Test
    void reportsAnUnknownSectionAtItsFirstEntry() {
        SettingsException e = failure("[Container]\nImage=web\n\n[Servce]\nMemoryMax=1G\n");
        assertEquals(NAME + ":5: Unknown section [Servce], expected one of [Container], [Unit], [Service], [Install]",
                e.getMessage());
    }

    @Test
    void reportsTheFirstErrorInFileOrder() {
        SettingsException e = failure("[Container]\nReadOnly=maybe\nBoot=perhaps\n");
        assertEquals(NAME + ":2: Invalid boolean 'maybe' for key 'ReadOnly'", e.getMessage());
    }

    @Test
    void reportsTheFirstLineOfAContinuedValue() {
        SettingsException e = failure("[Container]\nImage=web\nBind=srv \\\n  /web\n");
        assertEquals(NAME + ":3: Invalid bind 'srv /web' for key 'Bind': source must be an absolute path",
                e.getMessage());
    }

    @Test
    void syntaxErrorsComeFromTheUnitFileWithFileAndLine() {
        SettingsException e = failure("[Container]\nImage web\n");
        assertEquals(NAME + ":2: Missing '=' in 'Image web'", e.getMessage());
    }

    @Test
    void namesTheRealPathOfAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("web.container");
        Files.writeString(file, "[Container]\nReadOnly=maybe\n");
        SettingsException e = assertThrows(SettingsException.class, () -> ContainerFile.parse(file));
        assertEquals(file + ":2: Invalid boolean 'maybe' for key 'ReadOnly'", e.getMessage());
    }
}
