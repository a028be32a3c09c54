package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Helpers for the registry tests (the image package's TestSupport is package-private): real tools, and
 * root-needing tests that skip locally with a reason but fail under {@code CI=true} (as jnspawn's RootSupport).
 */
final class RegistryTestSupport {
    private RegistryTestSupport() {
    }

    static void requireRoot(String why) {
        boolean root = "root".equals(System.getProperty("user.name")) || isRootUid();
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: it needs root (" + why + ")");
        }
        assumeTrue(root, "skipped: needs root (" + why + ")");
    }

    static void requireCommand(String command) {
        boolean present = Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but '" + command + "' is missing: scripts/setup-deps installs it");
        }
        assumeTrue(present, "skipped: '" + command + "' is not installed (scripts/setup-deps)");
    }

    private static boolean isRootUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Runs a command, failing the test on a non-zero exit; returns stdout. */
    static String sh(Path cwd, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Path err = Files.createTempFile("registry-test", ".err");
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + List.of(command));
        }
        String stderr = Files.readString(err);
        Files.delete(err);
        if (p.exitValue() != 0) {
            fail(List.of(command) + " exited " + p.exitValue() + ": " + stderr + out);
        }
        return out;
    }

    static String script(Path cwd, String script) throws IOException, InterruptedException {
        return sh(cwd, "sh", "-euc", script);
    }

    /** A listing of a tree (path, type, mode, owner, size, link target), from GNU find; directory sizes left out. */
    static List<String> tree(Path dir) throws IOException, InterruptedException {
        String out = sh(dir, "find", ".", "-printf", "%p %y %#m %U:%G %s %l\\n");
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ");
            if (f[1].equals("d")) {
                f[4] = "-";
            }
            lines.add(String.join(" ", f));
        }
        Collections.sort(lines);
        return lines;
    }

    /** Every path under the store's blobs/, layers/ and refs/ (to prove a failure left nothing behind). */
    static List<String> storeSnapshot(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (String sub : List.of("blobs", "layers", "refs")) {
            Path d = root.resolve(sub);
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.map(p -> root.relativize(p).toString()).forEach(out::add);
                }
            }
        }
        Collections.sort(out);
        return out;
    }
}
