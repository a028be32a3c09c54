package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.internal.exec.PlanCompiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Escape attempts of our own, each run inside a container and, where it proves the check can see
 * an escape, outside one too: the same program must succeed on the host and fail in the container.
 */
@Tag("root")
class EscapeTest {
    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
        installEscapeProgram(root);
    }

    private static String inside(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("-q", "-D", root.toString(), "/usr/local/bin/escape"));
        cmd.addAll(List.of(args));
        Result r = jnspawn(cmd.toArray(new String[0]));
        assertEquals(0, r.exit(), r.stderr());
        return r.stdout().trim();
    }

    private static String onHost(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(root.resolve("usr/local/bin/escape").toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, 30).stdout().trim();
    }

    @Test
    void chrootEscapeDoesNotReachTheHostRoot() throws Exception {
        Path marker = Path.of("/var/tmp/jcontainer-escape-marker-" + UUID.randomUUID());
        Files.writeString(marker, "host");
        try {
            // Control: under a bare chroot, the same walk reaches the host.
            Result control = exec(List.of("chroot", root.toString(), "/usr/local/bin/escape", "chroot", marker.toString()), 30);
            assertTrue(control.stdout().contains("ESCAPED"), "control: " + control.stdout() + control.stderr());
            assertEquals("chroot: contained", inside("chroot", marker.toString()));
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"open_by_handle_at", "bpf", "perf_event_open", "keyctl", "init_module", "kexec_load", "swapon"})
    void filteredSystemCallsFailWithEperm(String call) throws Exception {
        assertEquals(call + ": blocked EPERM", inside(call));
        // On the host the call reaches the kernel and fails (or not) for another reason.
        assertNotEquals(call + ": blocked EPERM", onHost(call), "the host result must differ, else the check proves nothing");
    }

    @Test
    void procSysIsReadOnly() throws Exception {
        assertEquals("proc-sys: blocked EROFS", inside("proc-sys"));
        assertTrue(onHost("proc-sys").contains("ESCAPED"), "control: the host can write there");
    }

    @Test
    void hostStateInProcIsMasked() throws Exception {
        int checked = 0;
        for (String file : PlanCompiler.PROC_MASKED) {
            Path p = Path.of("/proc", file);
            if (!Files.exists(p) || !onHost("read", p.toString()).contains("ESCAPED")) {
                continue; // not on this kernel, or empty anyway
            }
            assertEquals("read: blocked empty", inside("read", p.toString()), p.toString());
            checked++;
        }
        assertTrue(checked >= 2, "too few maskable /proc files on this host to prove anything: " + checked);
    }

    /**
     * A node made with mknod must not open a host device, on the root (no nodev) and on a tmpfs the
     * container mounts itself. The devices are ones the host itself can open through such a node
     * (the control), so that a pass means the container's device policy refused them.
     */
    @ParameterizedTest
    @CsvSource({"b, 7, 0", "c, 1, 11"})
    void aNodeMadeWithMknodCannotOpenAHostDevice(String type, String major, String minor) throws Exception {
        assertTrue(onHost("mknod", tmp.toString(), type, major, minor).startsWith("mknod-open: ESCAPED"),
                "control: the host opens " + type + " " + major + ":" + minor);
        assertEquals("mknod-open: blocked EPERM", inside("mknod", "/", type, major, minor));
        assertEquals("mknod-open: blocked EPERM", inside("mknod-tmpfs", type, major, minor));
    }

    /**
     * CVE-2024-21626 class (runc's leaked host fd): the payload and PID 1 of the container hold no descriptor but
     * stdin, stdout and stderr, so nothing opened on the host side (the plan, the control socket, a directory of
     * the host) can be reached through /proc/self/fd or /proc/1/fd from inside. Checked in the foreground mode
     * and with a private network (which has the host side set up the veth while the container waits).
     */
    @ParameterizedTest
    @ValueSource(strings = {"-q", "-q -n"})
    void noDescriptorButTheStandardOnesReachesTheContainer(String flags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(flags.split(" ")));
        cmd.addAll(List.of("-D", root.toString(), "sh", "-c",
                // ls, a child, lists the shell's descriptors: no command substitution, whose pipe the shell would hold
                "ls -l /proc/1/fd /proc/$$/fd"));
        Result r = jnspawn(cmd.toArray(new String[0]));
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        List<String> fds = r.stdout().lines().filter(l -> l.contains(" -> ")).toList();
        assertEquals(6, fds.size(), "0, 1 and 2 of PID 1 and of the payload: " + r.stdout() + r.stderr());
        for (String line : fds) {
            assertTrue(line.matches(".* [012] -> .*"), "a descriptor beyond 0-2 in the container: " + line + "\n" + r.stdout());
        }
    }
}
