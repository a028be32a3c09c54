package io.jcontainer.jnspawn.internal.exec;

import static io.jcontainer.jnspawn.internal.exec.ExecProtocol.*;

import io.jcontainer.jnspawn.LaunchPlan;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Predicate;

/**
 * Turns a {@link LaunchPlan} into the ordered operations the exec stage applies.
 *
 * <p>This is where the container's file system layout and its confinement are decided, modeled on
 * systemd-nspawn's nspawn-mount.c: the root (bind or overlayfs), {@code /proc} of the new pid
 * namespace with its dangerous parts read-only or masked, a read-only {@code /sys}, a minimal
 * {@code /dev}, the user's binds and tmpfs mounts, {@code pivot_root}, the hostname, the system
 * call filter, the capability bounding set and finally the payload.
 */
public final class PlanCompiler {

    /** Device nodes bound from the host into the container's /dev (nspawn's list, less console). */
    public static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /** /proc entries made read-only: writes there change the host kernel (nspawn, Docker). */
    public static final List<String> PROC_READ_ONLY = List.of(
            "sys", "sysrq-trigger", "bus", "fs", "irq", "asound", "acpi", "scsi");

    /** /proc entries hidden behind /dev/null: host memory, keys and timing leaks (Docker's list). */
    public static final List<String> PROC_MASKED = List.of(
            "kcore", "kallsyms", "keys", "key-users", "timer_list", "sched_debug", "latency_stats",
            "kpagecount", "kpageflags", "kpagecgroup");

    /** Where the exec stage prepares mounts before pivot_root, and what exists on this host. */
    public record Host(Path root, Path scratch, Predicate<String> procEntryExists, Predicate<Path> isDirectory,
            byte[] seccompFilter) {
    }

    private PlanCompiler() {
    }

    public static ExecPlan compile(LaunchPlan p, Host host) {
        ExecPlan plan = new ExecPlan();
        String r = host.root().toString();

        // ---- the stage's part: namespaces, id maps, signals, console.
        long clone = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
        if (p.network() != Network.HOST) {
            clone |= CLONE_NEWNET;
        }
        if (p.userNamespace()) {
            clone |= CLONE_NEWUSER;
        }
        plan.add(OP_CLONE, Long.toString(clone));
        if (p.userNamespace()) {
            String map = "0 " + Integer.toUnsignedString(p.userNsBase()) + " " + p.userNsRange() + "\n";
            plan.add(OP_UID_MAP, map);
            plan.add(OP_GID_MAP, map);
        }
        HostTrees trees = new HostTrees(plan);
        plan.add(OP_KILL_SIGNAL, Integer.toString(p.killSignal()));
        plan.add(OP_CONSOLE, p.pty() ? "pty" : "pipe");

        // ---- the container's PID 1, in this order.
        if (!p.handOver()) {
            // In the foreground nothing else would stop the container if the stage died.
            plan.add(OP_PDEATHSIG, "9");
        }
        if (p.userNamespace()) {
            plan.add(OP_SET_IDS, "0", "0");
        }
        // After the stage placed us into our cgroups, so that this is the namespace's root.
        plan.add(OP_UNSHARE, Long.toString(CLONE_NEWCGROUP));
        // Nothing we mount may propagate back to the host; host unmounts still reach us.
        plan.add(OP_MOUNT, "", "/", "", Long.toString(MS_REC | MS_SLAVE), "");

        mountRoot(plan, p, r, host.scratch().toString(), trees);

        mountProc(plan, r, host.procEntryExists());
        mountSys(plan, p, r);
        mountDev(plan, p, r);

        plan.add(OP_MKDIR, r + "/tmp", "1777");
        plan.add(OP_MOUNT, "tmpfs", r + "/tmp", "tmpfs", Long.toString(MS_NOSUID | MS_NODEV | MS_STRICTATIME), "mode=1777");
        plan.add(OP_MKDIR, r + "/run", "755");
        plan.add(OP_MOUNT, "tmpfs", r + "/run", "tmpfs", Long.toString(MS_NOSUID | MS_NODEV | MS_STRICTATIME), "mode=755");
        for (TmpfsSpec t : p.tmpfs()) {
            String target = r + t.target();
            plan.add(OP_MKDIR, target, "755");
            plan.add(OP_MOUNT, "tmpfs", target, "tmpfs", Long.toString(MS_NOSUID | MS_NODEV), t.options());
        }

        // The user's mounts last, as nspawn's custom mounts: they may go below /tmp or /run.
        for (BindSpec b : p.binds()) {
            String target = r + b.target();
            boolean dir = host.isDirectory().test(b.source());
            Path parent = b.target().getParent();
            if (!dir && parent != null && parent.getParent() != null) {
                // As nspawn's file binds: the parent made first (e.g. /run/host of /run/host/notify).
                plan.add(OP_MKDIR, r + parent, "755");
            }
            plan.add(dir ? OP_MKDIR : OP_TOUCH, target, dir ? "755" : "644");
            trees.attach(b.source(), b.recursive(), target);
            if (b.readOnly()) {
                plan.add(OP_BIND_REMOUNT, target, Long.toString(MS_RDONLY));
            }
        }

        if (p.root().readOnly()) {
            // Last, so that the mount points above could still be created.
            plan.add(OP_BIND_REMOUNT, r, Long.toString(MS_RDONLY));
        }
        plan.add(OP_PIVOT_ROOT, r);
        plan.add(OP_SETHOSTNAME, p.hostname());

        // The filter goes in while CAP_SYS_ADMIN is still held (no_new_privs may not be asked for).
        plan.addBinary(OP_SECCOMP, host.seccompFilter());
        plan.add(OP_CAPS, Long.toUnsignedString(p.capabilities()));
        if (p.noNewPrivileges()) {
            plan.add(OP_NO_NEW_PRIVS);
        }

        plan.add(OP_ENV, p.env());
        plan.add(OP_ARGV, p.argv());
        StringJoiner groups = new StringJoiner(",");
        for (int g : p.groups()) {
            groups.add(Integer.toString(g));
        }
        plan.add(OP_EXEC, p.boot() ? "direct" : "stub", Integer.toString(p.uid()), Integer.toString(p.gid()),
                groups.toString(), p.workingDirectory());
        return plan;
    }

    private static void mountRoot(ExecPlan plan, LaunchPlan p, String r, String scratch, HostTrees trees) {
        LaunchPlan.Root root = p.root();
        if (!root.overlay()) {
            trees.attach(root.upper(), true, r);
            return;
        }
        if (root.ephemeral()) {
            plan.add(OP_MOUNT, "tmpfs", scratch, "tmpfs", Long.toString(MS_NOSUID | MS_NODEV), "mode=0755");
        }
        // overlayfs takes paths: attach each layer below the scratch dir, then name it there.
        StringJoiner lower = new StringJoiner(":");
        for (int i = root.lowers().size() - 1; i >= 0; i--) { // top-most first, as overlayfs lists them
            String at = scratch + "/lower" + i;
            plan.add(OP_MKDIR, at, "755");
            trees.attach(root.lowers().get(i), false, at);
            lower.add(at);
        }
        String options = "lowerdir=" + lower;
        if (root.ephemeral()) {
            plan.add(OP_MKDIR, scratch + "/upper", "755");
            plan.add(OP_MKDIR, scratch + "/work", "700");
            options += ",upperdir=" + scratch + "/upper,workdir=" + scratch + "/work";
        } else if (root.upper() != null) {
            // The upper and work dirs must be on one mount: attach their common parent.
            String at = scratch + "/upper-parent";
            plan.add(OP_MKDIR, at, "755");
            trees.attach(root.upper().getParent(), false, at);
            options += ",upperdir=" + at + "/" + root.upper().getFileName()
                    + ",workdir=" + at + "/" + root.work().getFileName();
        }
        if (p.userNamespace()) {
            // trusted.* xattrs need CAP_SYS_ADMIN in the initial namespace; use user.overlay.*.
            options += ",userxattr";
        }
        plan.add(OP_MOUNT, "overlay", r, "overlay", "0", options);
    }

    /**
     * Mount trees of the host that the container's PID 1 attaches: the root's directories and the
     * bind sources. The stage clones them with open_tree(2) as host root before clone, so a
     * container in a user namespace, which has no privilege over the host's directories, still
     * gets a root that lies below a 0700 directory (as /var/lib/machines is).
     */
    private static final class HostTrees {
        static final int FIRST_FD = 100;
        private final ExecPlan plan;
        private int next = FIRST_FD;

        HostTrees(ExecPlan plan) {
            this.plan = plan;
        }

        /** Emits the clone of {@code hostPath} and returns the fd that names it. */
        int open(Path hostPath, boolean recursive) {
            int fd = next++;
            plan.add(OP_OPEN_TREE, Integer.toString(fd), hostPath.toString(), recursive ? "1" : "0");
            return fd;
        }

        /**
         * Attaches a clone of {@code hostPath} on {@code target} (which must exist), as a slave.
         * A clone of a shared mount (every mount is shared on a systemd host) joins its peer
         * group: without this, what the container mounts below it would appear on the host,
         * and pivot_root refuses a shared new root.
         */
        void attach(Path hostPath, boolean recursive, String target) {
            plan.add(OP_ATTACH, Integer.toString(open(hostPath, recursive)), target);
            plan.add(OP_MOUNT, "", target, "", Long.toString(MS_REC | MS_SLAVE), "");
        }
    }


    private static void mountProc(ExecPlan plan, String r, Predicate<String> exists) {
        String proc = r + "/proc";
        plan.add(OP_MKDIR, proc, "555");
        plan.add(OP_MOUNT, "proc", proc, "proc", Long.toString(MS_NOSUID | MS_NODEV | MS_NOEXEC), "");
        for (String e : PROC_READ_ONLY) {
            if (exists.test(e)) {
                plan.add(OP_MOUNT, proc + "/" + e, proc + "/" + e, "", Long.toString(MS_BIND | MS_REC), "");
                plan.add(OP_BIND_REMOUNT, proc + "/" + e, Long.toString(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
            }
        }
        for (String e : PROC_MASKED) {
            if (exists.test(e)) {
                plan.add(OP_MOUNT, "/dev/null", proc + "/" + e, "", Long.toString(MS_BIND), "");
            }
        }
    }

    private static void mountSys(ExecPlan plan, LaunchPlan p, String r) {
        String sys = r + "/sys";
        plan.add(OP_MKDIR, sys, "555");
        long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (p.userNamespace() && p.network() == Network.HOST) {
            // sysfs may only be mounted by a user namespace that owns the network namespace. The
            // bind must be recursive (the kernel refuses to uncover what host mounts hide); what
            // lies below stays owned by ids the namespace does not map, so it is not writable.
            plan.add(OP_MOUNT, "/sys", sys, "", Long.toString(MS_BIND | MS_REC), "");
            plan.add(OP_BIND_REMOUNT, sys, Long.toString(ro));
        } else {
            plan.add(OP_MOUNT, "sysfs", sys, "sysfs", Long.toString(ro), "");
        }
        if (p.boot()) {
            // An init inside manages its own cgroup subtree, confined by the cgroup namespace.
            plan.add(OP_MOUNT, "cgroup2", sys + "/fs/cgroup", "cgroup2", Long.toString(MS_NOSUID | MS_NODEV | MS_NOEXEC), "");
        }
    }

    private static void mountDev(ExecPlan plan, LaunchPlan p, String r) {
        String dev = r + "/dev";
        plan.add(OP_MKDIR, dev, "755");
        // nodev: a node made with mknod here cannot be opened; the host's nodes are bound below.
        plan.add(OP_MOUNT, "tmpfs", dev, "tmpfs", Long.toString(MS_NOSUID | MS_NODEV | MS_STRICTATIME), "mode=755,size=4m");
        for (String d : DEVICES) {
            plan.add(OP_TOUCH, dev + "/" + d, "666");
            plan.add(OP_MOUNT, "/dev/" + d, dev + "/" + d, "", Long.toString(MS_BIND), "");
        }
        plan.add(OP_MKDIR, dev + "/pts", "755");
        plan.add(OP_MOUNT, "devpts", dev + "/pts", "devpts", Long.toString(MS_NOSUID | MS_NOEXEC),
                "newinstance,ptmxmode=0666,mode=620,gid=5");
        plan.add(OP_SYMLINK, "pts/ptmx", dev + "/ptmx");
        plan.add(OP_MKDIR, dev + "/shm", "1777");
        plan.add(OP_MOUNT, "tmpfs", dev + "/shm", "tmpfs", Long.toString(MS_NOSUID | MS_NODEV | MS_STRICTATIME), "mode=1777");
        plan.add(OP_TOUCH, dev + "/console", "600");
        if (p.pty()) {
            plan.add(OP_BIND_CONSOLE, dev + "/console");
        } else {
            plan.add(OP_MOUNT, "/dev/null", dev + "/console", "", Long.toString(MS_BIND), "");
        }
        plan.add(OP_SYMLINK, "/proc/self/fd", dev + "/fd");
        plan.add(OP_SYMLINK, "/proc/self/fd/0", dev + "/stdin");
        plan.add(OP_SYMLINK, "/proc/self/fd/1", dev + "/stdout");
        plan.add(OP_SYMLINK, "/proc/self/fd/2", dev + "/stderr");
    }
}
