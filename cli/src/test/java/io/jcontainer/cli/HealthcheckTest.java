package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer healthcheck run} against a real container that {@code jcontainer run} keeps in the foreground
 * (systemd is not PID 1 here): the check is a real exec into it, its results land in the runtime directory and show in
 * {@code ps} and {@code inspect}. Each test rewrites the container's file with the check it needs (the check is read
 * at each run, as the timer's oneshot reads it). Needs root; the systemd side (timer, HealthOnFailure=restart) is
 * vm-tests/scenarios/40-healthcheck.sh.
 */
@Tag("root")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthcheckTest {
    static final String NAME = "health" + ProcessHandle.current().pid();

    @TempDir
    static Path tmp;
    static Jcontainer jc;
    static CompletableFuture<Jcontainer.Outcome> running;
    static ContainerState state;
    static String header;

    @BeforeAll
    static void startAContainer() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), RealContainers.execStage(), null);
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        System.setProperty("jcontainer.runtime", tmp.resolve("runtime").toString());
        jc = new Jcontainer(tmp);
        jc.ok("import", RealContainers.demoRoot(tmp.resolve("demo-root")).toString(), "--name", "demo:1");
        running = CompletableFuture.supplyAsync(() -> jc.run("run", "--name", NAME, "--network", "none",
                "--health-cmd", "test -f /ready", "demo:1", "sh", "-c", "echo up > /ready; while :; do sleep 1; done"));
        state = RealContainers.awaitRunning(running, tmp.resolve("runtime"), NAME,
                tmp.resolve("store/containers/" + NAME + "/upper/ready"));
        String text = Files.readString(file());
        header = text.substring(0, text.indexOf("HealthCmd="));
    }

    @AfterAll
    static void stopIt() throws Exception {
        try {
            if (state.alive()) {
                RealContainers.kill(running, state);
            }
        } finally {
            System.clearProperty(Host.JNSPAWN_PROPERTY);
            System.clearProperty("jcontainer.runtime");
        }
    }

    static Path file() {
        return tmp.resolve("run").resolve(NAME + ".container");
    }

    /** The container's file with these health keys instead of the ones it had. */
    static void check(String keys) throws Exception {
        Files.writeString(file(), header + keys + "\n");
    }

    static JsonNode recorded() throws Exception {
        return new ObjectMapper().readTree(tmp.resolve("runtime/health/" + NAME + ".json").toFile());
    }

    @Test
    @Order(1)
    void aPassingCheckMakesItHealthyAndShowsInPsAndInspect() throws Exception {
        var outcome = jc.run("healthcheck", "run", NAME);

        assertEquals(0, outcome.status(), outcome.err());
        assertEquals("healthy\n", outcome.out());
        JsonNode h = recorded();
        assertEquals("healthy", h.get("status").asText());
        assertEquals(0, h.get("failingStreak").asInt());
        assertEquals(1, h.get("log").size());
        assertEquals(0, h.get("log").get(0).get("exitCode").asInt());
        String table = jc.ok("ps").out();
        assertTrue(table.lines().anyMatch(l -> l.startsWith(NAME + " ")
                && l.matches(".* running +Up ([0-9]+ seconds|Less than a second|1 second|About a minute) \\(healthy\\) .*")), table);
        JsonNode ps = new ObjectMapper().readTree(jc.ok("ps", "--json").out());
        assertEquals("healthy", ps.get(0).get("health").asText());
        JsonNode inspect = new ObjectMapper().readTree(jc.ok("inspect", "--json", NAME).out());
        assertEquals("healthy", inspect.get("health").get("status").asText());
        assertEquals("CMD-SHELL", inspect.get("health").get("check").get("test").get(0).asText());
    }

    @Test
    @Order(2)
    void failuresInARowUpToRetriesMakeItUnhealthyWithTheirOutput() throws Exception {
        check("HealthCmd=echo not ready; exit 3\nHealthRetries=2");

        var first = jc.run("healthcheck", "run", NAME);
        assertEquals(1, first.status(), first.err());
        assertEquals("healthy\n", first.out(), "one failure of two allowed");
        var second = jc.run("healthcheck", "run", NAME);
        assertEquals(1, second.status());
        assertEquals("unhealthy\n", second.out());

        JsonNode h = recorded();
        assertEquals(2, h.get("failingStreak").asInt());
        JsonNode last = h.get("log").get(h.get("log").size() - 1);
        assertEquals(3, last.get("exitCode").asInt());
        assertEquals("not ready\n", last.get("output").asText());
        assertTrue(jc.ok("ps").out().contains(" (unhealthy) "));

        check("HealthCmd=true");
        assertEquals("healthy\n", jc.ok("healthcheck", "run", NAME).out(), "one pass is enough to be healthy again");
        assertEquals(0, recorded().get("failingStreak").asInt());
    }

    @Test
    @Order(3)
    void aCheckThatHangsIsEndedAtItsTimeoutAndCountsAsFailed() throws Exception {
        check("HealthCmd=echo waiting; exec sleep 600\nHealthTimeout=500ms\nHealthRetries=1");

        var outcome = jc.run("healthcheck", "run", NAME);

        assertEquals(1, outcome.status(), outcome.err());
        assertEquals("unhealthy\n", outcome.out());
        JsonNode last = recorded().get("log").get(recorded().get("log").size() - 1);
        assertEquals(-1, last.get("exitCode").asInt());
        // Whether "waiting" came before the end depends on how far the exec got in 500 ms; the end is certain.
        assertTrue(last.get("output").asText().endsWith("Health check timed out after 500 ms"), last.toString());
    }

    @Test
    @Order(4)
    void tenMegabytesOfOutputAreCappedAndTheCheckStillPasses() throws Exception {
        check("HealthCmd=yes x | head -c 10000000");

        var outcome = jc.run("healthcheck", "run", NAME);

        assertEquals(0, outcome.status(), outcome.err());
        JsonNode last = recorded().get("log").get(recorded().get("log").size() - 1);
        assertEquals("x\n".repeat(HealthProbe.MAX_OUTPUT_BYTES / 2), last.get("output").asText());
        assertTrue(last.get("truncated").asBoolean());
        assertTrue(recorded().get("log").size() <= HealthState.MAX_LOG);
    }

    @Test
    @Order(5)
    void withinTheStartPeriodFailuresDoNotCountUntilAPass() throws Exception {
        Files.delete(tmp.resolve("runtime/health/" + NAME + ".json"));
        check("HealthCmd=false\nHealthStartPeriod=1h\nHealthRetries=1");

        assertEquals("starting\n", jc.run("healthcheck", "run", NAME).out());
        assertEquals("starting\n", jc.run("healthcheck", "run", NAME).out());
        assertEquals(0, recorded().get("failingStreak").asInt());
        assertTrue(jc.ok("ps").out().contains(" (starting) "));
    }

    @Test
    @Order(6)
    void healthOnFailureRestartNeedsSystemdAndSaysSoOnce() throws Exception {
        Files.delete(tmp.resolve("runtime/health/" + NAME + ".json"));
        check("HealthCmd=false\nHealthOnFailure=restart");

        for (int i = 0; i < 2; i++) {
            var r = jc.run("healthcheck", "run", NAME);
            assertEquals(1, r.status());
            assertEquals("starting\n", r.out(), "no start period: the failures count, two of three");
            assertEquals("", r.err(), "no action before it is unhealthy");
        }
        var third = jc.run("healthcheck", "run", NAME);
        assertEquals("unhealthy\n", third.out());
        assertTrue(third.errLine().startsWith("jcontainer: '" + NAME + "' is unhealthy: HealthOnFailure=restart needs "
                + "systemd as PID 1"), third.err());
        var fourth = jc.run("healthcheck", "run", NAME);
        assertEquals("", fourth.err(), "acted on the change to unhealthy only");
        assertTrue(state.alive());
    }

    @Test
    @Order(7)
    void healthOnFailureKillEndsTheContainer() throws Exception {
        check("HealthCmd=false\nHealthRetries=1\nHealthOnFailure=kill");
        Files.delete(tmp.resolve("runtime/health/" + NAME + ".json"));

        var outcome = jc.run("healthcheck", "run", NAME);

        assertEquals("unhealthy\n", outcome.out());
        assertEquals("jcontainer: '" + NAME + "' is unhealthy: HealthOnFailure=kill sent SIGKILL to its PID 1.",
                outcome.errLine());
        assertEquals(137, running.get().status(), "the container died of SIGKILL");
        assertFalse(state.alive());
    }
}
