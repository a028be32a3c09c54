package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exec, kill, restart, attach, port and inspect on a host without systemd as PID 1 and without root: what they
 * read (container files, jnspawn's record of a running container), what they hand to jnspawn (a stub here; ExecKillTest
 * runs the real one as root) and their one-line refusals.
 */
class ContainerOpsTest {
    @TempDir
    Path tmp;
    Jcontainer jc;
    Path runtime;

    @BeforeEach
    void setUp() throws Exception {
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "these tests are about a host without systemd");
        jc = new Jcontainer(tmp);
        runtime = tmp.resolve("runtime");
        Files.createDirectories(runtime);
        System.setProperty("jcontainer.runtime", runtime.toString());
        write("web", """
                [Container]
                Image=demo:1
                Exec=/bin/httpd -f -p 80
                PublishPort=8080:80
                PublishPort=5353:53/udp
                PublishPort=8443:443/tcp
                PublishPort=127.0.0.1:8081:81
                """);
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("jcontainer.runtime");
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    private void write(String name, String text) throws Exception {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc").resolve(name + ".container"), text);
    }

    /** A record that says {@code name} runs, with this JVM as its leader (alive for as long as the test runs). */
    private void recordRunning(String name) throws Exception {
        long self = ProcessHandle.current().pid();
        Files.writeString(ContainerState.path(runtime, name), "machine=" + name + "\nleader=" + self + "\nstarttime="
                + ContainerState.startTime(self) + "\ncapabilities=1\nno_new_privs=1\nuid=0\ngid=0\ngroups=\ncwd=/\n");
    }

    @Test
    void portListsThePublishedPortsAsDockerDoes() {
        assertEquals("80/tcp -> 0.0.0.0:8080\n53/udp -> 0.0.0.0:5353\n443/tcp -> 0.0.0.0:8443\n"
                + "81/tcp -> 127.0.0.1:8081\n", jc.ok("port", "web").out());
        assertEquals("127.0.0.1:8081\n", jc.ok("port", "web", "81/tcp").out());
        assertEquals("0.0.0.0:5353\n", jc.ok("port", "web", "53/udp").out());
        assertEquals("0.0.0.0:8080\n", jc.ok("port", "web", "80").out());
    }

    @Test
    void portRefusesWhatIsNotThere() throws Exception {
        var none = jc.run("port", "web", "22");
        assertEquals(125, none.status());
        assertEquals("jcontainer: No public port '22/tcp' published for 'web'.", none.errLine());

        var unknown = jc.run("port", "nosuch");
        assertEquals(125, unknown.status());
        assertTrue(unknown.errLine().startsWith("jcontainer: No such container: "), unknown.err());

        write("bad", "[Container]\nImage=demo:1\nPublishPort=80:http\n");
        var bad = jc.run("port", "bad");
        assertEquals(125, bad.status());
        assertTrue(bad.errLine().contains("'80:http'"), bad.err());
    }

    @Test
    void inspectShowsAContainerBeforeAnImage() throws Exception {
        var outcome = jc.ok("inspect", "--json", "web");

        JsonNode o = new ObjectMapper().readTree(outcome.out());
        assertEquals("web", o.get("name").asText());
        assertEquals("demo:1", o.get("image").asText());
        assertEquals(List.of("/bin/httpd", "-f", "-p", "80"),
                new ObjectMapper().convertValue(o.get("config").get("exec"), List.class));
        assertEquals("8080:80", o.get("config").get("publishPorts").get(0).asText());
        assertEquals(false, o.get("process").get("running").asBoolean());

        recordRunning("web");
        JsonNode running = new ObjectMapper().readTree(jc.ok("inspect", "--type", "container", "--json", "web").out());
        assertTrue(running.get("process").get("running").asBoolean());
        assertEquals(ProcessHandle.current().pid(), running.get("process").get("leader").asLong());

        String text = jc.ok("inspect", "web").out();
        assertTrue(text.lines().anyMatch(l -> l.equals("config.publishPorts=8080:80 5353:53/udp 8443:443/tcp 127.0.0.1:8081:81")),
                text);
    }

    @Test
    void inspectTypeChoosesAndRefusesOneLine() {
        var image = jc.run("inspect", "--type", "image", "web");
        assertEquals(125, image.status(), image.err());
        assertTrue(image.errLine().contains("'web'"), "an image named web, which there is not: " + image.err());

        var container = jc.run("inspect", "--type", "container", "nosuch");
        assertEquals(125, container.status());
        assertTrue(container.errLine().startsWith("jcontainer: No such container: "), container.err());

        var bogus = jc.run("inspect", "--type", "volume", "web");
        assertEquals(125, bogus.status());
        assertEquals("jcontainer: Invalid --type 'volume': expected container or image.", bogus.errLine());
    }

    @Test
    void killRestartAndAttachWithoutSystemd() throws Exception {
        var kill = jc.run("kill", "web");
        assertEquals(125, kill.status());
        assertEquals("jcontainer: Container 'web' is not running.", kill.errLine());

        var badSignal = jc.run("kill", "-s", "SIGFOO", "web");
        assertEquals(125, badSignal.status());
        assertTrue(badSignal.errLine().contains("'SIGFOO'"), badSignal.err());

        var restart = jc.run("restart", "web");
        assertEquals(125, restart.status());
        assertTrue(restart.errLine().startsWith("jcontainer: restart needs systemd as PID 1"), restart.err());

        var attach = jc.run("attach", "web");
        assertEquals(125, attach.status());
        assertTrue(attach.errLine().startsWith("jcontainer: attach needs systemd as PID 1"), attach.err());

        assertTrue(jc.run("restart", "nosuch").errLine().startsWith("jcontainer: No such container: "));
    }

    @Test
    void aRecordWhoseLeaderIsAnotherProcessMeansNotRunning() throws Exception {
        long self = ProcessHandle.current().pid();
        Files.writeString(ContainerState.path(runtime, "web"), "machine=web\nleader=" + self + "\nstarttime="
                + (ContainerState.startTime(self) + 1) + "\n");

        var outcome = jc.run("exec", "web", "true");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Container 'web' is not running.", outcome.errLine());
    }

    @Test
    void execHandsTheCommandToJnspawnAndReturnsItsStatus() throws Exception {
        Path stub = tmp.resolve("jnspawn-stub");
        Files.writeString(stub, "#!/bin/sh\nprintf '%s|' \"$@\" > \"$0.log\"\necho \"$JCONTAINER_JAVA_OPTS\" >> \"$0.log\"\nexit 7\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty(Host.JNSPAWN_PROPERTY, stub.toString());
        recordRunning("web");

        var outcome = jc.run("exec", "-t", "-e", "A=1 2", "-u", "1000", "-w", "/tmp", "web", "ls", "-l", "--", "/");

        assertEquals(7, outcome.status(), outcome.err());
        assertEquals("-q|--exec|-M|web|--console=interactive|--setenv=A=1 2|--user=1000|--chdir=/tmp|--|ls|-l|--|/|"
                + "-Djcontainer.runtime=" + runtime + "\n", Files.readString(tmp.resolve("jnspawn-stub.log")));
    }

    @Test
    void execRefusesMalformedOptionsInOneLine() throws Exception {
        recordRunning("web");
        Map<String[], String> cases = Map.of(
                new String[] {"exec", "-e", "1A=x", "web", "true"}, "jcontainer: Malformed -e '1A=x': expected NAME=VALUE.",
                new String[] {"exec", "-w", "tmp", "web", "true"}, "jcontainer: Invalid -w 'tmp': must be an absolute path.");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            var outcome = jc.run(c.getKey());
            assertEquals(125, outcome.status());
            assertEquals(c.getValue(), outcome.errLine());
        }
        assertEquals(125, jc.run("exec", "web").status(), "no command");
    }
}
