package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.HealthSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code run}/{@code create}'s health flags and {@code healthcheck run}'s refusals, without root or systemd: the file
 * written is read back by the container file parser and the real generator ({@code verify}); HealthcheckTest runs the
 * checks in a real container.
 */
class HealthFlagsTest {
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
    void theFlagsBecomeTheHealthKeysAndTheGeneratorsUnits() throws Exception {
        jc.ok("create", "--name", "hc", "--health-cmd", "test -f /ready || exit 1", "--health-interval", "10s",
                "--health-timeout", "2s", "--health-start-period", "1m", "--health-retries", "2",
                "--health-on-failure", "restart", "demo:1");

        HealthSpec h = HealthSpec.effective(ContainerFile.parse(file("hc")), null);
        assertEquals(List.of("/bin/sh", "-c", "test -f /ready || exit 1"), h.argv());
        assertEquals(10_000, h.intervalMillis());
        assertEquals(2_000, h.timeoutMillis());
        assertEquals(60_000, h.startPeriodMillis());
        assertEquals(2, h.retries());
        assertEquals(HealthSpec.OnFailure.RESTART, h.onFailure());
        String units = jc.ok("verify", file("hc").toString()).out();
        assertTrue(units.contains("Wants=jcontainer-healthcheck@hc.timer\n"), units);
        assertTrue(units.contains("---jcontainer-healthcheck@hc.timer---\n"), units);
        assertTrue(units.contains("OnUnitInactiveSec=10000ms\n"), units);
        assertTrue(units.contains("---jcontainer-healthcheck@hc.service---\n"), units);
        assertTrue(units.contains("ExecStart=/usr/bin/jcontainer healthcheck run hc\n"), units);
    }

    @Test
    void rmRemovesTheRecordedHealth() throws Exception {
        jc.ok("create", "--name", "gone", "--health-cmd", "true", "demo:1");
        Path runtime = Files.createDirectories(tmp.resolve("runtime/health"));
        Files.writeString(runtime.resolve("gone.json"), "{\"status\":\"healthy\"}");
        Files.writeString(runtime.resolve("gone.lock"), "");
        Files.writeString(runtime.resolve("other.json"), "{\"status\":\"healthy\"}");
        System.setProperty("jcontainer.runtime", tmp.resolve("runtime").toString());
        try {
            jc.ok("rm", "gone");
        } finally {
            System.clearProperty("jcontainer.runtime");
        }
        assertFalse(Files.exists(runtime.resolve("gone.json")));
        assertFalse(Files.exists(runtime.resolve("gone.lock")));
        assertTrue(Files.exists(runtime.resolve("other.json")));
    }

    @Test
    void noHealthcheckWritesHealthCmdNone() throws Exception {
        jc.ok("create", "--name", "quiet", "--no-healthcheck", "demo:1");

        assertTrue(Files.readString(file("quiet")).contains("\nHealthCmd=none\n"));
        assertEquals(null, HealthSpec.effective(ContainerFile.parse(file("quiet")), null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--health-interval=5", "--health-timeout=0s", "--health-start-period=later",
        "--health-retries=0", "--health-retries=x", "--health-on-failure=reboot"})
    void badValuesAreOneLineNamingTheFlag(String option) throws Exception {
        var outcome = jc.run("create", "--name", "bad", "--health-cmd", "true", option, "demo:1");

        assertEquals(125, outcome.status(), outcome.err());
        String flag = option.substring(0, option.indexOf('='));
        assertTrue(outcome.errLine().startsWith("jcontainer: Invalid " + flag + " '"), outcome.err());
        assertFalse(Files.exists(file("bad")));
    }

    @Test
    void aHealthFlagWithoutHealthCmdIsOneLineNamingIt() {
        var outcome = jc.run("create", "--name", "bad", "--health-retries", "2", "demo:1");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: --health-retries needs --health-cmd (a container file's HealthRetries= needs "
                + "HealthCmd=).", outcome.errLine());
        assertFalse(Files.exists(file("bad")));
    }

    @Test
    void healthcheckRunRefusesAContainerWithoutACheckOrNotRunning() throws Exception {
        jc.ok("create", "--name", "plain", "demo:1");
        jc.ok("create", "--name", "checked", "--health-cmd", "true", "demo:1");
        System.setProperty("jcontainer.runtime", Files.createDirectories(tmp.resolve("runtime")).toString());
        try {
            var none = jc.run("healthcheck", "run", "plain");
            assertEquals(125, none.status());
            assertEquals("jcontainer: Container 'plain' has no health check (no HealthCmd= in '" + file("plain")
                    + "', no HEALTHCHECK in its image).", none.errLine());
            var stopped = jc.run("healthcheck", "run", "checked");
            assertEquals(125, stopped.status());
            assertTrue(stopped.errLine().startsWith("jcontainer: ") && stopped.err().contains("checked"), stopped.err());
            var unknown = jc.run("healthcheck", "run", "nosuch");
            assertEquals(125, unknown.status());
            assertTrue(unknown.errLine().startsWith("jcontainer: No such container: "), unknown.err());
            assertFalse(Files.exists(tmp.resolve("runtime/health/checked.json")), "a check that did not run records nothing");
        } finally {
            System.clearProperty("jcontainer.runtime");
        }
    }
}
