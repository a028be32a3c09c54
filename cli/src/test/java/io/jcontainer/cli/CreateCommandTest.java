package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.UnitFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code create} and {@code start}, and the flags {@code run} and {@code create} share for limits and a read-only
 * root, on a host without systemd as PID 1: the file written is read back by the container file parser and turned
 * into the unit's drop-in by the real generator ({@code verify}); starting it is systemd's (vm-tests).
 */
class CreateCommandTest {
    @TempDir
    Path tmp;
    Jcontainer jc;

    @BeforeEach
    void setUp() throws Exception {
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "these tests are about a host without systemd");
        jc = new Jcontainer(tmp);
        byte[] layer = TestImages.layer(Map.of("bin/hello", "#!/bin/sh\necho hello\n"));
        jc.ok("import", "--name", "demo:1", TestImages.ociLayoutDirectory(tmp.resolve("oci"), layer, "/bin/hello", "t").toString());
    }

    private Path file(String name) {
        return tmp.resolve("run").resolve(name + ".container");
    }

    @Test
    void createWritesTheFileRunWouldAndPrintsTheName() throws Exception {
        var outcome = jc.ok("create", "--name", "web", "-e", "A=1", "--network", "none", "demo:1", "sh", "-c", "echo hi");

        assertEquals("web\n", outcome.out());
        ContainerFile file = ContainerFile.parse(file("web"));
        assertEquals("demo:1", file.image());
        assertEquals(List.of("sh", "-c", "echo hi"), file.exec());
        assertEquals(List.of("A=1"), file.environment());
        assertFalse(file.ephemeral());
        // What it says about itself: a container of 'jcontainer rm'.
        assertEquals("web\n", jc.ok("rm", "web").out());
        assertFalse(Files.exists(file("web")));
    }

    @Test
    void createWithoutANameGeneratesOne() throws Exception {
        String name = jc.ok("create", "demo:1").out().strip();

        assertTrue(name.matches("[a-z]+_[a-z]+_[0-9a-f]{4}"), name);
        assertEquals(List.of("/bin/hello"), ContainerFile.parse(file(name)).exec());
    }

    @Test
    void limitsGoToServiceAndReachTheUnitsDropIn() throws Exception {
        jc.ok("create", "--name", "lim", "--memory", "256m", "--cpus", "1.5", "--pids-limit", "32", "demo:1");

        UnitFile unit = UnitFile.parse(file("lim"));
        assertEquals(List.of("MemoryMax=256M", "CPUQuota=150%", "TasksMax=32"), unit.section("Service").stream()
                .map(e -> e.key() + "=" + e.value()).toList());
        List<String> dropIn = jc.ok("verify", file("lim").toString()).out().lines().toList();
        assertTrue(dropIn.containsAll(List.of("MemoryMax=256M", "CPUQuota=150%", "TasksMax=32")), dropIn.toString());
    }

    @ParameterizedTest
    @CsvSource({"--memory,1073741824,1073741824", "--memory,6m,6M", "--memory,8192K,8192K", "--memory,2g,2G",
        "--memory,7000000b,7000000", "--cpus,0.5,50%", "--cpus,2,200%", "--cpus,.25,25%", "--pids-limit,-1,infinity",
        "--pids-limit,0,infinity", "--pids-limit,100,100"})
    void dockersFormsBecomeSystemds(String flag, String value, String written) throws Exception {
        jc.ok("create", "--name", "f", flag, value, "demo:1");

        String key = Map.of("--memory", "MemoryMax", "--cpus", "CPUQuota", "--pids-limit", "TasksMax").get(flag);
        assertTrue(Files.readString(file("f")).contains("\n[Service]\n" + key + "=" + written + "\n"),
                Files.readString(file("f")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--memory=", "--memory=12x", "--memory=1m", "--memory=-5m", "--memory=1.5g",
        "--cpus=0", "--cpus=-1", "--cpus=1.005", "--cpus=many", "--cpus=20000", "--pids-limit=-2",
        "--pids-limit=lots", "--tmpfs=scratch", "--tmpfs=/a/../b"})
    void badValuesAreOneLineNamingTheFlagAndWriteNothing(String option) throws Exception {
        for (String verb : List.of("create", "run")) {
            var outcome = jc.run(verb, "--name", "bad", option, "demo:1");

            assertEquals(125, outcome.status(), outcome.err());
            String flag = option.substring(0, option.indexOf('='));
            assertTrue(outcome.errLine().startsWith("jcontainer: Invalid " + flag + " '")
                    || outcome.errLine().startsWith("jcontainer: Malformed " + flag + ": "), outcome.err());
            assertFalse(Files.exists(file("bad")), verb);
        }
    }

    @Test
    void readOnlyAndTmpfsBecomeContainerKeys() throws Exception {
        jc.ok("create", "--name", "ro", "--read-only", "--tmpfs", "/scratch", "--tmpfs", "/run:size=1m", "demo:1");

        ContainerFile file = ContainerFile.parse(file("ro"));
        assertTrue(file.readOnly());
        assertEquals(List.of("/scratch:mode=0755", "/run:size=1m"),
                file.temporaryFileSystems().stream().map(Object::toString).toList());
    }

    @Test
    void aNameInUseIsRefusedAndTheFileKept() throws Exception {
        jc.ok("create", "--name", "twice", "demo:1", "true");

        var again = jc.run("create", "--name", "twice", "demo:1", "false");

        assertEquals(125, again.status());
        assertTrue(again.errLine().contains("Container name 'twice' is in use"), again.err());
        assertEquals(List.of("true"), ContainerFile.parse(file("twice")).exec());
    }

    @Test
    void createIsRootsAsRunIs() {
        var outcome = jc.asUid(1000).run("create", "--name", "mine", "demo:1");

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().startsWith("jcontainer: 'jcontainer create' defines a container, which only root"),
                outcome.err());
        assertFalse(Files.exists(file("mine")));
    }

    @Test
    void startNeedsSystemdAndAContainer() throws Exception {
        jc.ok("create", "--name", "later", "demo:1");

        var start = jc.run("start", "later");
        assertEquals(125, start.status());
        assertEquals("jcontainer: start needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                + "'); 'jnspawn -M later' runs the container in the foreground instead.", start.errLine());
        var unknown = jc.run("start", "nosuch");
        assertEquals(125, unknown.status());
        assertTrue(unknown.errLine().startsWith("jcontainer: No such container: No container file for 'nosuch'"),
                unknown.err());
    }
}
