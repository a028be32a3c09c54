package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.jnspawn.settings.UnitFile.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContainerFileTest {

    static final String NAME = "/etc/jcontainer/web.container";

    static ContainerFile parse(String text) throws SettingsException {
        return ContainerFile.parse(UnitFile.parse(NAME, text));
    }

    @Test
    void readsEveryKey() throws Exception {
        ContainerFile c = parse("""
                [Container]
                Image=registry.example.org/web:1.2
                Directory=/var/lib/machines/web/
                Layer=/var/lib/jcontainer/layers/a
                Layer=/var/lib/jcontainer/layers/b
                Exec=/bin/httpd -f -p "80"
                Environment=MODE=prod "GREETING=hello world"
                Hostname=web
                Bind=/srv/web:/var/www
                BindReadOnly=/etc/ssl:/etc/ssl:norbind
                TemporaryFileSystem=/tmp:size=64M
                PublishPort=8080:80/tcp
                Network=host
                User=1000:1000
                WorkingDirectory=/var/www
                PrivateUsers=pick
                ReadOnly=yes
                Ephemeral=on
                Boot=1
                NoNewPrivileges=true
                NotifyReady=y
                KillSignal=SIGRTMIN+3
                Capability=CAP_NET_ADMIN, CAP_SYS_TIME
                DropCapability=CAP_MKNOD
                """);
        assertEquals(Path.of(NAME), c.source());
        assertEquals("registry.example.org/web:1.2", c.image());
        assertEquals(Path.of("/var/lib/machines/web"), c.directory());
        assertEquals(List.of(Path.of("/var/lib/jcontainer/layers/a"), Path.of("/var/lib/jcontainer/layers/b")),
                c.layers());
        assertEquals(List.of("/bin/httpd", "-f", "-p", "80"), c.exec());
        assertEquals(List.of("MODE=prod", "GREETING=hello world"), c.environment());
        assertEquals("web", c.hostname());
        assertEquals(List.of(new BindSpec(Path.of("/srv/web"), Path.of("/var/www"), false, true)), c.binds());
        assertEquals(List.of(new BindSpec(Path.of("/etc/ssl"), Path.of("/etc/ssl"), true, false)), c.bindsReadOnly());
        assertEquals(List.of(new TmpfsSpec(Path.of("/tmp"), "size=64M")), c.temporaryFileSystems());
        assertEquals(List.of("8080:80/tcp"), c.publishPorts());
        assertEquals(Network.HOST, c.network());
        assertEquals("1000:1000", c.user());
        assertEquals("/var/www", c.workingDirectory());
        assertEquals(UserNsSpec.PICK, c.privateUsers());
        assertTrue(c.readOnly());
        assertTrue(c.ephemeral());
        assertTrue(c.boot());
        assertTrue(c.noNewPrivileges());
        assertTrue(c.notifyReady());
        assertEquals(37, c.killSignal());
        assertEquals(List.of("CAP_NET_ADMIN", "CAP_SYS_TIME"), c.capability());
        assertEquals(List.of("CAP_MKNOD"), c.dropCapability());
    }

    @Test
    void leavesUnsetKeysAtTheirDefaults() throws Exception {
        ContainerFile c = parse("[Container]\n");
        assertNull(c.image());
        assertNull(c.directory());
        assertEquals(List.of(), c.layers());
        assertEquals(List.of(), c.exec());
        assertEquals(List.of(), c.environment());
        assertNull(c.hostname());
        assertEquals(List.of(), c.binds());
        assertEquals(List.of(), c.bindsReadOnly());
        assertEquals(List.of(), c.temporaryFileSystems());
        assertEquals(List.of(), c.publishPorts());
        assertEquals(Network.PRIVATE, c.network());
        assertNull(c.user());
        assertNull(c.workingDirectory());
        assertEquals(UserNsSpec.NONE, c.privateUsers());
        assertFalse(c.readOnly());
        assertFalse(c.ephemeral());
        assertFalse(c.boot());
        assertFalse(c.noNewPrivileges());
        assertFalse(c.notifyReady());
        assertNull(c.killSignal());
        assertEquals(List.of(), c.capability());
        assertEquals(List.of(), c.dropCapability());
        assertEquals(0, c.lineOf("Image"));
    }

    @Test
    void theLastAssignmentOfASingleValueKeyWins() throws Exception {
        ContainerFile c = parse("""
                [Container]
                Image=old
                ReadOnly=yes
                Exec=/bin/old
                Image=new
                ReadOnly=no
                Exec=/bin/new arg
                """);
        assertEquals("new", c.image());
        assertFalse(c.readOnly());
        assertEquals(List.of("/bin/new", "arg"), c.exec());
        assertEquals(5, c.lineOf("Image"));
        assertEquals(6, c.lineOf("ReadOnly"));
    }

    @Test
    void anEmptyExecMeansTheImageDefault() throws Exception {
        assertEquals(List.of(), parse("[Container]\nExec=/bin/sh\nExec=\n").exec());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Layer               | /a       | /b
            Environment         | A=1 B=2  | C=3
            Bind                | /a       | /b
            BindReadOnly        | /a       | /b
            TemporaryFileSystem | /a       | /b
            PublishPort         | 80       | 443
            Capability          | CAP_A    | CAP_B
            DropCapability      | CAP_A    | CAP_B
            """)
    void listKeysAccumulateAndAnEmptyAssignmentResets(String key, String first, String second) throws Exception {
        ContainerFile accumulated = parse("[Container]\n%s=%s\n%s=%s\n".formatted(key, first, key, second));
        ContainerFile reset = parse("[Container]\n%s=%s\n%s=\n%s=%s\n".formatted(key, first, key, key, second));
        ContainerFile onlySecond = parse("[Container]\n%s=%s\n".formatted(key, second));
        assertEquals(2 + (key.equals("Environment") ? 1 : 0), listOf(accumulated, key).size());
        assertEquals(listOf(onlySecond, key), listOf(reset, key));
        assertEquals(4, reset.lineOf(key));
        assertEquals(List.of(), listOf(parse("[Container]\n%s=%s\n%s=\n".formatted(key, first, key)), key));
    }

    private static List<?> listOf(ContainerFile c, String key) {
        return switch (key) {
            case "Layer" -> c.layers();
            case "Environment" -> c.environment();
            case "Bind" -> c.binds();
            case "BindReadOnly" -> c.bindsReadOnly();
            case "TemporaryFileSystem" -> c.temporaryFileSystems();
            case "PublishPort" -> c.publishPorts();
            case "Capability" -> c.capability();
            case "DropCapability" -> c.dropCapability();
            default -> throw new IllegalArgumentException(key);
        };
    }

    @Test
    void resettingBindLeavesBindReadOnlyAlone() throws Exception {
        ContainerFile c = parse("[Container]\nBind=/a\nBindReadOnly=/b\nBind=\n");
        assertEquals(List.of(), c.binds());
        assertEquals(1, c.bindsReadOnly().size());
    }

    @Test
    void capabilitiesSplitOnWhitespaceAndCommas() throws Exception {
        ContainerFile c = parse("[Container]\nCapability=CAP_A,CAP_B  CAP_C ,\tcap_d\n");
        assertEquals(List.of("CAP_A", "CAP_B", "CAP_C", "cap_d"), c.capability());
    }

    @Test
    void capabilitiesSplitAsTheRegexTheLoopReplacedDid() throws Exception {
        // [\s,]+ split, empty names dropped: \s is space, \t, \n, \x0B, \f and \r, not a no-break space.
        String value = ",CAP_A\u000BCAP_B\fCAP_C,,\u00a0CAP_D ";
        ContainerFile c = ContainerFile.parse(UnitFile.of(NAME, List.of(new Entry("Container", "Capability",
                value.strip(), 1))));
        List<String> expected = new ArrayList<>();
        for (String name : Pattern.compile("[\\s,]+").split(value.strip())) {
            if (!name.isEmpty()) {
                expected.add(name);
            }
        }
        assertEquals(expected, c.capability());
        assertEquals(List.of("CAP_A", "CAP_B", "CAP_C", "\u00a0CAP_D"), c.capability());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            A=1        | true
            _=1        | true
            _a9Z=1     | true
            a=         | true
            =1         | false
            9A=1       | false
            A.B=1      | false
            \u00e9=1  | false
            """)
    void environmentNamesAreWhatTheRegexTheLoopReplacedAccepted(String word, boolean valid) {
        int eq = word.indexOf('=');
        assertEquals(valid, Pattern.matches("[A-Za-z_][A-Za-z0-9_]*", word.substring(0, eq)));
        assertEquals(valid, ContainerFile.isEnvironmentName(word, eq));
    }

    @Test
    void passesUnitServiceAndInstallThrough() throws Exception {
        ContainerFile c = parse("""
                [Unit]
                Description=The web server
                After=network-online.target
                [Container]
                Image=web
                [Service]
                MemoryMax=512M
                AnythingGoes=here
                [Install]
                WantedBy=machines.target
                """);
        assertEquals(List.of(new Entry("Unit", "Description", "The web server", 2),
                new Entry("Unit", "After", "network-online.target", 3)), c.unitSection());
        assertEquals(List.of(new Entry("Service", "MemoryMax", "512M", 7),
                new Entry("Service", "AnythingGoes", "here", 8)), c.serviceSection());
        assertEquals(List.of(new Entry("Install", "WantedBy", "machines.target", 10)), c.installSection());
    }

    @Test
    void recordsTheLineOfEveryValue() throws Exception {
        ContainerFile c = parse("""
                # web
                [Container]
                Image=web

                Exec=/bin/httpd \\
                   -f
                Bind=/a
                Bind=/b
                """);
        assertEquals(3, c.lineOf("Image"));
        assertEquals(5, c.lineOf("Exec"));
        assertEquals(8, c.lineOf("Bind"));
        assertEquals(0, c.lineOf("Hostname"));
        assertEquals(0, c.lineOf("NoSuchKey"));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            Image, web
            Directory, /srv
            Layer, /l
            Exec, /bin/sh
            Environment, A=1
            Hostname, web
            Bind, /a
            BindReadOnly, /a
            TemporaryFileSystem, /tmp
            PublishPort, 80
            Network, none
            User, root
            WorkingDirectory, /
            PrivateUsers, no
            ReadOnly, no
            Ephemeral, no
            Boot, no
            NoNewPrivileges, no
            NotifyReady, no
            KillSignal, TERM
            Capability, CAP_A
            DropCapability, CAP_A
            HealthCmd, true
            """)
    void acceptsEveryDocumentedKey(String key, String value) throws Exception {
        assertTrue(ContainerFile.CONTAINER_KEYS.contains(key));
        assertEquals(2, parse("[Container]\n%s=%s\n".formatted(key, value)).lineOf(key));
    }

    /** The health keys but HealthCmd=, which they need (HealthSpecTest). */
    @ParameterizedTest
    @CsvSource(textBlock = """
            HealthInterval, 10s
            HealthTimeout, 2s
            HealthStartPeriod, 1m
            HealthRetries, 5
            HealthOnFailure, restart
            """)
    void acceptsEveryHealthKeyAfterHealthCmd(String key, String value) throws Exception {
        assertTrue(HealthSpec.KEYS.contains(key));
        assertEquals(3, parse("[Container]\nHealthCmd=true\n%s=%s\n".formatted(key, value)).lineOf(key));
    }

    @Test
    void everyKnownKeyIsDocumentedInTheTestsAbove() {
        assertEquals(28, ContainerFile.CONTAINER_KEYS.size());
        assertTrue(ContainerFile.CONTAINER_KEYS.containsAll(HealthSpec.KEYS));
    }

    @Test
    void parsesAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("web.container");
        Files.writeString(file, "[Container]\nDirectory=/srv/web\n");
        ContainerFile c = ContainerFile.parse(file);
        assertEquals(file, c.source());
        assertEquals(Path.of("/srv/web"), c.directory());
    }
}
