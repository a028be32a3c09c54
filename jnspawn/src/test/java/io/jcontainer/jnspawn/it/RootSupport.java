package io.jcontainer.jnspawn.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jcontainer.jnspawn.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Support for the root integration tests: real namespaces, overlayfs and the real exec stage.
 *
 * <p>Locally, without root, they skip with a visible reason; under {@code CI=true} they fail.
 * jnspawn runs as a separate JVM, as a user runs it, so exit codes and signals are real.
 */
final class RootSupport {
    static final Path REPO = Path.of(System.getProperty("jcontainer.repo", "..")).toAbsolutePath().normalize();
    static final Path EXEC_STAGE = Path.of(System.getProperty("jcontainer.exec", "target/native/jcontainer-exec")).toAbsolutePath();

    private RootSupport() {
    }

    static void requireRoot() {
        boolean root = isRoot();
        String why = "needs root (real namespaces, mounts and cgroups)";
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: it " + why);
        }
        assumeTrue(root, "skipped: " + why);
    }

    static void requireCommand(String command) {
        boolean present = Files.isExecutable(Path.of("/usr/bin", command)) || Files.isExecutable(Path.of("/bin", command));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but '" + command + "' is missing: scripts/setup-deps installs it");
        }
        assumeTrue(present, "skipped: '" + command + "' is not installed (scripts/setup-deps)");
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    /** A fresh busybox root made by the project's own script (the demo root). */
    static Path demoRoot(Path parent, String name) throws IOException, InterruptedException {
        Path dir = parent.resolve(name);
        Result r = exec(List.of(REPO.resolve("scripts/make-demo-root").toString(), dir.toString()), 120);
        if (r.exit() != 0) {
            fail("make-demo-root failed: " + r.stderr());
        }
        return dir;
    }

    /** Builds the escape test program statically into the root's /usr/local/bin. */
    static void installEscapeProgram(Path root) throws IOException, InterruptedException {
        Path source = REPO.resolve("jnspawn/src/test/c/escape.c");
        Result r = exec(List.of("gcc", "-static", "-O2", "-o", root.resolve("usr/local/bin/escape").toString(),
                source.toString()), 120);
        if (r.exit() != 0) {
            fail("gcc escape.c failed: " + r.stderr());
        }
    }

    /**
     * A container file's default Network=private must not touch the host's real jcontainer0,
     * its nft table or net.ipv4.ip_forward: every jnspawn of these tests gets a bridge, subnet
     * and table of its own (ContainerNetworkTest sets its own).
     */
    static final Path TEST_NETWORK_CONF = testNetworkConf();

    private static Path testNetworkConf() {
        long id = ProcessHandle.current().pid() % 200 + 20;
        try {
            Path f = Files.createTempFile("jnspawn-test-network", ".conf");
            f.toFile().deleteOnExit();
            // What stays of a bridge after its last container: the lease directory and its lock file.
            Path leases = Path.of("/run/jcontainer/net/jcti" + id);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                leases.resolve(".lock").toFile().delete();
                leases.toFile().delete();
                leases.getParent().toFile().delete(); // only if empty
            }));
            return Files.writeString(f, "[Network]\nBridge=jcti" + id + "\nSubnet=10.254." + id + ".0/24\nTable=jcontainer_it"
                    + id + "\nIPForward=no\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> jnspawnCommand(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djcontainer.exec=" + EXEC_STAGE);
        cmd.add("-Djcontainer.network.conf=" + TEST_NETWORK_CONF);
        String search = System.getProperty("jcontainer.test.search.path");
        if (search != null) {
            cmd.add("-Djcontainer.search.path=" + search);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("jcontainer.classpath", classesDir().toString()));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    static Path classesDir() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs jnspawn to completion (stdin empty) and returns what it printed. */
    static Result jnspawn(String... args) throws IOException, InterruptedException {
        return exec(jnspawnCommand(List.of(args)), 60);
    }

    /** Runs jnspawn with a container file search path. */
    static Result jnspawnWithSearchPath(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = jnspawnCommand(List.of(args));
        cmd.add(1, "-Djcontainer.search.path=" + dir);
        return exec(cmd, 60);
    }

    /** Starts jnspawn in the background; its output goes to files, read with {@link Running#out()}. */
    static Running start(String... args) throws IOException {
        return Running.start(jnspawnCommand(List.of(args)));
    }

    record Result(int exit, String stdout, String stderr) {
        List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }
    }

    static Result exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Running r = Running.start(cmd);
        if (!r.process().waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            r.process().destroyForcibly();
            fail("timed out after " + timeoutSeconds + " s: " + cmd + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        }
        return new Result(r.process().exitValue(), r.out(), r.err());
    }

    /**
     * A process whose stdout and stderr go to files. Files, not pipes: the JDK drains a pipe into
     * a buffer when the process exits, and a reader blocked on it at that moment loses the end.
     */
    record Running(Process process, Path stdout, Path stderr) {
        static Running start(List<String> cmd) throws IOException {
            Path out = Files.createTempFile("jnspawn-test", ".out");
            Path err = Files.createTempFile("jnspawn-test", ".err");
            out.toFile().deleteOnExit();
            err.toFile().deleteOnExit();
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Running(p, out, err);
        }

        String out() throws IOException {
            return Files.readString(stdout);
        }

        String err() throws IOException {
            return Files.readString(stderr);
        }

        /** Waits until stdout contains {@code text}; fails after 20 s or if the process ends first. */
        void awaitOutput(String text) throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + 20_000;
            while (!out().contains(text) && System.currentTimeMillis() < deadline && process.isAlive()) {
                Thread.sleep(5);
            }
            if (!out().contains(text)) {
                fail("never printed '" + text + "': " + out() + "\nstderr: " + err());
            }
        }
    }

    /** The host's mount table, without the mount ids that differ between reads of the same mounts. */
    static List<String> hostMounts() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            out.add(String.join(" ", java.util.Arrays.copyOfRange(f, 2, f.length)));
        }
        java.util.Collections.sort(out);
        return out;
    }
}
