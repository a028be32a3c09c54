package io.jcontainer.jnspawn.internal.exec;

import static io.jcontainer.jnspawn.internal.exec.ExecProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.LaunchPlan;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The order and content of the operations a plan compiles to, without running anything. */
class PlanCompilerTest {
    static final Path STAGING = Path.of("/run/jcontainer/jnspawn.t.1");
    static final String R = STAGING + "/root";
    static final String S = STAGING + "/scratch";

    static LaunchPlan plan(LaunchPlan.Root root, Network network, int usernsRange, boolean boot, boolean pty,
            List<BindSpec> binds, List<TmpfsSpec> tmpfs) {
        return new LaunchPlan("t", root, "host-t", List.of("/bin/sh"), List.of("PATH=/bin"), "/work", 1000, 1000,
                List.of(10, 20), binds, tmpfs, 0x80000, usernsRange, 0x3L, true, boot ? 37 : 15, boot, network, pty, true, false);
    }

    static LaunchPlan simple() {
        return plan(new LaunchPlan.Root(List.of(), Path.of("/srv/root"), false, false), Network.HOST, 0, false, false,
                List.of(), List.of());
    }

    static List<ExecPlan.Op> compile(LaunchPlan p, Predicate<String> procExists) {
        return PlanCompiler.compile(p, new PlanCompiler.Host(Path.of(R), Path.of(S), procExists,
                path -> !path.toString().endsWith(".conf"), new byte[16])).ops();
    }

    static int indexOf(List<ExecPlan.Op> ops, int code, String firstArg) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).code() == code && (firstArg == null || ops.get(i).text().get(0).equals(firstArg))) {
                return i;
            }
        }
        return -1;
    }

    static ExecPlan.Op find(List<ExecPlan.Op> ops, int code) {
        int i = indexOf(ops, code, null);
        assertTrue(i >= 0, "no " + opName(code));
        return ops.get(i);
    }

    @Test
    void namespacesFollowNetworkAndUserSettings() {
        long base = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
        assertEquals(List.of(Long.toString(base)), find(compile(simple(), e -> true), OP_CLONE).text());
        LaunchPlan priv = plan(simple().root(), Network.PRIVATE, 65536, false, false, List.of(), List.of());
        List<ExecPlan.Op> ops = compile(priv, e -> true);
        assertEquals(List.of(Long.toString(base | CLONE_NEWNET | CLONE_NEWUSER)), find(ops, OP_CLONE).text());
        assertEquals(List.of("0 524288 65536\n"), find(ops, OP_UID_MAP).text());
        assertEquals(List.of("0 524288 65536\n"), find(ops, OP_GID_MAP).text());
        assertEquals(List.of("0", "0"), find(ops, OP_SET_IDS).text());
        assertEquals(-1, indexOf(compile(simple(), e -> true), OP_SET_IDS, null));
        assertEquals(-1, indexOf(compile(simple(), e -> true), OP_UID_MAP, null));
        assertEquals(List.of(Long.toString(base | CLONE_NEWNET)),
                find(compile(plan(simple().root(), Network.NONE, 0, false, false, List.of(), List.of()), e -> true), OP_CLONE).text());
    }

    @Test
    void cgroupNamespaceIsUnsharedBeforeAnyMount() {
        List<ExecPlan.Op> ops = compile(simple(), e -> true);
        int unshare = indexOf(ops, OP_UNSHARE, Long.toString(CLONE_NEWCGROUP));
        assertTrue(unshare >= 0);
        assertTrue(unshare < indexOf(ops, OP_MOUNT, null));
    }

    @Test
    void plainRootIsAnAttachedCloneOfTheHostTree() {
        List<ExecPlan.Op> ops = compile(simple(), e -> true);
        ExecPlan.Op open = find(ops, OP_OPEN_TREE);
        assertEquals(List.of("100", "/srv/root", "1"), open.text());
        int attach = indexOf(ops, OP_ATTACH, "100");
        assertEquals(List.of("100", R), ops.get(attach).text());
        assertEquals(List.of("", R, "", Long.toString(MS_REC | MS_SLAVE), ""), ops.get(attach + 1).text(),
                "an attached clone of a shared host mount is made a slave before anything is mounted below it");
    }

    @Test
    void ephemeralOverlayPutsTheUpperDirOnATmpfs() {
        LaunchPlan p = plan(new LaunchPlan.Root(List.of(Path.of("/l0"), Path.of("/l1")), null, true, false),
                Network.HOST, 0, false, false, List.of(), List.of());
        List<ExecPlan.Op> ops = compile(p, e -> true);
        int tmpfs = indexOf(ops, OP_MOUNT, "tmpfs");
        assertEquals(S, ops.get(tmpfs).text().get(1));
        ExecPlan.Op overlay = ops.get(indexOf(ops, OP_MOUNT, "overlay"));
        assertEquals(R, overlay.text().get(1));
        // overlayfs takes the top-most lower dir first
        assertEquals("lowerdir=" + S + "/lower1:" + S + "/lower0,upperdir=" + S + "/upper,workdir=" + S + "/work",
                overlay.text().get(4));
        assertTrue(tmpfs < indexOf(ops, OP_MOUNT, "overlay"));
    }

    @Test
    void persistentUpperAndWorkDirAreAttachedThroughTheirParent() {
        LaunchPlan p = plan(new LaunchPlan.Root(List.of(Path.of("/l0")), Path.of("/srv/c/upper"), false, false),
                Network.PRIVATE, 65536, false, false, List.of(), List.of());
        List<ExecPlan.Op> ops = compile(p, e -> true);
        assertTrue(ops.stream().anyMatch(o -> o.code() == OP_OPEN_TREE && o.text().get(1).equals("/srv/c")));
        String options = ops.get(indexOf(ops, OP_MOUNT, "overlay")).text().get(4);
        assertEquals("lowerdir=" + S + "/lower0,upperdir=" + S + "/upper-parent/upper,workdir=" + S
                + "/upper-parent/.#upper.work,userxattr", options);
        assertEquals(Path.of("/srv/c/.#upper.work"), p.root().work());
    }

    @Test
    void procIsMountedWithDangerousPartsReadOnlyOrMasked() {
        List<ExecPlan.Op> ops = compile(simple(), e -> !e.equals("acpi") && !e.equals("kcore"));
        assertTrue(indexOf(ops, OP_MOUNT, "proc") >= 0);
        assertTrue(indexOf(ops, OP_BIND_REMOUNT, R + "/proc/sys") >= 0);
        assertTrue(indexOf(ops, OP_BIND_REMOUNT, R + "/proc/sysrq-trigger") >= 0);
        assertEquals(-1, indexOf(ops, OP_BIND_REMOUNT, R + "/proc/acpi"), "absent entries are skipped");
        assertTrue(ops.stream().anyMatch(o -> o.code() == OP_MOUNT && o.text().get(0).equals("/dev/null")
                && o.text().get(1).equals(R + "/proc/keys")));
        assertFalse(ops.stream().anyMatch(o -> o.code() == OP_MOUNT && o.text().get(1).equals(R + "/proc/kcore")));
        long ro = Long.parseLong(ops.get(indexOf(ops, OP_BIND_REMOUNT, R + "/proc/sys")).text().get(1));
        assertEquals(MS_RDONLY, ro & MS_RDONLY);
    }

    @Test
    void sysIsReadOnlyAndBoundWhenTheUserNamespaceCannotMountSysfs() {
        ExecPlan.Op sysfs = compile(simple(), e -> true).stream()
                .filter(o -> o.code() == OP_MOUNT && o.text().get(0).equals("sysfs")).findFirst().orElseThrow();
        assertEquals(MS_RDONLY, Long.parseLong(sysfs.text().get(3)) & MS_RDONLY);
        List<ExecPlan.Op> userns = compile(plan(simple().root(), Network.HOST, 65536, false, false, List.of(), List.of()), e -> true);
        assertEquals(-1, indexOf(userns, OP_MOUNT, "sysfs"));
        assertTrue(indexOf(userns, OP_BIND_REMOUNT, R + "/sys") >= 0);
    }

    @Test
    void devGetsOnlyTheMinimalNodesAndAConsole() {
        List<ExecPlan.Op> ops = compile(simple(), e -> true);
        List<String> bound = ops.stream().filter(o -> o.code() == OP_MOUNT && o.text().get(0).startsWith("/dev/")
                && o.text().get(1).startsWith(R + "/dev/")).map(o -> o.text().get(1).substring(R.length())).toList();
        assertEquals(List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console"), bound);
        ExecPlan.Op devTmpfs = ops.get(indexOf(ops, OP_MOUNT, "tmpfs"));
        assertEquals(R + "/dev", devTmpfs.text().get(1));
        assertEquals(MS_NODEV, Long.parseLong(devTmpfs.text().get(3)) & MS_NODEV, "mknod'ed nodes in /dev cannot open");
        LaunchPlan pty = plan(simple().root(), Network.HOST, 0, false, true, List.of(), List.of());
        assertEquals(List.of(R + "/dev/console"), find(compile(pty, e -> true), OP_BIND_CONSOLE).text());
    }

    @Test
    void userMountsComeAfterTheStandardOnesAndReadOnlyBindsAreRemounted() {
        List<BindSpec> binds = List.of(new BindSpec(Path.of("/srv/data"), Path.of("/tmp/data"), true, true),
                new BindSpec(Path.of("/etc/app.conf"), Path.of("/etc/app.conf"), false, false));
        LaunchPlan p = plan(simple().root(), Network.HOST, 0, false, false, binds,
                List.of(new TmpfsSpec(Path.of("/cache"), "mode=0700")));
        List<ExecPlan.Op> ops = compile(p, e -> true);
        int tmp = indexOf(ops, OP_MKDIR, R + "/tmp");
        int data = indexOf(ops, OP_MKDIR, R + "/tmp/data");
        assertTrue(tmp >= 0 && data > tmp, "a bind below /tmp must come after /tmp's tmpfs");
        assertTrue(indexOf(ops, OP_BIND_REMOUNT, R + "/tmp/data") > data);
        assertTrue(indexOf(ops, OP_TOUCH, R + "/etc/app.conf") >= 0, "a file bind gets a file mount point");
        assertEquals(-1, indexOf(ops, OP_BIND_REMOUNT, R + "/etc/app.conf"));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OP_OPEN_TREE && o.text().equals(List.of("101", "/srv/data", "1"))));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OP_OPEN_TREE && o.text().equals(List.of("102", "/etc/app.conf", "0"))));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OP_MOUNT && o.text().get(1).equals(R + "/cache")
                && o.text().get(4).equals("mode=0700")));
    }

    @Test
    void confinementComesAfterPivotRootAndTheExecIsLast() {
        LaunchPlan ro = plan(new LaunchPlan.Root(List.of(), Path.of("/srv/root"), false, true), Network.HOST, 0, false,
                false, List.of(), List.of());
        List<ExecPlan.Op> ops = compile(ro, e -> true);
        int remountRoot = indexOf(ops, OP_BIND_REMOUNT, R);
        int pivot = indexOf(ops, OP_PIVOT_ROOT, null);
        int lastMount = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).code() == OP_MOUNT) {
                lastMount = i;
            }
        }
        assertTrue(lastMount < remountRoot && remountRoot < pivot, "root made read-only last, then pivot_root");
        int hostname = indexOf(ops, OP_SETHOSTNAME, "host-t");
        int seccomp = indexOf(ops, OP_SECCOMP, null);
        int caps = indexOf(ops, OP_CAPS, "3");
        int nnp = indexOf(ops, OP_NO_NEW_PRIVS, null);
        assertTrue(pivot < hostname && hostname < seccomp && seccomp < caps && caps < nnp);
        ExecPlan.Op exec = ops.get(ops.size() - 1);
        assertEquals(OP_EXEC, exec.code());
        assertEquals(List.of("stub", "1000", "1000", "10,20", "/work"), exec.text());
        assertEquals(List.of("/bin/sh"), find(ops, OP_ARGV).text());
        assertEquals(List.of("15"), find(ops, OP_KILL_SIGNAL).text());
    }

    @Test
    void bootExecsTheInitDirectlyWithItsOwnCgroupTree() {
        LaunchPlan boot = plan(simple().root(), Network.PRIVATE, 0, true, false, List.of(), List.of());
        List<ExecPlan.Op> ops = compile(boot, e -> true);
        assertEquals("direct", find(ops, OP_EXEC).text().get(0));
        assertTrue(indexOf(ops, OP_MOUNT, "cgroup2") >= 0);
        assertEquals(List.of("37"), find(ops, OP_KILL_SIGNAL).text());
        assertEquals(-1, indexOf(compile(simple(), e -> true), OP_MOUNT, "cgroup2"));
    }

    @Test
    void onlyAForegroundContainerDiesWithTheStage() {
        assertEquals(List.of("9"), find(compile(simple(), e -> true), OP_PDEATHSIG).text());
        LaunchPlan s = simple();
        LaunchPlan handedOver = new LaunchPlan(s.machine(), s.root(), s.hostname(), s.argv(), s.env(), s.workingDirectory(),
                s.uid(), s.gid(), s.groups(), s.binds(), s.tmpfs(), s.userNsBase(), s.userNsRange(), s.capabilities(),
                s.noNewPrivileges(), s.killSignal(), s.boot(), s.network(), s.pty(), false, true);
        assertEquals(-1, indexOf(compile(handedOver, e -> true), OP_PDEATHSIG, null));
    }
}
