package io.jcontainer.generator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator as systemd runs it: directories in, a tree of drop-ins and links out. */
class GeneratorMainTest {

    static final Path TREES = Path.of(System.getProperty("jcontainer.generator.trees", "src/test/resources/trees"));
    static final String GOOD = "[Container]\nDirectory=/srv/x\n[Install]\nWantedBy=machines.target\n";

    @TempDir
    Path tmp;

    /** Copies a tree's etc/ and run/ into tmp, returning the search dirs (run first). */
    List<Path> input(String tree) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String dir : new String[] {"run", "etc"}) {
            Path from = TREES.resolve(tree).resolve(dir);
            Path to = Files.createDirectories(tmp.resolve(dir));
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.list(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
            dirs.add(to);
        }
        return dirs;
    }

    String rendered(Path out) throws IOException {
        return Trees.render(out).replace(tmp.toString(), "${ROOT}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two-containers", "run-wins"})
    void writesExactlyTheExpectedTree(String tree) throws IOException {
        List<Path> dirs = input(tree);
        Path out = tmp.resolve("generator");
        GeneratorRun run = GeneratorRun.run(dirs, null, out.toString(), tmp.resolve("early").toString(),
                tmp.resolve("late").toString());
        assertEquals(0, run.status(), run.toString());
        assertEquals(Files.readString(TREES.resolve(tree).resolve("expected.txt")), rendered(out));
        assertFalse(Files.exists(tmp.resolve("early")), "wrote into the early directory");
        assertFalse(Files.exists(tmp.resolve("late")), "wrote into the late directory");
    }

    @Test
    void runWinsOverEtcByName() throws IOException {
        List<Path> dirs = input("run-wins");
        Path out = tmp.resolve("generator");
        assertEquals(0, GeneratorRun.run(dirs, null, out.toString()).status());
        String dropIn = Files.readString(out.resolve("jcontainer@web.service.d/50-container.conf"));
        assertTrue(dropIn.contains("SourcePath=" + dirs.get(0).resolve("web.container")), dropIn);
        assertFalse(dropIn.contains("MemoryMax"), dropIn);
        assertFalse(Files.exists(out.resolve("multi-user.target.wants")), "the shadowed file's [Install] applied");
        assertTrue(Files.exists(out.resolve("jcontainer@cache.service.d/50-container.conf")));
    }

    @Test
    void aCorruptImageConfigSkipsOnlyTheFilesUsingThatImage(@TempDir Path etc) throws Exception {
        Path store = tmp.resolve("store");
        TestStore.addImage(store, "good:1", TestStore.config("{\"StopSignal\":\"SIGINT\"}"));
        TestStore.addImage(store, "bad:1", "[1, 2]");
        Files.writeString(etc.resolve("a.container"), "[Container]\nImage=good:1\n");
        Files.writeString(etc.resolve("b.container"), "[Container]\nImage=bad:1\n");
        Files.writeString(etc.resolve("c.container"), "[Container]\nImage=good:1\n");
        Files.writeString(etc.resolve("d.container"), "[Container]\nImage=bad:1\n");
        Path out = tmp.resolve("generator");
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, store, out.toString());

        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        for (String name : new String[] {"a", "c"}) {
            String dropIn = Files.readString(out.resolve("jcontainer@" + name + ".service.d/50-container.conf"));
            assertTrue(dropIn.contains("KillSignal=SIGINT\n"), dropIn);
        }
        assertFalse(Files.exists(out.resolve("jcontainer@b.service.d")));
        assertFalse(Files.exists(out.resolve("jcontainer@d.service.d")));
        // One line per file that uses the image, naming the file, its line and the blob.
        String[] lines = run.stderr().split("\n");
        assertEquals(2, lines.length, run.stderr());
        assertTrue(lines[0].startsWith(etc.resolve("b.container") + ":2: Image=bad:1: corrupt config "
                + store.resolve("blobs/sha256/")), lines[0]);
        assertTrue(lines[0].endsWith(": not a JSON object"), lines[0]);
        assertTrue(lines[1].startsWith(etc.resolve("d.container") + ":2: Image=bad:1: corrupt config "), lines[1]);
    }

    @Test
    void aStoreWithoutTheImageOrNoStoreAtAllIsNotAnError(@TempDir Path etc) throws Exception {
        Files.writeString(etc.resolve("a.container"), "[Container]\nImage=absent:1\n");
        Path store = tmp.resolve("store");
        Path out = tmp.resolve("generator");
        // No store directory at all (/var not mounted), then an empty store.
        assertEquals(0, GeneratorRun.run(List.of(etc), null, store, out.toString()).status());
        assertFalse(Files.exists(store), "the generator created the store");
        TestStore.addImage(store, "other:1", TestStore.config("{\"StopSignal\":\"SIGINT\"}"));
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, store, out.toString());
        assertEquals(0, run.status(), run.toString());
        assertEquals("", run.stderr());
        assertTrue(Files.readString(out.resolve("jcontainer@a.service.d/50-container.conf")).contains("KillSignal=SIGTERM\n"));
    }

    @Test
    void oneBrokenFileIsSkippedAndTheOthersAreGenerated(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("a.container"), GOOD);
        Files.writeString(etc.resolve("b.container"), "[Container]\nDirectory=/srv/b\nNetwork=bridge\n");
        Files.writeString(etc.resolve("c.container"), GOOD);
        Path kmsg = Files.createFile(tmp.resolve("kmsg"));
        Path out = tmp.resolve("generator");

        GeneratorRun run = GeneratorRun.run(List.of(etc), kmsg, out.toString());

        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertTrue(Files.exists(out.resolve("jcontainer@a.service.d/50-container.conf")));
        assertTrue(Files.exists(out.resolve("jcontainer@c.service.d/50-container.conf")));
        assertTrue(Files.isSymbolicLink(out.resolve("machines.target.wants/jcontainer@c.service")));
        assertFalse(Files.exists(out.resolve("jcontainer@b.service.d")));
        String line = etc.resolve("b.container") + ":3: Invalid network 'bridge' for key 'Network'";
        // One line on stderr, and the same line in the kernel log at level err with our name.
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith(line), run.stderr());
        String logged = Files.readString(kmsg);
        assertTrue(logged.startsWith("<3>jcontainer-generator[" + ProcessHandle.current().pid() + "]: " + line), logged);
        assertTrue(logged.endsWith("\n") && logged.lines().count() == 1, logged);
    }

    /**
     * Enough files for the second thread ({@link GeneratorMain#PARALLEL_MIN_FILES}): every good
     * file generated, and the reports (on stderr and in the kernel log) and the dry-run text in
     * file-name order, as one thread gives them, whichever thread handled which file.
     */
    @Test
    void manyFilesGiveReportsAndDryRunTextInFileOrder(@TempDir Path etc) throws IOException {
        int count = 3 * GeneratorMain.PARALLEL_MIN_FILES;
        List<String> expectedErrors = new ArrayList<>();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("c%03d", i);
            Path file = etc.resolve(name + ".container");
            if (i % 7 == 3) {
                Files.writeString(file, "[Container]\nDirectory=/srv/" + name + "\nNetwork=bridge\n");
                expectedErrors.add(file + ":3: Invalid network 'bridge' for key 'Network': expected private, host or none");
            } else if (i % 11 == 5) {
                Files.writeString(file, "[Container]\nDirectory=/srv/" + name + "\n[Install]\nWantedBy=nope\n");
                expectedErrors.add(file + ":4: Invalid unit name 'nope' for key 'WantedBy': expected NAME.TYPE with TYPE "
                        + "one of service, socket, target, device, mount, automount, swap, timer, path, slice, scope");
            } else {
                Files.writeString(file, "[Container]\nDirectory=/srv/" + name + "\n[Install]\nWantedBy=machines.target\n");
                good.add(name);
            }
        }
        Path kmsg = Files.createFile(tmp.resolve("kmsg"));
        Path out = tmp.resolve("generator");

        GeneratorRun run = GeneratorRun.run(List.of(etc), kmsg, out.toString());

        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertEquals(expectedErrors, run.stderr().lines().toList());
        List<String> logged = new ArrayList<>();
        for (String line : Files.readAllLines(kmsg)) {
            logged.add(line.substring(line.indexOf("]: ") + 3));
        }
        assertEquals(expectedErrors, logged);
        try (Stream<Path> made = Files.list(out)) {
            assertEquals(good.size() + 1, made.count()); // the drop-in directories and machines.target.wants
        }
        for (String name : good) {
            String dropIn = Files.readString(out.resolve("jcontainer@" + name + ".service.d/50-container.conf"));
            assertTrue(dropIn.contains("SourcePath=" + etc.resolve(name + ".container") + "\nRequiresMountsFor=/srv/" + name + "\n"),
                    dropIn);
            assertEquals(Path.of(GeneratorMain.TEMPLATE_PATH),
                    Files.readSymbolicLink(out.resolve("machines.target.wants/jcontainer@" + name + ".service")));
        }

        GeneratorRun dryRun = GeneratorRun.run(List.of(etc), null, "--dry-run");
        assertEquals(expectedErrors, dryRun.stderr().lines().toList());
        List<String> described = new ArrayList<>();
        for (String line : dryRun.stdout().lines().toList()) {
            if (line.startsWith("---jcontainer@")) {
                described.add(line.substring("---jcontainer@".length(), line.indexOf(".service")));
            }
        }
        assertEquals(good, described);
    }

    @Test
    void unreadableFileIsReportedAndSkipped(@TempDir Path etc) throws IOException {
        Files.createDirectory(etc.resolve("dir.container"));
        Files.writeString(etc.resolve("good.container"), GOOD);
        Path out = tmp.resolve("generator");
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, out.toString());
        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertTrue(run.stderr().contains("Failed to read " + etc.resolve("dir.container")), run.stderr());
        assertTrue(Files.exists(out.resolve("jcontainer@good.service.d/50-container.conf")));
    }

    @Test
    void missingSearchDirectoriesAreNotAnError() {
        // /run/jcontainer does not exist until the first "jcontainer run", /etc/jcontainer may be absent.
        Path out = tmp.resolve("generator");
        GeneratorRun run = GeneratorRun.run(List.of(tmp.resolve("no-run"), tmp.resolve("no-etc")), null, out.toString());
        assertEquals(0, run.status(), run.toString());
        assertEquals("", run.stderr());
    }

    @Test
    void devNullSymlinkMasksAContainer(@TempDir Path etc) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(etc.resolve("web.container"), GOOD);
        Path mask = Files.createSymbolicLink(run.resolve("web.container"), Path.of("/dev/null"));
        Path out = tmp.resolve("generator");
        GeneratorRun r = GeneratorRun.run(List.of(run, etc), null, out.toString());
        Files.delete(mask); // before @TempDir cleanup, which warns about links leaving the directory
        assertEquals(0, r.status(), r.toString());
        assertFalse(Files.exists(out.resolve("jcontainer@web.service.d")));
        assertFalse(Files.exists(out.resolve("machines.target.wants")));
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("web.container"), GOOD);
        Path out = tmp.resolve("generator");
        // A stale output (and a stale temporary file of a crashed run with our pid) are replaced.
        Path dropIn = out.resolve("jcontainer@web.service.d/50-container.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, "stale");
        Files.writeString(dropIn.resolveSibling(".#50-container.conf." + ProcessHandle.current().pid()), "stale temp");
        Path link = out.resolve("machines.target.wants/jcontainer@web.service");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of("/elsewhere"));

        for (int i = 0; i < 2; i++) {
            GeneratorRun run = GeneratorRun.run(List.of(etc), null, out.toString());
            assertEquals(0, run.status(), run.toString());
        }

        assertTrue(Files.readString(dropIn).startsWith(ContainerUnitConverter.HEADER), Files.readString(dropIn));
        assertEquals(Path.of(GeneratorMain.TEMPLATE_PATH), Files.readSymbolicLink(link));
        try (Stream<Path> files = Files.walk(out)) {
            List<String> temps = new ArrayList<>();
            files.filter(p -> p.getFileName().toString().startsWith(GeneratorMain.TEMP_PREFIX))
                    .forEach(p -> temps.add(p.toString()));
            assertEquals(List.of(), temps);
        }
    }

    @Test
    void unwritableOutputFailsWithTheReason(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("web.container"), GOOD);
        Path out = Files.createFile(tmp.resolve("not-a-directory"));
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, out.toString());
        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertTrue(run.stderr().startsWith("Failed to write " + out.resolve("jcontainer@web.service.d/50-container.conf")),
                run.stderr());
    }

    @Test
    void aTemporaryFileThatCannotBeOpenedIsReportedWithTheReason(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("web.container"), GOOD);
        Path out = tmp.resolve("generator");
        Path dropIn = out.resolve("jcontainer@web.service.d/50-container.conf");
        // The temporary name taken by a directory with something in it: open(2) fails with EISDIR.
        Path temp = dropIn.resolveSibling(GeneratorMain.TEMP_PREFIX + "50-container.conf." + ProcessHandle.current().pid());
        Files.createDirectories(temp.resolve("x"));
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, out.toString());
        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertEquals("Failed to write " + dropIn + ": Is a directory\n", run.stderr());
        assertFalse(Files.exists(dropIn));
        assertTrue(Files.exists(temp.resolve("x")), "removed what was not its own");
    }

    @Test
    void dryRunPrintsInsteadOfWriting(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("web.container"), GOOD);
        Path out = tmp.resolve("generator");
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, "--dry-run", out.toString());
        assertEquals(0, run.status(), run.toString());
        assertFalse(Files.exists(out));
        assertEquals("---jcontainer@web.service.d/50-container.conf---\n"
                + ContainerUnitConverter.HEADER + "\n"
                + "[Unit]\n"
                + "SourcePath=" + etc.resolve("web.container") + "\n"
                + "RequiresMountsFor=/srv/x\n"
                + "\n"
                + "[Service]\n"
                + "KillSignal=SIGTERM\n"
                + "SuccessExitStatus=143\n"
                + "---machines.target.wants/jcontainer@web.service -> /usr/lib/systemd/system/jcontainer@.service---\n",
                run.stdout());
        // Without a directory too, as "jcontainer-generator --dry-run" by hand.
        assertEquals(run.stdout(), GeneratorRun.run(List.of(etc), null, "--dry-run").stdout());
    }

    @Test
    void dryRunReportsErrorsWithANonZeroExit(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("bad.container"), "[Container]\nBoot=maybe\n");
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, "--dry-run");
        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertTrue(run.stderr().startsWith(etc.resolve("bad.container") + ":2: "), run.stderr());
        assertEquals("", run.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "--frobnicate x"})
    void refusesBadArguments(String args) {
        String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
        GeneratorRun run = GeneratorRun.run(List.of(tmp), null, argv);
        assertEquals(GeneratorMain.EXIT_USAGE, run.status(), run.toString());
        assertTrue(run.stderr().contains("Usage: jcontainer-generator NORMAL_DIR"), run.stderr());
    }

    @Test
    void kmsgThatCannotBeWrittenLeavesStderr(@TempDir Path etc) throws IOException {
        Files.writeString(etc.resolve("bad.container"), "[Container]\nBoot=maybe\n");
        Path missing = tmp.resolve("no-kmsg");
        GeneratorRun run = GeneratorRun.run(List.of(etc), missing, tmp.resolve("out").toString());
        assertEquals(GeneratorMain.EXIT_FAILED, run.status());
        assertTrue(run.stderr().contains(":2: "), run.stderr());
        assertFalse(Files.exists(missing), "created a file in place of /dev/kmsg");
    }

    /** The real entry point in a fresh JVM: search path and kmsg from system properties, exit status. */
    @Test
    void mainTakesSearchDirsFromASystemProperty(@TempDir Path etc) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(etc.resolve("web.container"), GOOD);
        Files.writeString(run.resolve("web.container"), "[Container]\nDirectory=/srv/run\n");
        Files.writeString(etc.resolve("bad.container"), "[Container]\nBoot=maybe\n");
        Path kmsg = Files.createFile(tmp.resolve("kmsg"));
        Files.setPosixFilePermissions(kmsg, PosixFilePermissions.fromString("rw-------"));
        Path out = tmp.resolve("generator");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + GeneratorMain.SEARCH_PATH_PROPERTY + "=" + run + ":" + etc,
                "-D" + GeneratorMain.KMSG_PROPERTY + "=" + kmsg,
                GeneratorMain.class.getName(), out.toString(), tmp.resolve("e").toString(), tmp.resolve("l").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(GeneratorMain.EXIT_FAILED, p.exitValue(), stderr);
        assertEquals(etc.resolve("bad.container") + ":2: Invalid boolean 'maybe' for key 'Boot'",
                stderr.strip().replaceAll(": expected .*", ""));
        assertTrue(Files.readString(kmsg).contains("]: " + etc.resolve("bad.container") + ":2: "));
        assertTrue(Files.readString(out.resolve("jcontainer@web.service.d/50-container.conf"))
                .contains("SourcePath=" + run.resolve("web.container")));
    }
}
