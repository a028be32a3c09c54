package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Helpers for tests against real tools (umoci, skopeo, tar, setcap, getfattr).
 *
 * <p>Root-needing tests call {@link #requireRoot()}: locally they skip with a visible reason, under
 * {@code CI=true} they fail (as jnspawn's RootSupport).
 */
public final class TestSupport {
    private TestSupport() {
    }

    public static void requireRoot() {
        boolean root = isRoot();
        String why = "needs root (device nodes, trusted.* and security.* xattrs, chown)";
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: it " + why);
        }
        assumeTrue(root, "skipped: " + why);
    }

    public static void requireCommand(String command) {
        boolean present = Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but '" + command + "' is missing: scripts/setup-deps installs it");
        }
        assumeTrue(present, "skipped: '" + command + "' is not installed (scripts/setup-deps)");
    }

    public static boolean isRoot() {
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

    /** Runs a command, failing the test on a non-zero exit; returns stdout. */
    public static String sh(String... command) throws IOException, InterruptedException {
        return sh(null, command);
    }

    public static String sh(Path cwd, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Path err = Files.createTempFile("image-store-test", ".err");
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

    /** Runs {@code sh -c script} in {@code cwd}. */
    public static String script(Path cwd, String script) throws IOException, InterruptedException {
        return sh(cwd, "sh", "-euc", script);
    }

    /**
     * A listing of a tree for comparison: path, type, mode, uid:gid, size, symlink target, rdev, and mtime,
     * one line per entry, from GNU find (its own view, not the JDK's).
     */
    static List<String> tree(Path dir) throws IOException, InterruptedException {
        return tree(dir, true);
    }

    /** {@link #tree(Path)}, with or without the mtimes (a pulled layer keeps the tar's, an unpacked one too). */
    public static List<String> tree(Path dir, boolean mtimes) throws IOException, InterruptedException {
        String out = sh(dir, "find", ".", "-printf", mtimes ? "%p %y %#m %U:%G %s %l %T@\\n" : "%p %y %#m %U:%G %s %l\\n");
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ");
            // directory sizes depend on the file system's allocation, not on the layer
            if (f[1].equals("d")) {
                f[4] = "-";
            }
            lines.add(String.join(" ", f));
        }
        java.util.Collections.sort(lines);
        return lines;
    }

    /** Every xattr in a tree, as getfattr prints it in hex, by path. */
    static TreeMap<String, String> xattrs(Path dir) throws IOException, InterruptedException {
        String out = sh(dir, "getfattr", "-R", "-h", "-d", "-m", "-", "-e", "hex", ".");
        TreeMap<String, String> map = new TreeMap<>();
        String file = null;
        StringBuilder sb = new StringBuilder();
        for (String line : out.split("\n")) {
            if (line.startsWith("# file: ")) {
                if (file != null) {
                    map.put(file, sb.toString());
                }
                file = line.substring(8);
                sb.setLength(0);
            } else if (!line.isBlank() && !line.startsWith("security.selinux")) {
                sb.append(line).append('\n');
            }
        }
        if (file != null) {
            map.put(file, sb.toString());
        }
        return map;
    }

    static Path writeFile(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    /** Every path under {@code root}'s blobs/, layers/ and refs/ (to prove a failure left nothing behind). */
    public static List<String> storeSnapshot(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (String sub : List.of("blobs", "layers", "refs")) {
            Path d = root.resolve(sub);
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.map(p -> root.relativize(p).toString()).forEach(out::add);
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    /**
     * Builds, with umoci, the 3-layer busybox-static test image {@code img:t} in {@code dir/img}: a
     * setuid busybox, a whiteout (etc/gone) and an opaque dir (etc/opaque) in layer 2, and a config
     * with every default jcontainer reads.
     */
    public static Path busyboxLayout(Path dir) throws IOException, InterruptedException {
        script(dir, """
                umoci init --layout img && umoci new --image img:t
                mkdir -p l1/bin l1/etc/opaque && cp /bin/busybox l1/bin/busybox && ln -s busybox l1/bin/sh
                echo a > l1/etc/opaque/a; echo g > l1/etc/gone; echo k > l1/etc/kept; chmod 4755 l1/bin/busybox
                tar -C l1 --numeric-owner -cf l1.tar . && umoci raw add-layer --image img:t l1.tar
                mkdir -p l2/etc/opaque && touch l2/etc/.wh.gone l2/etc/opaque/.wh..wh..opq && echo c > l2/etc/opaque/c
                tar -C l2 --numeric-owner -cf l2.tar . && umoci raw add-layer --image img:t l2.tar
                mkdir -p l3/usr/bin && ln -s /bin/busybox l3/usr/bin/env && echo v3 > l3/version
                tar -C l3 --numeric-owner -cf l3.tar . && umoci raw add-layer --image img:t l3.tar
                umoci config --image img:t --config.cmd /bin/sh --config.entrypoint /bin/busybox --config.env A=1 \
                  --config.workingdir /tmp --config.user 1:2 --config.stopsignal SIGTERM --config.exposedports 80/tcp
                """);
        return dir.resolve("img");
    }
}
