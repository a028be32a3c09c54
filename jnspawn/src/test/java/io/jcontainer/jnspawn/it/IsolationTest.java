package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a payload sees of its container: processes, /proc, /sys, /dev, namespaces, capabilities. */
@Tag("root")
class IsolationTest {
    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
    }

    @Test
    void psShowsOnlyTheContainersProcessesWithTheStubAsPid1() throws Exception {
        Result r = jnspawn("-q", "-D", root.toString(), "ps", "-o", "pid,comm");
        assertEquals(0, r.exit(), r.stderr());
        List<String> lines = r.lines();
        assertEquals(3, lines.size(), "header, PID 1 and ps itself: " + r.stdout());
        assertEquals(List.of("1", "jcontainer-init"), List.of(lines.get(1).trim().split("\\s+")));
        assertTrue(lines.get(2).trim().endsWith("ps"), r.stdout());
    }

    @Test
    void procIsTheNewPidNamespaces() throws Exception {
        Result r = jnspawn("-q", "-D", root.toString(), "sh", "-c", "cat /proc/1/comm; ls /proc | grep -c '^[0-9]'");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("jcontainer-init", r.lines().get(0));
        // PID 1, sh, ls, grep: the host's hundreds of processes are not there.
        assertTrue(Integer.parseInt(r.lines().get(1).trim()) <= 5, r.stdout());
    }

    @Test
    void sysIsReadOnly() throws Exception {
        Result r = jnspawn("-q", "-D", root.toString(), "sh", "-c",
                "grep ' /sys ' /proc/mounts; echo 1 > /sys/kernel/uevent_helper && echo WROTE");
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stdout().matches("(?s)sysfs /sys sysfs ro,.*"), r.stdout());
        assertFalse(r.stdout().contains("WROTE"));
        assertTrue(r.stderr().contains("Read-only file system"), r.stderr());
    }

    @Test
    void devHoldsOnlyTheMinimalNodes() throws Exception {
        Result r = jnspawn("-q", "-D", root.toString(), "sh", "-c",
                "ls -A /dev; echo ---; find /dev -type b; find /dev -type c | sort");
        assertEquals(0, r.exit(), r.stderr());
        String[] parts = r.stdout().split("---\n", -1);
        Set<String> entries = new TreeSet<>(List.of(parts[0].trim().split("\\s+")));
        assertEquals(new TreeSet<>(List.of("console", "fd", "full", "null", "ptmx", "pts", "random", "shm",
                "stderr", "stdin", "stdout", "tty", "urandom", "zero")), entries);
        List<String> devices = List.of(parts[1].trim().split("\n"));
        // No block device at all; character devices: ours and devpts' own ptmx.
        assertEquals(List.of("/dev/console", "/dev/full", "/dev/null", "/dev/pts/ptmx", "/dev/random", "/dev/tty",
                "/dev/urandom", "/dev/zero"), devices, r.stdout());
    }

    @Test
    void namespacesDifferFromTheHostsAndTheHostnameIsTheMachineName() throws Exception {
        List<String> kinds = List.of("uts", "ipc", "net", "pid", "mnt", "cgroup");
        StringBuilder script = new StringBuilder();
        for (String k : kinds) {
            script.append("readlink /proc/self/ns/").append(k).append("; ");
        }
        script.append("hostname");
        Result r = jnspawn("-q", "--private-network", "-M", "isolated1", "-D", root.toString(), "sh", "-c", script.toString());
        assertEquals(0, r.exit(), r.stderr());
        for (int i = 0; i < kinds.size(); i++) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns", kinds.get(i))).toString();
            String inside = r.lines().get(i);
            assertTrue(inside.startsWith(kinds.get(i) + ":["), inside);
            assertNotEquals(host, inside, kinds.get(i) + " namespace is the host's");
        }
        assertEquals("isolated1", r.lines().get(kinds.size()));
    }

    @Test
    void privateNetworkHasOnlyLoopback() throws Exception {
        Result r = jnspawn("-q", "--private-network", "-D", root.toString(), "sh", "-c", "ls /sys/class/net");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("lo", r.stdout().trim());
    }

    @Test
    void capabilityBoundingSetEqualsSystemdNspawnsDefault() throws Exception {
        requireCommand("systemd-nspawn");
        for (List<String> extra : List.of(List.<String>of(), List.of("--private-network"))) {
            List<String> ours = new java.util.ArrayList<>(List.of("-q", "-D", root.toString()));
            ours.addAll(extra);
            ours.addAll(List.of("grep", "CapBnd", "/proc/self/status"));
            Result mine = jnspawn(ours.toArray(new String[0]));
            List<String> theirs = new java.util.ArrayList<>(List.of("systemd-nspawn", "--register=no", "--keep-unit", "-q",
                    "-D", root.toString()));
            theirs.addAll(extra);
            theirs.addAll(List.of("grep", "CapBnd", "/proc/self/status"));
            Result nspawn = exec(theirs, 60);
            assertEquals(0, nspawn.exit(), "systemd-nspawn: " + nspawn.stderr());
            assertEquals(0, mine.exit(), mine.stderr());
            assertTrue(nspawn.stdout().startsWith("CapBnd:"), nspawn.stdout());
            assertEquals(nspawn.stdout().trim(), mine.stdout().trim(), "bounding set with " + extra);
        }
    }

    @Test
    void userNamespaceMakesContainerRootAnUnprivilegedHostUid() throws Exception {
        Path usernsRoot = demoRoot(tmp, "userns-root");
        String marker = "31.4159";
        Running run = start("-q", "-U", "-M", "userns1", "-D", usernsRoot.toString(), "sh", "-c",
                "id -u; echo ready; exec sleep " + marker);
        Process p = run.process();
        run.awaitOutput("ready");
        assertEquals("0", run.out().split("\n")[0], "uid inside");
        long hostUid = -1;
        for (Path proc : Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            try {
                String cmdline = Files.readString(proc.resolve("cmdline"));
                if (cmdline.equals("sleep\0" + marker + "\0")) {
                    for (String line : Files.readAllLines(proc.resolve("status"))) {
                        if (line.startsWith("Uid:")) {
                            hostUid = Long.parseLong(line.split("\\s+")[1]);
                        }
                    }
                }
            } catch (java.io.IOException gone) {
                // raced with a process exit
            }
        }
        p.destroy();
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(hostUid >= 0x80000, "host uid of container root: " + hostUid);
        // The root tree was shifted into the range, as nspawn's --private-users-ownership=chown.
        assertEquals((int) hostUid, Files.getAttribute(usernsRoot, "unix:uid"));
    }
}
