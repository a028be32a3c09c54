package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signals, exit codes, zombies, and what is (not) left behind on the host. */
@Tag("root")
class LifecycleTest {
    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
    }

    @Test
    void sigtermToJnspawnStopsASleepingPayloadWithinASecond() throws Exception {
        Running run = start("-q", "-M", "sigterm-check", "-D", root.toString(), "sh", "-c", "echo up; exec sleep 1000");
        Process p = run.process();
        run.awaitOutput("up");
        Thread.sleep(100); // let sh exec sleep
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "took " + ms + " ms");
        assertEquals(128 + 15, p.exitValue(), "exit status of a payload killed by SIGTERM");
        assertEquals(List.of(), runtimeEntries("sigterm-check"), "jnspawn cleaned up before exiting on SIGTERM");
    }

    @Test
    void bootSendsSigrtminPlus3ToInit() throws Exception {
        Path bootRoot = demoRoot(tmp, "boot-root");
        Path init = bootRoot.resolve("sbin/init");
        Files.deleteIfExists(init);
        Files.writeString(init, "#!/bin/sh\ntrap 'echo got SIGRTMIN+3; exit 42' 37\necho \"init pid $$\"\n"
                + "while true; do sleep 0.05; done\n");
        Files.setPosixFilePermissions(init, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Running run = start("-q", "-b", "-D", bootRoot.toString());
        Process p = run.process();
        run.awaitOutput("init pid 1");
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(run.out().contains("got SIGRTMIN+3"), run.out() + run.err());
        assertEquals(42, p.exitValue());
    }

    @Test
    void exitCodeIsThePayloads() throws Exception {
        assertEquals(7, jnspawn("-q", "-D", root.toString(), "sh", "-c", "exit 7").exit());
        assertEquals(128 + 9, jnspawn("-q", "-D", root.toString(), "sh", "-c", "kill -9 $$").exit());
        assertEquals(0, jnspawn("-q", "-D", root.toString(), "true").exit());
    }

    @Test
    void orphanedGrandchildrenAreReaped() throws Exception {
        // The subshell exits at once; its sleep is orphaned to PID 1, exits, and must be reaped.
        Result r = jnspawn("-q", "-D", root.toString(), "sh", "-c",
                "(sleep 0.1 &) ; (sleep 0.1 &) ; sleep 0.8; ps -o stat,comm");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().startsWith("STAT"), r.stdout());
        assertFalse(r.stdout().lines().anyMatch(l -> l.startsWith("Z")), "zombies: " + r.stdout());
    }

    @Test
    void commandNotFoundExits127WithOneLine() throws Exception {
        Result r = jnspawn("-q", "-D", root.toString(), "/no/such/command");
        assertEquals(127, r.exit());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("'/no/such/command'"), r.stderr());
        Result notExecutable = jnspawn("-q", "-D", root.toString(), "/etc/passwd");
        assertEquals(126, notExecutable.exit(), notExecutable.stderr());
    }

    @Test
    void nothingIsLeftOnTheHostAfterExit() throws Exception {
        List<String> before = hostMounts();
        List<String> runtimeBefore = runtimeEntries("leftover-check");
        Result r = jnspawn("-q", "--private-network", "-x", "-M", "leftover-check", "-D", root.toString(), "sh", "-c",
                "sleep 0.1 & mount | wc -l");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(Integer.parseInt(r.stdout().trim()) > 5, "the container had its mounts: " + r.stdout());
        assertEquals(before, hostMounts(), "host mount table changed");
        assertEquals(runtimeBefore, runtimeEntries("leftover-check"), "staging left in /run/jcontainer");
        Path cgroups = Path.of("/sys/fs/cgroup/devices/jcontainer");
        if (Files.isDirectory(cgroups)) {
            try (Stream<Path> s = Files.list(cgroups)) {
                assertEquals(List.of(), s.filter(d -> d.getFileName().toString().startsWith("jnspawn.leftover-check."))
                        .toList(), "device cgroup left");
            }
        }
        // No process of the container survives (its stage and stub name its staging directory).
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path proc : s.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    assertFalse(Files.readString(proc.resolve("cmdline")).contains("jnspawn.leftover-check."),
                            "process left: " + proc);
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            }
        }
    }

    private static List<String> runtimeEntries(String machine) throws Exception {
        Path run = Path.of("/run/jcontainer");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(run)) {
            return s.map(Path::toString).filter(n -> n.contains("jnspawn." + machine + ".")).sorted().toList();
        }
    }

    @Test
    void ephemeralChangesVanish() throws Exception {
        Result r = jnspawn("-q", "-x", "-D", root.toString(), "sh", "-c", "echo x > /eph && rm /bin/cat && cat /eph && ls /bin/cat");
        assertEquals("x\n", r.stdout(), "the container saw its own changes: " + r.stderr());
        assertEquals(1, r.exit(), "ls of the removed /bin/cat fails: " + r.stderr());
        assertFalse(Files.exists(root.resolve("eph")));
        assertTrue(Files.exists(root.resolve("bin/cat"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, jnspawn("-q", "-x", "-D", root.toString(), "test", "-e", "/eph").exit());
    }

    @Test
    void changesInAPersistentUpperDirSurviveASecondRun() throws Exception {
        Path upper = tmp.resolve("upper");
        Files.createDirectories(upper);
        Result first = jnspawn("-q", "--layer", root.toString(), "-D", upper.toString(), "sh", "-c",
                "echo kept > /data; rm /bin/vi");
        assertEquals(0, first.exit(), first.stderr());
        assertEquals("kept\n", Files.readString(upper.resolve("data")));
        assertFalse(Files.exists(root.resolve("data")), "the lower layer changed");
        Result second = jnspawn("-q", "--layer", root.toString(), "-D", upper.toString(), "sh", "-c",
                "cat /data; test -e /bin/vi || echo vi-gone");
        assertEquals("kept\nvi-gone\n", second.stdout(), second.stderr());
    }

    @Test
    void aReadOnlyRootOfLowerLayersTakesFilesBoundOverItsOwn() throws Exception {
        // An overlay of lower layers only refuses O_CREAT even for a file that is there: jnspawn's generated
        // /etc/hosts and /etc/resolv.conf and a user's file bind must still go over the layer's own files.
        Path layer = tmp.resolve("ro-layer");
        Files.createDirectories(layer.resolve("etc"));
        Files.writeString(layer.resolve("etc/hosts"), "192.0.2.9 from-the-layer\n");
        Files.writeString(layer.resolve("etc/resolv.conf"), "nameserver 192.0.2.53\n");
        Files.writeString(layer.resolve("etc/motd"), "the layer's\n");
        Path motd = Files.writeString(tmp.resolve("host-motd"), "the host's\n");
        Result r = jnspawn("-q", "--read-only", "-M", "rolayers", "--layer", root.toString(), "--layer", layer.toString(),
                "--bind-ro=" + motd + ":/etc/motd", "sh", "-c", "cat /etc/motd /etc/hosts /etc/resolv.conf");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().startsWith("the host's\n"), r.stdout());
        assertTrue(r.stdout().contains("\n127.0.1.1\trolayers\n"), r.stdout());
        assertFalse(r.stdout().contains("from-the-layer"), r.stdout());
        assertTrue(r.stdout().contains("# Copied by jnspawn from the host's /etc/resolv.conf\n"), r.stdout());
    }

    @Test
    void severalLowerLayersStackInOrder() throws Exception {
        Path l2 = tmp.resolve("layer2");
        Files.createDirectories(l2.resolve("etc"));
        Files.writeString(l2.resolve("etc/motd"), "from layer 2\n");
        Path l3 = tmp.resolve("layer3");
        Files.createDirectories(l3.resolve("etc"));
        Files.writeString(l3.resolve("etc/motd"), "from layer 3\n");
        Result r = jnspawn("-q", "--read-only", "--layer", root.toString(), "--layer", l2.toString(), "--layer",
                l3.toString(), "sh", "-c", "cat /etc/motd; touch /x || echo ro");
        assertEquals("from layer 3\nro\n", r.stdout(), r.stderr());
    }

    @Test
    void readOnlyRootRefusesWrites() throws Exception {
        Result r = jnspawn("-q", "--read-only", "-D", root.toString(), "sh", "-c", "touch /newfile; touch /tmp/ok && echo tmp-ok");
        assertEquals("tmp-ok\n", r.stdout());
        assertTrue(r.stderr().contains("Read-only file system"), r.stderr());
        assertFalse(Files.exists(root.resolve("newfile")));
    }

    @Test
    void bindsTmpfsEnvironmentUserAndWorkingDirectory() throws Exception {
        Path shared = tmp.resolve("shared");
        Files.createDirectories(shared);
        Path ro = tmp.resolve("ro");
        Files.createDirectories(ro);
        Files.writeString(ro.resolve("f"), "read me");
        Result r = jnspawn("-q", "-D", root.toString(), "--bind", shared + ":/mnt/rw", "--bind-ro", ro + ":/mnt/ro",
                "--tmpfs", "/scratch:mode=0700", "-E", "GREETING=hello world", "--chdir", "/mnt", "-u", "demo",
                "sh", "-c", "id -u; id -g; pwd; echo \"$GREETING\" $HOME $USER; cat /mnt/ro/f; echo;"
                        + " touch /mnt/ro/x 2>/dev/null || echo ro-refused; stat -c %a /scratch; grep ' /scratch ' /proc/mounts | cut -d' ' -f3");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of("1000", "1000", "/mnt", "hello world /home/demo demo", "read me", "ro-refused", "700", "tmpfs"),
                r.lines());
        Result w = jnspawn("-q", "-D", root.toString(), "--bind", shared + ":/mnt/rw", "sh", "-c", "echo through > /mnt/rw/out");
        assertEquals(0, w.exit(), w.stderr());
        assertEquals("through\n", Files.readString(shared.resolve("out")));
    }

    @Test
    void interactiveConsoleIsAPty() throws Exception {
        requireCommand("script");
        String cmd = String.join(" ", jnspawnCommand(List.of("-q", "-D", root.toString(), "sh", "-c", "tty; echo $TERM")));
        Result r = exec(List.of("script", "-qec", cmd, "/dev/null"), 60);
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("/dev/console"), r.stdout());
        Result pipe = jnspawn("-q", "--console=pipe", "-D", root.toString(), "sh", "-c", "tty");
        assertEquals("not a tty", pipe.stdout().trim());
    }

    /**
     * On a systemd host every mount is shared. Nothing the container mounts may propagate back,
     * and pivot_root must still work (found by vm-tests; reproduced here in a shared namespace).
     */
    @Test
    void worksAndLeaksNothingWhereTheHostsMountsAreShared() throws Exception {
        String jnspawn = String.join(" ", jnspawnCommand(List.of("-q", "-D", root.toString(), "echo", "shared-ok")));
        String script = "mount --make-rshared / && " + jnspawn + " && " + jnspawn
                + " && echo mounts-below-root: $(grep -c ' " + root + "/' /proc/self/mountinfo)";
        Result r = exec(List.of("unshare", "-m", "--propagation", "shared", "sh", "-c", script), 120);
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        assertEquals("shared-ok\nshared-ok\nmounts-below-root: 0\n", r.stdout());
    }

    /** kill -9 of jnspawn: the stage stops the container; --cleanup (ExecStopPost=) removes the rest. */
    @Test
    void killedJnspawnLeavesNoContainerAndCleanupRemovesItsStaging() throws Exception {
        Running run = start("-q", "-M", "kill9-check", "-D", root.toString(), "sh", "-c", "echo up; exec sleep 1000");
        run.awaitOutput("up");
        long jvm = run.process().pid();
        new ProcessBuilder("kill", "-KILL", Long.toString(jvm)).start().waitFor();
        assertTrue(run.process().waitFor(10, TimeUnit.SECONDS));
        long deadline = System.currentTimeMillis() + 5000;
        while (containerProcessesOf("kill9-check") > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, containerProcessesOf("kill9-check"), "the stage killed the container when jnspawn died");
        assertEquals(1, runtimeEntries("kill9-check").size(), "a killed jnspawn could not clean up");
        Result cleanup = jnspawn("--cleanup", "-M", "kill9-check");
        assertEquals(0, cleanup.exit(), cleanup.stderr());
        assertEquals(List.of(), runtimeEntries("kill9-check"));
        Path cgroups = Path.of("/sys/fs/cgroup/devices/jcontainer");
        if (Files.isDirectory(cgroups)) {
            try (Stream<Path> s = Files.list(cgroups)) {
                assertEquals(List.of(), s.filter(d -> d.getFileName().toString().startsWith("jnspawn.kill9-check.")).toList());
            }
        }
    }

    private static long containerProcessesOf(String machine) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            long n = 0;
            for (Path proc : s.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline"));
                    String stat = Files.readString(proc.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    if (!zombie && (cmdline.contains("jnspawn." + machine + ".") || cmdline.equals("sleep\0" + "1000\0")
                            && Files.readString(proc.resolve("environ")).contains("container=jcontainer"))) {
                        n++;
                    }
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            }
            return n;
        }
    }
}
