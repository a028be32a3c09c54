package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.Words;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * run, ps, stop, rm and logs on a host without systemd as PID 1, without root: jnspawn is a stub script that
 * records its command line and the container file, and exits with the status the test chooses
 * (RunForegroundTest runs the real one, as root).
 */
class RunVerbsTest {
    @TempDir
    Path tmp;
    Jcontainer jc;
    Path run;

    @BeforeEach
    void setUp() throws Exception {
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "these tests are about a host without systemd");
        jc = new Jcontainer(tmp);
        run = tmp.resolve("run");
        byte[] layer = TestImages.layer(Map.of("bin/hello", "#!/bin/sh\necho hello\n"));
        jc.ok("import", "--name", "demo:1", TestImages.ociLayoutDirectory(tmp.resolve("oci"), layer, "/bin/hello", "t").toString());
        Path stub = tmp.resolve("jnspawn-stub");
        Files.writeString(stub, """
                #!/bin/sh
                echo "argv: $*" > "$0.log"
                echo "opts: $JCONTAINER_JAVA_OPTS" >> "$0.log"
                echo "root: $JCONTAINER_ROOT" >> "$0.log"
                cat "%s/$3.container" >> "$0.log"
                echo "out of the container"
                exit "$(cat "$0.status" 2>/dev/null || echo 0)"
                """.formatted(run));
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty(Host.JNSPAWN_PROPERTY, stub.toString());
    }

    @AfterEach
    void tearDown() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    private String stubLog() throws Exception {
        return Files.readString(tmp.resolve("jnspawn-stub.log"));
    }

    private List<String> transientFiles() throws Exception {
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(run)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void runWritesTheFileRunsJnspawnAndReturnsItsStatus() throws Exception {
        Files.writeString(tmp.resolve("jnspawn-stub.status"), "3");

        var outcome = jc.run("run", "--name", "x", "-e", "A=1 2", "-v", "/srv:/data:ro",
                "--network", "host", "--user", "1000", "--workdir", "/tmp", "demo:1", "sh", "-c", "echo \"$A\" -x");

        assertEquals(3, outcome.status(), outcome.err());
        assertEquals("out of the container\n", outcome.out());
        String log = stubLog();
        assertTrue(log.contains("argv: -q -M x --console=pipe\n"), log);
        assertTrue(log.contains("opts: -Djcontainer.search.path=" + run + ":" + tmp.resolve("etc") + "\n"), log);
        assertTrue(log.contains("root: " + tmp.resolve("store") + "\n"), log);
        assertTrue(log.contains("Image=demo:1\n"), log);
        assertTrue(log.contains("Exec=sh -c \"echo \\\"$A\\\" -x\"\n"), log);
        ContainerFile file = ContainerFile.parse(run.resolve("x.container"));
        assertEquals(List.of("sh", "-c", "echo \"$A\" -x"), file.exec());
        assertEquals(List.of("A=1 2"), file.environment());
        assertEquals("/srv", file.bindsReadOnly().get(0).source().toString());
        assertEquals("host", file.network().toString().toLowerCase());
        assertEquals("1000", file.user());
        assertEquals("/tmp", file.workingDirectory());
        assertFalse(file.ephemeral());
    }

    @Test
    void withoutACommandTheImageDefaultIsWrittenAndAGeneratedNameUsed() throws Exception {
        jc.ok("run", "demo:1");

        List<String> files = transientFiles();
        assertEquals(1, files.size(), files.toString());
        assertTrue(files.get(0).matches("[a-z]+_[a-z]+_[0-9a-f]{4}\\.container"), files.toString());
        assertEquals(List.of("/bin/hello"), ContainerFile.parse(run.resolve(files.get(0))).exec());
    }

    @Test
    void entrypointReplacesTheImageDefault() throws Exception {
        jc.ok("run", "--name", "e", "--entrypoint", "/bin/sh", "demo:1", "-c", "true");

        assertEquals(List.of("/bin/sh", "-c", "true"), ContainerFile.parse(run.resolve("e.container")).exec());
    }

    @Test
    void rmRunsEphemeralAndLeavesNoFileAndNoChanges() throws Exception {
        Files.createDirectories(tmp.resolve("store/containers/gone/upper"));

        jc.ok("run", "--rm", "--name", "gone", "demo:1", "true");

        assertTrue(stubLog().contains("Ephemeral=yes\n"));
        assertEquals(List.of(), transientFiles());
        assertFalse(Files.exists(tmp.resolve("store/containers/gone")));
    }

    @Test
    void detachNeedsSystemd() throws Exception {
        var outcome = jc.run("run", "-d", "demo:1");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: run -d needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                + "'); run in the foreground instead", outcome.errLine());
        assertEquals(List.of(), transientFiles());
    }

    @Test
    void aNameInUseIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/web.container"), "[Container]\nImage=demo:1\n");

        var outcome = jc.run("run", "--name", "web", "demo:1");

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().contains("Container name 'web' is in use by '" + tmp.resolve("etc/web.container")),
                outcome.err());
        assertEquals(List.of(), transientFiles());
        assertFalse(Files.exists(tmp.resolve("jnspawn-stub.log")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-v=data:/data", "-v=/srv", "-v=/srv:/data:rx", "-v=/srv:data", "-e=A", "-e==1",
        "-e=1A=2", "-p=8080:http", "-p=nonsense", "-p=80/sctp", "--network=bridge", "--name=a/b", "--user=a\nb"})
    void malformedOptionsAreOneLineAnd125AndWriteNothing(String option) throws Exception {
        var outcome = jc.run("run", option, "demo:1", "true");

        assertEquals(125, outcome.status(), outcome.err());
        assertTrue(outcome.errLine().startsWith("jcontainer: "), outcome.err());
        assertEquals(List.of(), transientFiles());
        assertFalse(Files.exists(tmp.resolve("jnspawn-stub.log")));
    }

    @Test
    void publishedPortsBecomePublishPortLines() throws Exception {
        jc.ok("run", "--name", "web", "-p", "8080:80", "-p", "5353:53/udp", "-p", "127.0.0.1:8081:81", "demo:1");

        ContainerFile file = ContainerFile.parse(run.resolve("web.container"));
        assertEquals(List.of("8080:80", "5353:53/udp", "127.0.0.1:8081:81"), file.publishPorts());
        // As jnspawn reads them.
        assertEquals(List.of(new PortMapping("tcp", 8080, 80), new PortMapping("udp", 5353, 53),
                new PortMapping("tcp", "127.0.0.1", 8081, 81)), file.publishedPorts());
        var v6 = jc.run("run", "-p", "[::1]:8080:80", "demo:1");
        assertEquals(125, v6.status());
        assertEquals("jcontainer: Malformed -p: Invalid published port '[::1]:8080:80': an IPv6 host address is not "
                + "supported (IPv4 only).", v6.errLine());
        var host = jc.run("run", "--network", "host", "-p", "8080:80", "demo:1");
        assertEquals(125, host.status());
        assertEquals("jcontainer: -p/--publish needs --network private, not 'host'.", host.errLine());
    }

    @Test
    void aCallerWhoIsNotRootIsRefusedBeforeAnythingIsWritten() throws Exception {
        var outcome = jc.asUid(1000).run("run", "--name", "mine", "-v", "/etc:/host-etc", "demo:1", "true");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: 'jcontainer run' defines a container, which only root may do (uid 1000): a container "
                + "file can bind any host path; ask root to write /etc/jcontainer/NAME.container, then "
                + "'systemctl start jcontainer@NAME'.", outcome.errLine());
        assertEquals(List.of(), transientFiles());
        assertFalse(Files.exists(tmp.resolve("jnspawn-stub.log")));
        // Read-only verbs stay open to everybody.
        jc.ok("images");
    }

    @Test
    void theEffectiveUidIsTheOneTheKernelReports() throws Exception {
        // /proc/self belongs to the process's effective uid.
        assertEquals(Files.getAttribute(Path.of("/proc/self/"), "unix:uid"), Host.uidFromProc());
    }

    @Test
    void anUnknownImageIsRefused() throws Exception {
        var outcome = jc.run("run", "nosuch:1");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: No such image 'nosuch:1'.", outcome.errLine());
        assertEquals(List.of(), transientFiles());
    }

    @Test
    void psTellsRunningFromJnspawnsRecordOfALiveLeader() throws Exception {
        jc.ok("run", "--name", "one", "demo:1", "echo", "hi there");
        jc.ok("run", "--name", "two", "demo:1", "true");
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/admin.container"), "[Container]\nImage=demo:1\n");
        // jnspawn's record of a running "one", as it writes it: its leader is a live process (this JVM, with its
        // start time); "two" has a record whose leader's start time is not that process's (a reused PID).
        Path runtime = Files.createDirectories(tmp.resolve("runtime"));
        long pid = ProcessHandle.current().pid();
        long start = io.jcontainer.jnspawn.ContainerState.startTime(pid);
        Files.writeString(runtime.resolve("one.state"), "machine=one\nleader=" + pid + "\nstarttime=" + start + "\n");
        Files.writeString(runtime.resolve("two.state"), "machine=two\nleader=" + pid + "\nstarttime=" + (start + 1) + "\n");
        System.setProperty("jcontainer.runtime", runtime.toString());
        try {
            String table = jc.ok("ps").out();
            assertTrue(table.lines().anyMatch(l -> l.matches("one +demo:1 +echo hi there +running +.*")), table);
            assertFalse(table.contains("two"), table);
            assertFalse(table.contains("admin"), table);
            JsonNode json = new ObjectMapper().readTree(jc.ok("ps", "-a", "--json").out());
            Map<String, String> states = new java.util.TreeMap<>();
            json.forEach(o -> states.put(o.get("name").asText(), o.get("state").asText()));
            assertEquals(Map.of("admin", "stopped", "one", "running", "two", "stopped"), states);
            assertEquals(run.resolve("one.container").toString(), json.get(1).get("file").asText());

            // A record that cannot be read as one (a caller who may not read root's record sees the same): unknown.
            Files.writeString(runtime.resolve("one.state"), "not a record\n");
            assertTrue(jc.ok("ps").out().lines().anyMatch(l -> l.matches("one +demo:1 +echo hi there +- +.*")));
        } finally {
            System.clearProperty("jcontainer.runtime");
        }
    }

    @Test
    void rmRemovesATransientContainerAndItsChanges() throws Exception {
        jc.ok("run", "--name", "old", "demo:1", "true");
        Files.createDirectories(tmp.resolve("store/containers/old/upper"));

        assertEquals("old\n", jc.ok("rm", "old").out());

        assertEquals(List.of(), transientFiles());
        assertFalse(Files.exists(tmp.resolve("store/containers/old")));
        assertEquals(125, jc.run("rm", "old").status());
    }

    @Test
    void rmRefusesTheAdministratorsFileUnlessForced() throws Exception {
        Path file = tmp.resolve("etc/admin.container");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "[Container]\nImage=demo:1\n");

        var refused = jc.run("rm", "admin");
        assertEquals(125, refused.status());
        assertEquals("jcontainer: '" + file + "' was written by the administrator, not by 'jcontainer run'; "
                + "refusing to remove it (use -f).", refused.errLine());
        assertTrue(Files.exists(file));

        jc.ok("rm", "-f", "admin");
        assertFalse(Files.exists(file));
    }

    @Test
    void stopAndLogsNeedSystemd() throws Exception {
        jc.ok("run", "--name", "s", "demo:1", "true");

        var stop = jc.run("stop", "s");
        assertEquals(125, stop.status());
        assertTrue(stop.errLine().startsWith("jcontainer: stop needs systemd as PID 1"), stop.err());
        var logs = jc.run("logs", "s");
        assertEquals(125, logs.status());
        assertTrue(logs.errLine().startsWith("jcontainer: logs needs the journal"), logs.err());
        assertEquals(125, jc.run("stop", "nosuch").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "", "two words", "it's", "say \"hi\"", "back\\slash", "tab\there", "new\nline",
        "$HOME", "%n", "semi;colon", "bell\u0007", "ünïcode"})
    void quotedWordsSplitBackToThemselves(String word) throws Exception {
        String line = TransientContainer.quote(word) + " " + TransientContainer.quote("next");

        assertEquals(List.of(word, "next"), Words.split(line));
    }
}
