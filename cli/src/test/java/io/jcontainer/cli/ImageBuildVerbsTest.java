package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.jnspawn.ContainerState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code jcontainer image} end to end, as root: the talk's example (a static C web server, docs/examples/hello) built
 * step by step into an OCI archive and an ACI, read by skopeo and umoci, run from the file with {@code -p 5000:5000}
 * in a real container on this test's own bridge and nft table, and answering {@code hello} on 127.0.0.1:5000; the
 * example Makefile twice; {@code image run} in a jnspawn container; and the bad inputs, which change nothing.
 */
@Tag("root")
class ImageBuildVerbsTest {
    static final Path REPO = RunForegroundTest.REPO;
    static final Path EXAMPLE = REPO.resolve("docs/examples/hello");
    static final long ID = ProcessHandle.current().pid() % 250 + 1;
    static final String BRIDGE = "jcimg" + ID;
    static final String TABLE = "jcimg" + ID;
    static final String SUBNET = "10.247." + ID + ".0/24";
    static final int PORT = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WROTE = Pattern.compile("Wrote (\\S+): (sha256:[0-9a-f]{64})");

    @TempDir
    static Path tmp;
    static Jcontainer jc;
    static Path hello;

    @BeforeAll
    static void setUp() throws Exception {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        boolean nft = Files.isExecutable(Path.of("/usr/sbin/nft"));
        if (!nft && "true".equals(System.getenv("CI"))) {
            fail("CI=true but nft is missing: scripts/setup-deps installs nftables");
        }
        assumeTrue(nft, "skipped: nft is not installed (scripts/setup-deps)");
        Path conf = Files.writeString(tmp.resolve("network.conf"), "[Network]\nBridge=" + BRIDGE + "\nSubnet=" + SUBNET
                + "\nTable=" + TABLE + "\nIPForward=no\nIPv6Prefix=no\n");
        Path launcher = RealContainers.launcher(tmp.resolve("jnspawn"), RealContainers.execStage(), conf);
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        System.setProperty("jcontainer.runtime", tmp.resolve("runtime").toString());
        System.setProperty("jcontainer.network.conf", conf.toString());
        jc = new Jcontainer(tmp);
        jc.ok("import", RealContainers.demoRoot(tmp.resolve("demo-root")).toString(), "--name", "demo:1");
        hello = tmp.resolve("hello");
        sh("gcc -static -O2 -o " + hello + " " + EXAMPLE.resolve("hello.c"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (jc != null) {
                jc.run("cleanup");
            }
            assertFalse(Files.exists(Path.of("/sys/class/net", BRIDGE)), "bridge " + BRIDGE + " left behind");
        } finally {
            System.clearProperty(Host.JNSPAWN_PROPERTY);
            System.clearProperty("jcontainer.runtime");
            System.clearProperty("jcontainer.network.conf");
        }
    }

    static String sh(String script) throws IOException, InterruptedException {
        return CommitBuildTest.sh(script);
    }

    /** {@code jcontainer image VERB --work WORK ARGS...}, which must succeed. */
    static Jcontainer.Outcome image(Path work, String verb, String... args) {
        return jc.ok(imageArgs(work, verb, args));
    }

    static String[] imageArgs(Path work, String verb, String... args) {
        List<String> all = new ArrayList<>(List.of("image"));
        all.addAll(List.of(verb.split(" ")));
        all.add("--work=" + work);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** The talk's acbuild steps as jcontainer image steps, up to (not including) write. */
    static Path talksSteps(String work) {
        Path dir = tmp.resolve(work);
        image(dir, "begin");
        image(dir, "set-name", "example.com/hello");
        image(dir, "copy", hello.toString(), "/bin/hello");
        image(dir, "set-exec", "--", "/bin/hello");
        image(dir, "port add", "www", "tcp", "5000");
        image(dir, "label add", "version", "0.0.1");
        image(dir, "label add", "arch", "amd64");
        image(dir, "label add", "os", "linux");
        image(dir, "annotation add", "authors", "Carly Container <carly@example.com>");
        return dir;
    }

    static String digestOf(String out, Path file) {
        Matcher m = WROTE.matcher(out);
        assertTrue(m.find() && m.group(1).equals(file.toString()), out);
        return m.group(2);
    }

    @Test
    void theTalksExampleBecomesAnOciArchiveAndAnAciThatRunAndAnswerHello() throws Exception {
        Path work = talksSteps("talk");
        Path aci = tmp.resolve("hello-0.0.1-linux-amd64.aci");
        Path oci = tmp.resolve("hello-0.0.1-linux-amd64.oci.tar");
        String aciDigest = digestOf(image(work, "write", aci.toString()).out(), aci);
        String ociDigest = digestOf(image(work, "write", "--format", "oci", oci.toString()).out(), oci);
        image(work, "end");
        assertFalse(Files.exists(work), "end removes the working directory");

        // skopeo reads the OCI archive; umoci unpacks the binary, byte for byte.
        JsonNode inspect = JSON.readTree(sh("skopeo inspect oci-archive:" + oci));
        assertEquals("0.0.1", inspect.path("Labels").path("version").asText(), inspect.toString());
        assertEquals(1, inspect.path("Layers").size(), inspect.toString());
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        sh("tar -xf " + oci + " -C " + layout + " && umoci unpack --image " + layout + ":0.0.1 " + tmp.resolve("bundle"));
        Path aciTree = Files.createDirectories(tmp.resolve("aci-tree"));
        sh("tar -xzf " + aci + " -C " + aciTree);
        assertArrayEquals(Files.readAllBytes(hello), Files.readAllBytes(tmp.resolve("bundle/rootfs/bin/hello")));
        assertEquals(sh("cd " + tmp.resolve("bundle/rootfs") + " && find . | sort"),
                sh("cd " + aciTree.resolve("rootfs") + " && find . | sort"), "umoci's tree is the ACI's rootfs");
        assertArrayEquals(Files.readAllBytes(hello), Files.readAllBytes(aciTree.resolve("rootfs/bin/hello")));

        // The ACI's manifest has the appc schema's fields.
        JsonNode manifest = JSON.readTree(aciTree.resolve("manifest").toFile());
        assertEquals("ImageManifest", manifest.path("acKind").asText());
        assertEquals("example.com/hello", manifest.path("name").asText());
        assertEquals("[{\"name\":\"version\",\"value\":\"0.0.1\"},{\"name\":\"arch\",\"value\":\"amd64\"},"
                + "{\"name\":\"os\",\"value\":\"linux\"}]", manifest.path("labels").toString());
        assertEquals("[\"/bin/hello\"]", manifest.path("app").path("exec").toString());
        assertEquals("[{\"name\":\"www\",\"protocol\":\"tcp\",\"port\":5000}]",
                manifest.path("app").path("ports").toString());
        assertEquals("Carly Container <carly@example.com>", manifest.path("annotations").get(0).path("value").asText());

        // Writing the unchanged build again gives the same bytes.
        Path again = talksSteps("talk-again");
        assertEquals(aciDigest, digestOf(image(again, "write", aci.toString()).out(), aci));
        assertEquals(ociDigest, digestOf(image(again, "write", oci.toString()).out(), oci));
        image(again, "end");

        // Run from the file, unverified as rkt --insecure-options=image does, and ask it.
        String name = "hello" + ProcessHandle.current().pid();
        CompletableFuture<Jcontainer.Outcome> running = CompletableFuture.supplyAsync(() -> jc.run("run",
                "--insecure-options=image", "--name", name, "-p", PORT + ":" + PORT, aci.toString()));
        ContainerState state = null;
        try {
            state = awaitAnswer(running, name);
            assertEquals("hello\n", get());
            String ps = jc.ok("ps").out();
            assertTrue(ps.lines().anyMatch(l -> l.contains(name) && l.contains("example.com/hello:0.0.1")), ps);
        } finally {
            RealContainers.kill(running, state);
        }
        Jcontainer.Outcome ran = running.get(30, TimeUnit.SECONDS);
        assertTrue(ran.err().contains("jcontainer: warning: running '" + aci + "' unverified (--insecure-options=image)"),
                ran.err());
        jc.run("rm", name);

        // The OCI archive is imported under the name it carries.
        assertTrue(jc.ok("import", oci.toString()).out().startsWith(
                "Imported example.com/hello:0.0.1 from an OCI layout archive: "));
    }

    /** Waits (up to 60 s) until the container runs and 127.0.0.1:PORT answers; its record. */
    static ContainerState awaitAnswer(CompletableFuture<Jcontainer.Outcome> running, String name) throws Exception {
        Path runtime = tmp.resolve("runtime");
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            if (running.isDone()) {
                fail("the container ended: " + running.get());
            }
            var state = ContainerState.read(runtime, name);
            if (state.isPresent()) {
                try {
                    get();
                    return state.get();
                } catch (IOException e) {
                    // not listening yet
                }
            }
            if (System.currentTimeMillis() > deadline) {
                fail("nothing answered on 127.0.0.1:" + PORT + " after 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** The body of {@code GET /} from 127.0.0.1:PORT. */
    static String get() throws IOException {
        try (Socket s = new Socket("127.0.0.1", PORT)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            int body = reply.indexOf("\r\n\r\n");
            if (body < 0) {
                throw new IOException("no HTTP reply: '" + reply + "'");
            }
            return reply.substring(body + 4);
        }
    }

    @Test
    void theExampleMakefileRunTwiceTakesEveryStepFromTheCacheAndWritesTheSameBytes() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("make"));
        Files.copy(EXAMPLE.resolve("Makefile"), dir.resolve("Makefile"));
        Files.copy(EXAMPLE.resolve("hello.c"), dir.resolve("hello.c"));
        Path wrapper = dir.resolve("jcontainer");
        Files.writeString(wrapper, "#!/bin/sh\nJCONTAINER_ROOT='" + tmp.resolve("make-store") + "' exec '"
                + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '" + System.getProperty("java.class.path")
                + "' io.jcontainer.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        String first = sh("cd " + dir + " && make JCONTAINER=" + wrapper + " 2>&1");
        assertFalse(first.contains("Using cache"), first);
        // The binary is touched, not changed, and the images are gone: make runs every step again.
        sh("cd " + dir + " && touch hello && rm hello-0.0.1-linux-amd64.aci hello-0.0.1-linux-amd64.oci.tar");
        String second = sh("cd " + dir + " && make JCONTAINER=" + wrapper + " 2>&1");

        assertTrue(second.contains(" ---> Using cache"), second);
        assertFalse(second.contains("gcc"), second);
        assertEquals(wrote(first), wrote(second));
        assertEquals(2, wrote(second).size(), second);
        assertFalse(Files.exists(dir.resolve(".jcontainer-build")), "the recipe ends its build");
    }

    static List<String> wrote(String out) {
        List<String> lines = new ArrayList<>();
        out.lines().filter(l -> l.startsWith("Wrote ")).forEach(lines::add);
        return lines;
    }

    @Test
    void runRunsTheCommandInAContainerOnTheBuildAndItsChangesAreALayer() throws Exception {
        Path work = tmp.resolve("run-work");
        image(work, "begin", "demo:1");
        image(work, "set-env", "GREETING=hi");
        image(work, "run", "--", "mkdir", "/srv");
        image(work, "set-working-dir", "/srv");
        var run = image(work, "run", "--", "sh", "-c", "echo \"$GREETING from $(pwd)\" > made");
        assertTrue(run.out().contains("Running in"), run.out());
        image(work, "set-exec", "--", "/bin/cat", "/srv/made");
        image(work, "write", "--to-store", "demo:made");
        image(work, "end");

        assertEquals("hi from /srv\n", jc.ok("run", "--rm", "demo:made").out());
        assertEquals(3, new ImageStore(tmp.resolve("store")).inspect(ImageReference.parse("demo:made")).manifest().layers().size(), "the base and two runs");
    }

    @Test
    void anAciOfSeveralLayersHoldsTheirMergedTree() throws Exception {
        Path work = tmp.resolve("layers-work");
        Path dir = Files.createDirectories(tmp.resolve("ctx/tools"));
        Files.writeString(dir.resolve("inner.txt"), "inner\n");
        image(work, "begin", "demo:1");
        image(work, "run", "--", "rm", "/etc/group");
        image(work, "copy-to-dir", hello.toString(), dir.toString(), "/opt");
        image(work, "set-name", "example.com/layers");
        Path aci = tmp.resolve("layers.aci");
        image(work, "write", aci.toString());
        image(work, "end");

        List<String> names = sh("tar -tzf " + aci).lines().toList();
        assertTrue(names.contains("rootfs/bin/busybox"), "the base's files");
        assertTrue(names.contains("rootfs/opt/hello") && names.contains("rootfs/opt/tools/inner.txt"), names.toString());
        assertTrue(names.contains("rootfs/etc/passwd"), names.toString());
        assertFalse(names.contains("rootfs/etc/group"), "the run's removal is applied, not carried as a whiteout");
        assertFalse(names.stream().anyMatch(n -> n.contains(".wh.")), names.toString());
    }

    /** The bad inputs of the issue: one line, exit 125, the working build byte for byte as it was. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "copy of a missing file | copy /no/such/file /x | Failed to copy '/no/such/file': no such file or directory",
        "a failing run          | run -- sh -c 'exit 3' | Failed to run sh -c exit 3: exit status 3",
        "an invalid name        | set-name Example.com/Hello! | Invalid image name 'Example.com/Hello!'",
        "an invalid port        | port add www tcp 70000 | Invalid port '70000'",
        "an invalid protocol    | port add www sctp 5000 | Invalid port protocol 'sctp'",
        "an invalid env         | set-env 1A=b | Malformed set-env '1A=b'"})
    void aBadStepIsOneLineAndChangesNothing(String what, String step, String expected) throws Exception {
        Path work = tmp.resolve("bad-" + what.replace(' ', '-'));
        image(work, "begin", "demo:1");
        image(work, "copy", hello.toString(), "/bin/hello");
        byte[] before = Files.readAllBytes(work.resolve(WorkingBuild.STATE_FILE));
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(step);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        String verb = words.get(0).equals("port") ? "port add" : words.get(0);
        List<String> rest = words.subList(verb.equals("port add") ? 2 : 1, words.size());

        var outcome = jc.run(imageArgs(work, verb, rest.toArray(String[]::new)));

        assertEquals(125, outcome.status(), outcome.err());
        String line = outcome.err().lines().filter(l -> l.startsWith("jcontainer: ")).findFirst().orElse("");
        assertTrue(line.startsWith("jcontainer: " + expected), outcome.err());
        assertEquals(1, outcome.err().lines().filter(l -> l.startsWith("jcontainer: ")).count(), outcome.err());
        assertArrayEquals(before, Files.readAllBytes(work.resolve(WorkingBuild.STATE_FILE)), "the build is unchanged");
        image(work, "end");
    }

    @Test
    void writeWithNoBeginIsOneLine() {
        Path work = tmp.resolve("never-begun");

        var outcome = jc.run(imageArgs(work, "write", tmp.resolve("never.tar").toString()));

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: No image build in '" + work + "': run 'jcontainer image begin' first.",
                outcome.errLine());
        assertFalse(Files.exists(work));
        assertFalse(Files.exists(tmp.resolve("never.tar")));
    }
}
