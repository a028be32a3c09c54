package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code commit} and {@code build} end to end, as root: real jnspawn containers on real overlayfs over the demo root
 * (imported as {@code demo:1}), the committed and built images run again to see what they hold.
 */
@Tag("root")
class CommitBuildTest {
    static final Path REPO = RunForegroundTest.REPO;

    @TempDir
    static Path tmp;
    static Jcontainer jc;

    @BeforeAll
    static void importTheDemoRoot() throws Exception {
        useTheTestLauncher(tmp);
        Path root = tmp.resolve("demo-root");
        sh(REPO.resolve("scripts/make-demo-root") + " " + root);
        jc = new Jcontainer(tmp);
        jc.ok("import", root.toString(), "--name", "demo:1");
    }

    /**
     * Skips unless root on a host without systemd, then makes {@code run} use a jnspawn launcher in {@code dir} on this
     * test's class path (cleared by {@link #forgetTheLauncher}).
     */
    static void useTheTestLauncher(Path dir) throws IOException {
        RunForegroundTest.requireRoot();
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path exec = REPO.resolve("jnspawn/target/native/jcontainer-exec");
        if (!Files.isExecutable(exec)) {
            fail("'" + exec + "' is missing: build the jnspawn module first");
        }
        Path launcher = dir.resolve("jnspawn");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' $JCONTAINER_JAVA_OPTS -cp '" + System.getProperty("java.class.path") + "' -Djcontainer.exec='"
                + exec + "' io.jcontainer.jnspawn.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
    }

    @AfterAll
    static void forgetTheLauncher() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    static String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("'" + script + "' failed: " + output);
        }
        return output;
    }

    static Image image(String name) throws Exception {
        return new ImageStore(tmp.resolve("store")).inspect(ImageReference.parse(name));
    }

    static long blobCount() throws IOException {
        return blobCount(tmp.resolve("store"));
    }

    static long blobCount(Path store) throws IOException {
        try (Stream<Path> s = Files.list(store.resolve("blobs/sha256"))) {
            return s.count();
        }
    }

    // ---------------------------------------------------------------- commit

    @Test
    void aCommittedImageHasExactlyTheContainersChanges() throws Exception {
        jc.ok("run", "--name", "changed", "demo:1", "sh", "-c", String.join(" && ",
                "echo new > /new.txt",
                "echo modified >> /etc/os-release",
                "rm /etc/group",
                "rm -rf /usr/local/bin && mkdir /usr/local/bin && echo mine > /usr/local/bin/mine",
                "ln -s /new.txt /link"));
        Path upper = tmp.resolve("store/containers/changed/upper");
        sh("printf x > " + upper + "/capable && setcap cap_net_raw+ep " + upper + "/capable");

        String digest = jc.ok("commit", "-c", "ENV COMMITTED=yes", "-c", "CMD [\"cat\", \"/new.txt\"]", "-m", "test",
                "changed", "demo:committed").out().strip();

        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
        Image committed = image("demo:committed");
        assertEquals(2, committed.manifest().layers().size());
        String layer = sh("tar -tzf " + tmp.resolve("store/blobs/sha256").resolve(
                committed.manifest().layers().get(1).digest().hex()));
        assertEquals(List.of("capable", "etc/", "etc/.wh.group", "etc/os-release", "link", "new.txt", "usr/",
                "usr/local/", "usr/local/bin/", "usr/local/bin/.wh..wh..opq", "usr/local/bin/mine"),
                layer.lines().toList(), layer);
        var seen = jc.ok("run", "--rm", "demo:committed", "sh", "-c", String.join("; ",
                "cat /new.txt", "tail -n 1 /etc/os-release", "test -e /etc/group && echo group || echo no-group",
                "ls /usr/local/bin", "readlink /link", "echo $COMMITTED", "test -e /etc/passwd && echo passwd"));
        assertEquals("new\nmodified\nno-group\nmine\n/new.txt\nyes\npasswd\n", seen.out(), seen.err());
        assertEquals("new\n", jc.ok("run", "--rm", "demo:committed").out());
        // the base is untouched
        assertEquals("group\n", jc.ok("run", "--rm", "demo:1", "sh", "-c", "test -e /etc/group && echo group").out());
    }

    @Test
    void aCapabilitySurvivesCommit() throws Exception {
        jc.ok("run", "--name", "capable", "demo:1", "true");
        Path upper = tmp.resolve("store/containers/capable/upper");
        sh("printf x > " + upper + "/ping && setcap cap_net_raw+ep " + upper + "/ping");

        jc.ok("commit", "capable", "demo:capable");
        Image image = image("demo:capable");
        List<Path> lowers = new ImageStore(tmp.resolve("store")).lowerDirs(image); // unpacks the new layer
        String caps = sh("getcap " + lowers.get(0).resolve("ping"));

        assertTrue(caps.contains("cap_net_raw=ep"), caps);
    }

    @Test
    void committingAnUnknownContainerIsOneLine() {
        var outcome = jc.run("commit", "no-such-container", "demo:x");

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().contains("No such container"), outcome.err());
    }

    // ---------------------------------------------------------------- build

    static Path context(String dockerfile) throws Exception {
        Path ctx = Files.createTempDirectory(tmp, "ctx");
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ctx;
    }

    static final String EVERY_INSTRUCTION = String.join("\n",
            "# every instruction of the subset",
            "ARG BASE=demo:1",
            "FROM ${BASE}",
            "ARG GREETING=hello",
            "ENV APP_HOME=/srv/app \\",
            "    MODE=\"test mode\"",
            "LABEL org.example.name=\"demo app\" version=1",
            "WORKDIR $APP_HOME",
            "COPY hello.* ./",
            "COPY dir/ sub/",
            "ADD files.tar.gz /opt/",
            "RUN echo \"$GREETING from $(pwd)\" > made.txt && \\",
            "    # a comment inside a continuation",
            "    chown 1234 made.txt",
            "USER 1234",
            "EXPOSE 8080 53/udp",
            "STOPSIGNAL SIGINT",
            "HEALTHCHECK --interval=5s --retries=2 CMD test -f made.txt",
            "ENTRYPOINT [\"/bin/sh\", \"-c\"]",
            "CMD [\"echo ran; id -u; pwd; cat made.txt hello.txt sub/inner.txt /opt/packed.txt; echo $MODE\"]",
            "");

    static Path everyInstructionContext() throws Exception {
        Path ctx = context(EVERY_INSTRUCTION);
        Files.writeString(ctx.resolve("hello.txt"), "hello file\n");
        Files.createDirectories(ctx.resolve("dir"));
        Files.writeString(ctx.resolve("dir/inner.txt"), "inner file\n");
        Files.createDirectories(ctx.resolve("packed"));
        Files.writeString(ctx.resolve("packed/packed.txt"), "from the archive\n");
        sh("tar -czf " + ctx.resolve("files.tar.gz") + " -C " + ctx.resolve("packed") + " packed.txt");
        return ctx;
    }

    @Test
    void aBuiltImageRunsWithItsConfigAndFiles() throws Exception {
        Path ctx = everyInstructionContext();

        var build = jc.ok("build", "-t", "demo:built", "--build-arg", "GREETING=hi", ctx.toString());

        assertTrue(build.out().contains("Successfully tagged"), build.out());
        var run = jc.ok("run", "--rm", "demo:built");
        assertEquals("ran\n1234\n/srv/app\nhi from /srv/app\nhello file\ninner file\nfrom the archive\ntest mode\n",
                run.out(), run.err());
        ImageConfig.Defaults d = image("demo:built").defaults();
        assertEquals(List.of("53/udp", "8080/tcp"), d.exposedPorts());
        assertEquals(Map.of("org.example.name", "demo app", "version", "1"), d.labels());
        assertEquals("SIGINT", d.stopSignal());
        assertEquals(new ImageConfig.Healthcheck(List.of("CMD-SHELL", "test -f made.txt"), 5_000_000_000L, 0, 0, 2),
                d.healthcheck());
        assertEquals("1234", d.user());
        assertEquals("/srv/app", d.workingDir());
        assertTrue(d.env().contains("MODE=test mode"), d.env().toString());
        // layers: the demo root, WORKDIR, COPY, COPY, ADD, RUN; the RUN layer holds what the command changed, no more
        Image built = image("demo:built");
        assertEquals(6, built.manifest().layers().size());
        String runLayer = sh("tar -tzvf " + tmp.resolve("store/blobs/sha256").resolve(built.manifest().layers().get(5).digest().hex()));
        assertEquals(List.of("srv/", "srv/app/", "srv/app/made.txt"), runLayer.lines().map(l -> l.substring(l.lastIndexOf(" ") + 1)).toList(), runLayer);
        assertTrue(runLayer.contains("1234/0"), runLayer);
    }

    @Test
    void aRebuildTakesEveryStepFromTheCacheAndWritesNoBlob() throws Exception {
        Path ctx = everyInstructionContext();
        jc.ok("build", "-t", "demo:cached", ctx.toString());
        long blobs = blobCount();
        String first = image("demo:cached").manifestDigest().toString();

        var again = jc.ok("build", "-t", "demo:cached", ctx.toString());

        long steps = EVERY_INSTRUCTION.lines().filter(l -> l.matches("[A-Z]+ .*") && !l.startsWith("ARG ")
                && !l.startsWith("FROM ")).count();
        assertEquals(steps, again.out().lines().filter(l -> l.equals(" ---> Using cache")).count(), again.out());
        assertTrue(again.out().contains("(0 steps run, " + steps + " from the cache)"), again.out());
        assertEquals(blobs, blobCount());
        assertEquals(first, image("demo:cached").manifestDigest().toString());
    }

    @Test
    void changingACopiedFileRebuildsFromThatStep() throws Exception {
        Path ctx = everyInstructionContext();
        jc.ok("build", "-t", "demo:changed", ctx.toString());
        Files.writeString(ctx.resolve("dir/inner.txt"), "changed inner\n");

        var again = jc.ok("build", "-t", "demo:changed", ctx.toString());

        List<String> lines = again.out().lines().toList();
        int copyDir = lines.indexOf("Step 8/16 : COPY dir/ sub/");
        assertTrue(copyDir > 0, again.out());
        assertEquals(4, lines.subList(0, copyDir).stream().filter(l -> l.equals(" ---> Using cache")).count(), again.out());
        assertFalse(lines.subList(copyDir, lines.size()).contains(" ---> Using cache"), again.out());
        assertTrue(jc.ok("run", "--rm", "demo:changed").out().contains("changed inner\n"));
    }

    @Test
    void aFailedRunGivesItsStatusAndTagsNothing() throws Exception {
        Path ctx = context("FROM demo:1\nRUN echo partial > /x\nRUN exit 7\n");

        var outcome = jc.run("build", "-t", "demo:failed", ctx.toString());

        assertEquals(7, outcome.status(), outcome.err());
        assertTrue(outcome.errLine().contains("Dockerfile:3: RUN exit 7: returned exit code 7"), outcome.err());
        assertEquals(125, jc.run("inspect", "demo:failed").status());
    }

    @Test
    void anUnknownBaseImageIsFileLine() throws Exception {
        Path ctx = context("FROM demo:1\nENV A=1\nFROM x\n".replace("FROM x\n", ""));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM no-such-image:1\n");

        var outcome = jc.run("build", "-t", "demo:nobase", ctx.toString());

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().contains("Dockerfile:1: No such image 'no-such-image:1'"), outcome.err());
    }
}
