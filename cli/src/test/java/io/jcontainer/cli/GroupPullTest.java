package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The group pull model (polkit/README.md, "Images") with real users: a member of group jcontainer runs the real
 * {@code jcontainer pull} (against Debian's docker-registry on loopback) and {@code import} in a separate JVM
 * under runuser, into a store that {@code systemd-tmpfiles} laid out from packaging/systemd/tmpfiles.conf; a
 * non-member is refused with one line; root then starts a container of the pulled image with the real jnspawn
 * (unpacking as root), and refuses to unpack a blob the member rewrote or replaced by a symlink.
 *
 * <p>Needs root (useradd, runuser, a container); skips locally without it, fails under {@code CI=true}. The users
 * ({@code jcgrp-m*}, {@code jcgrp-n*}) and, if this test had to create it, group jcontainer are removed after.
 */
@Tag("root")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupPullTest {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    static Path work;
    static Path store;
    static TestRegistry registry;
    static String member;
    static String outsider;
    static boolean createdGroup;
    static int gid;
    static String classPath;
    static String image;
    /** Every path of the store that tmpfiles created (root-owned), before any pull. */
    static List<String> rootOwnedBefore;

    @BeforeAll
    static void usersStoreAndRegistry() throws Exception {
        RunForegroundTest.requireRoot();
        for (String tool : List.of("/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/runuser", "/usr/bin/systemd-tmpfiles")) {
            if (!Files.isExecutable(Path.of(tool))) {
                fail("'" + tool + "' is missing");
            }
        }
        work = Files.createTempDirectory("jcgrp-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (sh("getent", "group", "jcontainer").status != 0) {
            sh(true, "groupadd", "--system", "jcontainer");
            createdGroup = true;
        }
        gid = Integer.parseInt(sh("getent", "group", "jcontainer").out.split(":")[2]);
        String tag = Long.toString(ProcessHandle.current().pid() % 100000);
        member = "jcgrp-m" + tag;
        outsider = "jcgrp-n" + tag;
        sh(true, "useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "-G", "jcontainer", member);
        sh(true, "useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", outsider);

        // This JVM's class path, copied where the test users can read it (~/.m2 is root's).
        Path cp = Files.createDirectories(work.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path source = Path.of(e);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = cp.resolve((i++) + "-" + source.getFileName());
            sh(true, "cp", "-r", source.toString(), target.toString());
            entries.add(target.toString());
        }
        sh(true, "chmod", "-R", "a+rX", cp.toString());
        classPath = String.join(":", entries);

        // The store as the package lays it out: the snippet, resolved against this host's users and groups.
        Path host = work.resolve("host");
        Files.createDirectories(host.resolve("etc"));
        Files.copy(Path.of("/etc/passwd"), host.resolve("etc/passwd"));
        Files.copy(Path.of("/etc/group"), host.resolve("etc/group"));
        sh(true, "systemd-tmpfiles", "--root=" + host, "--create", REPO.resolve("packaging/systemd/tmpfiles.conf").toString());
        store = host.resolve("var/lib/jcontainer");
        assertEquals("2775 0 " + gid, stat(store.resolve("blobs/sha256")), "as tmpfiles.conf says");
        rootOwnedBefore = rootOwned();

        // demo:1 (busybox), exported by root from a store of its own and pushed with skopeo.
        Path root = work.resolve("demo-root");
        Outcome made = sh(REPO.resolve("scripts/make-demo-root").toString(), root.toString());
        assertEquals(0, made.status, made.out);
        Jcontainer source = new Jcontainer(work.resolve("source"));
        source.ok("import", "--name", "demo:1", root.toString());
        source.ok("export", "demo:1", work.resolve("demo.tar").toString());
        Files.setPosixFilePermissions(work.resolve("demo.tar"), PosixFilePermissions.fromString("rw-r--r--"));
        registry = TestRegistry.start(work.resolve("registry"));
        image = registry.host() + "/demo:1";
        Outcome push = sh("skopeo", "copy", "--dest-tls-verify=false", "oci-archive:" + work.resolve("demo.tar"),
                "docker://" + image);
        assertEquals(0, push.status, push.out);
    }

    @AfterAll
    static void removeUsersAndFiles() throws Exception {
        if (registry != null) {
            registry.close();
        }
        for (String u : new String[] {member, outsider}) {
            if (u != null) {
                sh("userdel", u);
            }
        }
        if (createdGroup) {
            sh("groupdel", "jcontainer");
        }
        if (work != null) {
            sh("rm", "-rf", "--one-file-system", work.toString());
        }
    }

    @Test
    @Order(1)
    void aMemberPullsVerifiedBlobsAndNoRootOwnedFileIsMade() throws Exception {
        Outcome pulled = as(member, "pull", "--insecure", "--insecure-policy", image);

        assertEquals(0, pulled.status, pulled.out);
        String digest = registry.manifestDigest("demo:1");
        assertTrue(pulled.out.contains("Pulled " + image + ": " + digest), pulled.out);
        int uid = Integer.parseInt(sh("id", "-u", member).out.strip());
        List<String> blobs = list(store.resolve("blobs/sha256"));
        assertTrue(blobs.size() >= 3, "manifest, config, layer: " + blobs);
        for (String hex : blobs) {
            Path blob = store.resolve("blobs/sha256").resolve(hex);
            assertEquals(hex, sha256(blob), "blob " + hex + " is what its name says");
            assertEquals("644 " + uid + " " + gid, stat(blob), "written by the member, group jcontainer (setgid)");
        }
        assertTrue(blobs.contains(digest.substring("sha256:".length())), blobs.toString());
        assertEquals(List.of(), list(store.resolve("layers")), "nothing unpacked: that is root's, at start");
        assertEquals(rootOwnedBefore, rootOwned(), "the member made no root-owned file");
        assertEquals(List.of(), stragglers(), "no partial download or staging file left");
    }

    @Test
    @Order(2)
    void aMemberImportsAnOciArchiveWithoutUnpacking() throws Exception {
        Outcome imported = as(member, "import", "--name", "grp/imported:1", work.resolve("demo.tar").toString());

        assertEquals(0, imported.status, imported.out);
        assertTrue(refsMention("grp/imported:1"), list(store.resolve("refs")).toString());
        assertEquals(List.of(), list(store.resolve("layers")));
        assertEquals(rootOwnedBefore, rootOwned());
        assertEquals(List.of(), stragglers());
    }

    @Test
    @Order(3)
    void aNonMemberIsRefusedWithOneLine() throws Exception {
        List<String> before = snapshot();
        Outcome gc = as(member, "gc");
        System.out.println("member gc: exit " + gc.status + ": " + gc.err.strip());
        assertEquals(125, gc.status, gc.out);
        assertTrue(gc.err.contains("only root may"), gc.err);
        assertEquals(before, snapshot(), "the member's gc removed nothing");
        for (String[] verb : List.of(new String[] {"pull", "--insecure", "--insecure-policy", image},
                new String[] {"import", "--name", "grp/outsider:1", work.resolve("demo.tar").toString()})) {
            Outcome refused = as(outsider, verb);

            System.out.println("non-member " + verb[0] + ": exit " + refused.status + ": " + refused.err.strip());
            assertEquals(125, refused.status, refused.out + refused.err);
            assertEquals(1, refused.err.lines().count(), refused.err);
            assertTrue(refused.err.startsWith("jcontainer: Permission denied: uid ") && refused.err.contains("group jcontainer")
                    && refused.err.contains(store.toString()), refused.err);
        }
        assertEquals(before, snapshot(), "nothing written");
    }

    @Test
    @Order(4)
    void rootStartsAContainerOfThePulledImageAndUnpacksItsLayersAsRoot() throws Exception {
        Jcontainer jc = rootJcontainer();

        Jcontainer.Outcome ran = jc.ok("run", "--rm", "--network", "none", image, "sh", "-c", "echo started-from-group-pull");

        assertEquals("started-from-group-pull\n", ran.out(), ran.err());
        List<String> layers = list(store.resolve("layers"));
        assertEquals(1, layers.size(), "the one layer, no tmp-* left: " + layers);
        assertEquals("755 0 0", stat(store.resolve("layers").resolve(layers.get(0))));
    }

    @Test
    @Order(5)
    void aBlobTheMemberRewroteIsRefusedAtUnpack() throws Exception {
        Path blob = memberImportsOneFileImage("tamper");
        // Same size, other bytes: the member owns the file it stored and rewrites it in place.
        Outcome rewrote = as(member, List.of("sh", "-c", "printf X | dd of='" + blob + "' bs=1 seek=600 conv=notrunc status=none"));
        assertEquals(0, rewrote.status, rewrote.out);
        List<String> layersBefore = list(store.resolve("layers"));

        Jcontainer.Outcome refused = rootJcontainer().run("run", "--rm", "--network", "none", "grp/tamper:1", "/bin/true");

        assertEquals(125, refused.status(), refused.out() + refused.err());
        String line = refused.errLine();
        System.out.println("rewritten blob: " + line);
        assertTrue(line.contains("is corrupt") && line.contains(blob.getFileName().toString()), line);
        assertEquals(layersBefore, list(store.resolve("layers")), "nothing unpacked, no copy left");
    }

    @Test
    @Order(6)
    void aSymlinkTheMemberPlantedInBlobsIsNotFollowed() throws Exception {
        Path blob = memberImportsOneFileImage("link");
        Outcome planted = as(member, List.of("sh", "-c", "rm -f '" + blob + "' && ln -s /etc/shadow '" + blob + "'"));
        assertEquals(0, planted.status, planted.out);
        List<String> layersBefore = list(store.resolve("layers"));

        Jcontainer.Outcome refused = rootJcontainer().run("run", "--rm", "--network", "none", "grp/link:1", "/bin/true");

        assertEquals(125, refused.status(), refused.out() + refused.err());
        System.out.println("planted symlink: " + refused.err().strip());
        assertTrue(refused.errLine().contains("is a symbolic link"), refused.err());
        assertEquals(layersBefore, list(store.resolve("layers")));
    }

    @Test
    @Order(7)
    void aDeviceNodeInALayerAMemberUnpacksIsRefusedNamingTheEntry() throws Exception {
        // Issue 16: only root unpacks device nodes. In the shared store a member never unpacks (order 2); in a store
        // of its own the member's import does, and a character device there is refused in one line.
        Path own = work.resolve("member-store");
        Path tree = Files.createDirectories(work.resolve("dev-root/dev"));
        assertEquals(0, sh("mknod", tree.resolve("null").toString(), "c", "1", "3").status);
        Path tar = work.resolve("dev.tar");
        assertEquals(0, sh("tar", "-C", tree.getParent().toString(), "-cf", tar.toString(), "dev").status);
        sh(true, "chmod", "a+r", tar.toString());
        sh(true, "install", "-d", "-o", member, own.toString());

        Outcome refused = as(member, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, "io.jcontainer.cli.Main", "--root", own.toString(), "import", "--name", "grp/dev:1", tar.toString()));

        System.out.println("member unpacking a device: exit " + refused.status + ": " + refused.err.strip());
        assertEquals(125, refused.status, refused.out + refused.err);
        assertEquals(1, refused.err.lines().count(), refused.err);
        assertTrue(refused.err.contains("Layer entry 'dev/null' is a character device (1:3): only root unpacks device nodes"),
                refused.err);
        assertEquals(List.of(), list(own.resolve("layers")), "no partial layer directory");
        assertEquals(List.of(), list(own.resolve("refs")), "no ref");
    }

    // ---------------------------------------------------------------- helpers

    /** The member imports a one-file root tarball as grp/NAME:1; returns its layer blob. */
    private static Path memberImportsOneFileImage(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name + "-root/etc"));
        Files.writeString(dir.resolve(name), "a file of image " + name + " ".repeat(800) + "\n");
        Path tar = work.resolve(name + ".tar");
        assertEquals(0, sh("tar", "-C", dir.getParent().toString(), "-cf", tar.toString(), "etc").status);
        sh(true, "chmod", "-R", "a+rX", dir.getParent().toString(), tar.toString());
        Outcome imported = as(member, "import", "--name", "grp/" + name + ":1", tar.toString());
        assertEquals(0, imported.status, imported.out);
        String layer = "sha256:" + sha256(tar); // an uncompressed tarball is stored as it is
        Path blob = store.resolve("blobs/sha256").resolve(layer.substring(7));
        assertTrue(Files.isRegularFile(blob), "the layer blob " + blob);
        return blob;
    }

    private static Jcontainer rootJcontainer() throws Exception {
        assumeFalse(Files.isDirectory(Host.SYSTEMD_RUNTIME_DIR), "run goes through systemd on this host (vm-tests)");
        Path exec = REPO.resolve("jnspawn/target/native/jcontainer-exec");
        if (!Files.isExecutable(exec)) {
            fail("'" + exec + "' is missing: build the jnspawn module first");
        }
        Path launcher = work.resolve("jnspawn");
        if (!Files.exists(launcher)) {
            Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                    + "' $JCONTAINER_JAVA_OPTS -cp '" + System.getProperty("java.class.path") + "' -Djcontainer.exec='"
                    + exec + "' io.jcontainer.jnspawn.Main \"$@\"\n");
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        System.setProperty(Host.JNSPAWN_PROPERTY, launcher.toString());
        return new Jcontainer(work.resolve("root-side")).with(Host.ROOT_ENV, store.toString());
    }

    @AfterAll
    static void forgetTheLauncher() {
        System.clearProperty(Host.JNSPAWN_PROPERTY);
    }

    /** jcontainer ARGS as USER: a JVM of its own under runuser, in the test's directory. */
    private static Outcome as(String user, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-cp", classPath, "io.jcontainer.cli.Main", "--root", store.toString()));
        command.addAll(List.of(args));
        return as(user, command);
    }

    private static Outcome as(String user, List<String> command) throws Exception {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        full.addAll(command);
        Process p = new ProcessBuilder(full).directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + full);
        }
        // Pull progress goes to stderr; keep "out" for what a failure message should show.
        String e = err.get();
        return new Outcome(p.exitValue(), out + e, e);
    }

    record Outcome(int status, String out, String err) {
    }

    private static Outcome sh(String... command) throws Exception {
        return sh(false, command);
    }

    private static Outcome sh(boolean mustSucceed, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        if (mustSucceed && p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
        return new Outcome(p.exitValue(), out, "");
    }

    private static String stat(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        return Integer.toOctalString(mode) + " " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + " "
                + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean refsMention(String name) throws IOException {
        return list(store.resolve("refs")).stream().anyMatch(n -> java.net.URLDecoder.decode(n,
                java.nio.charset.StandardCharsets.UTF_8).contains(name));
    }

    /** Every path in the store owned by root, with its mode. */
    private static List<String> rootOwned() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == 0) {
                    out.add(store.relativize(p) + " " + stat(p));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Every path in the store with owner and mode (to show nothing changed). */
    private static List<String> snapshot() throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(store.relativize(p).toString(), stat(p) + " " + Files.size(p));
            }
        }
        return out.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
    }

    /** Files under tmp/ (partial downloads, staged imports) other than empty directories. */
    private static List<String> stragglers() throws IOException {
        try (Stream<Path> s = Files.walk(store.resolve("tmp"))) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).map(p -> store.relativize(p).toString())
                    .sorted().toList();
        }
    }
}
