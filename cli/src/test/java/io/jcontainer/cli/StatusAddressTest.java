package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code show} give a running {@code Network=private} container's addresses, read from jnspawn's
 * lease: a real container (root, namespaces, a bridge, a veth and an nft table of this test's own names), started
 * with {@code jcontainer run --network private} in the foreground as on a host without systemd.
 */
@Tag("root")
class StatusAddressTest {
    static final Path REPO = RunForegroundTest.REPO;
    static final long ID = ProcessHandle.current().pid() % 250 + 1;
    static final String NAME = "genaddr" + ProcessHandle.current().pid();
    static final String BRIDGE = "jcgen" + ID;
    static final String TABLE = "jcgen" + ID;
    static final String SUBNET = "10.251." + ID + ".0/24";
    static final String ULA = "fd6a:6367:656e:" + Long.toHexString(ID) + "::";

    @TempDir
    static Path tmp;
    static Jcontainer jc;
    static CompletableFuture<Jcontainer.Outcome> running;
    static ContainerState state;

    @BeforeAll
    static void startAContainer() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        boolean nft = Files.isExecutable(Path.of("/usr/sbin/nft"));
        if (!nft && "true".equals(System.getenv("CI"))) {
            fail("CI=true but nft is missing: scripts/setup-deps installs nftables");
        }
        assumeTrue(nft, "skipped: nft is not installed (scripts/setup-deps)");
        Path exec = RealContainers.execStage();
        Path root = RealContainers.demoRoot(tmp.resolve("demo-root"));
        // IPForward=no: no host-wide sysctl from a test.
        Path conf = Files.writeString(tmp.resolve("network.conf"), "[Network]\nBridge=" + BRIDGE + "\nSubnet=" + SUBNET
                + "\nTable=" + TABLE + "\nIPForward=no\nIPv6Prefix=" + ULA + "/64\n");
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), exec, conf);
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        System.setProperty("jcontainer.runtime", tmp.resolve("runtime").toString());
        System.setProperty("jcontainer.network.conf", conf.toString());
        jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "demo:1");

        running = CompletableFuture.supplyAsync(() -> jc.run("run", "--name", NAME, "--network", "private", "demo:1",
                "sh", "-c", "touch /up; exec sleep 600"));
        state = RealContainers.awaitRunning(running, tmp.resolve("runtime"), NAME,
                tmp.resolve("store/containers/" + NAME + "/upper/up"));
    }

    @AfterAll
    static void stopIt() throws Exception {
        try {
            RealContainers.kill(running, state);
            // The lease, veth, bridge and nft table go with the container; --cleanup is the safety net.
            new ProcessBuilder(tmp.resolve("jnspawn").toString(), "--cleanup", "-M", NAME).inheritIO().start()
                    .waitFor(60, TimeUnit.SECONDS);
            assertFalse(Files.exists(Path.of("/sys/class/net", BRIDGE)), "bridge " + BRIDGE + " left behind");
        } finally {
            System.clearProperty(Host.JNSPAWN_PROPERTY);
            System.clearProperty("jcontainer.runtime");
            System.clearProperty("jcontainer.network.conf");
        }
    }

    /** The addresses the container itself has on host0, by ip inside its network namespace. */
    static List<String> addressesInside() throws Exception {
        Process p = new ProcessBuilder("nsenter", "-t", Long.toString(state.leader()), "-n", "ip", "-o", "addr", "show",
                "dev", "host0", "scope", "global").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, text);
        return text.lines().map(l -> l.split("\\s+")[3].replaceAll("/.*", "")).toList();
    }

    @Test
    void statusShowsTheAddressesTheContainerHas() throws Exception {
        List<String> inside = addressesInside();
        assertEquals(2, inside.size(), inside.toString());
        String v4 = inside.stream().filter(a -> a.contains(".")).findFirst().orElseThrow();
        String v6 = inside.stream().filter(a -> a.contains(":")).findFirst().orElseThrow();
        assertTrue(v4.startsWith("10.251." + ID + "."), v4);
        assertTrue(v6.startsWith(ULA), v6);

        String out = jc.ok("status", NAME).out();
        // machinectl's layout: the label right-aligned, a further address under the first.
        assertTrue(out.contains("\n   Address: " + v4 + "\n" + " ".repeat(12) + v6 + "\n"), out);
    }

    @Test
    void showJsonCarriesTheAddresses() throws Exception {
        JsonNode o = new ObjectMapper().readTree(jc.ok("show", NAME, "--json").out());
        List<String> inside = addressesInside();
        assertEquals(2, o.get("addresses").size(), o.toString());
        assertEquals(inside.stream().filter(a -> a.contains(".")).findFirst().orElseThrow(), o.get("addresses").get(0).asText());
        assertEquals(inside.stream().filter(a -> a.contains(":")).findFirst().orElseThrow(), o.get("addresses").get(1).asText());
        assertTrue(o.get("addressesProblem").isNull(), o.toString());
        String flat = jc.ok("show", NAME).out();
        assertTrue(flat.contains("\naddresses=" + o.get("addresses").get(0).asText() + " "
                + o.get("addresses").get(1).asText() + "\n"), flat);
    }

    @Test
    void aContainerThatDoesNotRunHasNoAddress() throws Exception {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/genidle.container"), "[Container]\nImage=demo:1\nNetwork=private\n");
        String out = jc.ok("status", "genidle").out();
        assertFalse(out.contains("Address"), out);
        JsonNode o = new ObjectMapper().readTree(jc.ok("show", "genidle", "--json").out());
        assertEquals(0, o.get("addresses").size(), o.toString());
    }
}
