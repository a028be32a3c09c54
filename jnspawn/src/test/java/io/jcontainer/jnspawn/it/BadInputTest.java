package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one clear line, exit status 125, nothing mounted or left behind. */
@Tag("root")
class BadInputTest {
    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
    }

    private static void assertOneLineFailure(Result r, String... fragments) throws Exception {
        assertEquals(125, r.exit(), r.stdout() + r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("jnspawn: "), r.stderr());
        for (String f : fragments) {
            assertTrue(r.stderr().contains(f), "'" + f + "' not in: " + r.stderr());
        }
    }

    @Test
    void missingRoot() throws Exception {
        List<String> mounts = hostMounts();
        assertOneLineFailure(jnspawn("-D", "/no/such/root", "true"), "'/no/such/root'", "does not exist");
        assertEquals(mounts, hostMounts());
    }

    @Test
    void badOptionValues() throws Exception {
        assertOneLineFailure(jnspawn("--kill-signal=SIGFOO", "-D", root.toString(), "true"), "SIGFOO");
        assertOneLineFailure(jnspawn("--private-users=abc", "-D", root.toString(), "true"), "abc");
        assertOneLineFailure(jnspawn("--capability=CAP_FLY", "-D", root.toString(), "true"), "CAP_FLY");
        assertOneLineFailure(jnspawn("--frobnicate", "-D", root.toString(), "true"), "--frobnicate");
        assertOneLineFailure(jnspawn("-D", "relative/root", "true"), "relative/root");
        assertOneLineFailure(jnspawn("-u", "nobody-here", "-D", root.toString(), "true"), "nobody-here");
    }

    @Test
    void missingBindSource() throws Exception {
        List<String> mounts = hostMounts();
        assertOneLineFailure(jnspawn("--bind=/no/such/source:/mnt", "-D", root.toString(), "true"), "'/no/such/source'");
        assertEquals(mounts, hostMounts());
    }

    @Test
    void bindTargetThroughASymlinkOfTheImageIsRefused() throws Exception {
        Path evil = demoRoot(tmp, "evil");
        Files.createSymbolicLink(evil.resolve("hostetc"), Path.of("/etc"));
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        assertOneLineFailure(jnspawn("--bind=" + src + ":/hostetc/pwned", "-D", evil.toString(), "true"),
                "'/hostetc'", "symlink");
        assertFalse(Files.exists(Path.of("/etc/pwned")));
    }

    @Test
    void brokenContainerFile() throws Exception {
        Path dir = tmp.resolve("etc-jcontainer");
        Files.createDirectories(dir);
        Path file = dir.resolve("broken.container");
        Files.writeString(file, "[Container]\nDirectory=" + root + "\nReadOnly=maybe\n");
        assertOneLineFailure(jnspawnWithSearchPath(dir, "-M", "broken"), file + ":3", "ReadOnly", "maybe");
        Files.writeString(file, "[Container]\nDirectory=" + root + "\nFrobnicate=yes\n");
        assertOneLineFailure(jnspawnWithSearchPath(dir, "-M", "broken"), file + ":3", "Frobnicate");
        assertOneLineFailure(jnspawnWithSearchPath(dir, "-M", "absent"), "absent");
    }
}
