package io.jcontainer.jnspawn.internal.exec;

/**
 * The operation codes and limits of the launch-plan protocol spoken with the exec stage.
 *
 * <p>Keep in sync with {@code jnspawn/src/main/c/protocol.h}; {@code ExecProtocolTest} parses
 * that header and checks that every value here matches it.
 */
public final class ExecProtocol {
    public static final String MAGIC = "JCPLAN01";
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    public static final int MAX_RECORDS = 65536;

    public static final int EXIT_SETUP_FAILED = 125;
    public static final int EXIT_CANNOT_EXECUTE = 126;
    public static final int EXIT_NOT_FOUND = 127;

    public static final int OP_CLONE = 1;
    public static final int OP_UID_MAP = 2;
    public static final int OP_GID_MAP = 3;
    public static final int OP_KILL_SIGNAL = 4;
    public static final int OP_CONSOLE = 5;
    public static final int OP_OPEN_TREE = 6;
    public static final int OP_PDEATHSIG = 10;
    public static final int OP_SET_IDS = 11;
    public static final int OP_UNSHARE = 12;
    public static final int OP_MOUNT = 13;
    public static final int OP_BIND_REMOUNT = 14;
    public static final int OP_MKDIR = 15;
    public static final int OP_TOUCH = 16;
    public static final int OP_SYMLINK = 17;
    public static final int OP_BIND_CONSOLE = 18;
    public static final int OP_PIVOT_ROOT = 19;
    public static final int OP_SETHOSTNAME = 20;
    public static final int OP_CAPS = 21;
    public static final int OP_NO_NEW_PRIVS = 22;
    public static final int OP_SECCOMP = 23;
    public static final int OP_ENV = 24;
    public static final int OP_ARGV = 25;
    public static final int OP_EXEC = 26;
    public static final int OP_ATTACH = 27;
    /** jcontainer exec: join a running container's namespaces (see protocol.h). */
    public static final int OP_ENTER = 40;

    // A plan file's own records (jcontainer-exec --plan=FILE), before its operations; see protocol.h.
    public static final String PLAN_FILE_MAGIC = "JCPLANF1";
    public static final int OP_PLAN_MACHINE = 60;
    public static final int OP_PLAN_JVM_ONLY = 61;
    public static final int OP_PLAN_INPUT = 62;
    public static final int OP_PLAN_KERNEL = 63;
    public static final int OP_PLAN_ENV = 64;
    public static final int OP_PLAN_CONSOLE = 65;
    public static final int OP_PLAN_PROPS = 66;
    public static final int OP_PLAN_STAGE = 67;
    public static final int OP_PLAN_RUNTIME = 68;
    public static final int OP_PLAN_STORE_LOCK = 69;
    public static final int OP_PLAN_WORKDIR = 70;
    public static final int OP_PLAN_WRITE = 71;
    public static final int OP_PLAN_STATE = 72;
    public static final int OP_PLAN_HOST_CMD = 73;
    public static final int OP_PLAN_DEVICE_CGROUP = 74;

    // clone(2) flags; values from <linux/sched.h>.
    public static final long CLONE_NEWNS = 0x00020000L;
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;

    // mount(2) flags; values from <linux/mount.h>.
    public static final long MS_RDONLY = 1L;
    public static final long MS_NOSUID = 2L;
    public static final long MS_NODEV = 4L;
    public static final long MS_NOEXEC = 8L;
    public static final long MS_REMOUNT = 32L;
    public static final long MS_BIND = 4096L;
    public static final long MS_REC = 16384L;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_STRICTATIME = 1L << 24;

    private ExecProtocol() {
    }

    /** The protocol name of an operation code, for plans printed by {@code --dry-run}. */
    public static String opName(int op) {
        switch (op) {
            case OP_CLONE: return "clone";
            case OP_UID_MAP: return "uid-map";
            case OP_GID_MAP: return "gid-map";
            case OP_KILL_SIGNAL: return "kill-signal";
            case OP_CONSOLE: return "console";
            case OP_OPEN_TREE: return "open-tree";
            case OP_PDEATHSIG: return "pdeathsig";
            case OP_SET_IDS: return "set-ids";
            case OP_UNSHARE: return "unshare";
            case OP_MOUNT: return "mount";
            case OP_BIND_REMOUNT: return "bind-remount";
            case OP_MKDIR: return "mkdir";
            case OP_TOUCH: return "touch";
            case OP_SYMLINK: return "symlink";
            case OP_BIND_CONSOLE: return "bind-console";
            case OP_PIVOT_ROOT: return "pivot-root";
            case OP_SETHOSTNAME: return "sethostname";
            case OP_CAPS: return "caps";
            case OP_NO_NEW_PRIVS: return "no-new-privs";
            case OP_SECCOMP: return "seccomp";
            case OP_ENV: return "env";
            case OP_ARGV: return "argv";
            case OP_EXEC: return "exec";
            case OP_ATTACH: return "attach";
            case OP_ENTER: return "enter";
            case OP_PLAN_MACHINE: return "plan-machine";
            case OP_PLAN_JVM_ONLY: return "plan-jvm-only";
            case OP_PLAN_INPUT: return "plan-input";
            case OP_PLAN_KERNEL: return "plan-kernel";
            case OP_PLAN_ENV: return "plan-env";
            case OP_PLAN_CONSOLE: return "plan-console";
            case OP_PLAN_PROPS: return "plan-props";
            case OP_PLAN_STAGE: return "plan-stage";
            case OP_PLAN_RUNTIME: return "plan-runtime";
            case OP_PLAN_STORE_LOCK: return "plan-store-lock";
            case OP_PLAN_WORKDIR: return "plan-workdir";
            case OP_PLAN_WRITE: return "plan-write";
            case OP_PLAN_STATE: return "plan-state";
            case OP_PLAN_HOST_CMD: return "plan-host-cmd";
            case OP_PLAN_DEVICE_CGROUP: return "plan-device-cgroup";
            default: return "op" + op;
        }
    }
}
