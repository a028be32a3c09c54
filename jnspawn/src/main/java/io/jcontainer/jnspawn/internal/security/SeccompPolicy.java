package io.jcontainer.jnspawn.internal.security;

import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Decides which system calls a container may not make, given the capabilities it keeps.
 *
 * <p>Modeled on systemd-nspawn's filter (src/nspawn/nspawn-seccomp.c) with the group contents
 * of systemd's src/shared/seccomp-util.c, cross-checked with Docker's default profile
 * (moby profiles/seccomp/default.json). nspawn writes an <em>allow</em> list and refuses the
 * rest; jcontainer writes the <em>deny</em> list those sources name and allows the rest,
 * because an allow list must know every call a libc may try (nspawn relies on libseccomp's
 * {@code @known} set to answer ENOSYS to newer ones so glibc falls back), while a deny list
 * needs only the names below. The consequence: a system call newer than this list is allowed,
 * and the kernel's own checks (with the reduced capability bounding set) are what guard it.
 *
 * <p>Like nspawn, some groups are refused only while the capability that makes them useful is
 * dropped (nspawn's {@code { CAP_SYS_TIME, "@clock" }} entries): a container given
 * CAP_SYS_TIME can set the clock, one without it gets EPERM from the filter before the kernel
 * would have said the same. Everything nspawn allows for containers stays allowed: mount,
 * umount2, pivot_root, unshare, setns, clone, chroot, sethostname (they act on the
 * container's own namespaces), reboot while CAP_SYS_BOOT is kept (inside a pid namespace
 * reboot() ends the container's PID 1 with SIGHUP/SIGINT instead of rebooting the host, which
 * is how {@code Boot=yes} containers stop and restart), ptrace while CAP_SYS_PTRACE is kept.
 */
public final class SeccompPolicy {

    /** A set of system calls refused unless {@code capability} is kept (null: always refused). */
    private record Rule(String capability, List<String> syscalls) {
    }

    private static final List<Rule> RULES = List.of(
            // nspawn-seccomp.c "knowingly excluded" groups and calls, refused whatever the caps:

            // @keyring: the kernel keyring is not namespaced (nspawn's own note); Docker also
            // refuses these.
            always("add_key", "keyctl", "request_key"),
            // @swap: swap is a host resource; swapon/swapoff need CAP_SYS_ADMIN, which containers keep.
            always("swapoff", "swapon"),
            // @cpu-emulation. modify_ldt: Docker allows it on x86 (Wine, 16-bit code); nspawn
            // refuses it, and so do we: a long CVE history for a feature servers do not need.
            // subpage_prot and switch_endian are powerpc-only, vm86/vm86old i386-only: they
            // are skipped on x86_64/aarch64 but keep the list faithful to the group.
            always("modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old"),
            // @obsolete: unused, unimplemented or superseded calls; nothing needs them, some
            // (uselib, _sysctl, ustat, sysfs) are old attack surface. Docker omits all of them.
            always("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
                    "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
                    "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stime", "stty",
                    "sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver"),
            // @reboot minus reboot: kexec replaces the host kernel.
            always("kexec_file_load", "kexec_load"),
            // bpf: bpffs and most program types are not namespaced (nspawn's note); refused
            // even with CAP_BPF, as nspawn does (Docker would allow it with CAP_BPF/SYS_ADMIN).
            always("bpf"),
            // fanotify: with CAP_SYS_ADMIN (kept by default) fanotify can watch whole mounts and
            // file systems, and so every host process using a bind-mounted host directory or
            // an image layer; nspawn refuses both calls.
            always("fanotify_init", "fanotify_mark"),
            // Tracing and profiling that observe the host kernel (nspawn and Docker refuse).
            always("lookup_dcookie", "perf_event_open"),
            // nfsservctl: removed in 3.1, refused by nspawn and Docker.
            always("nfsservctl"),
            // open_by_handle_at: with CAP_DAC_READ_SEARCH (kept by default) it opens any inode
            // of a mounted file system by handle, escaping the container's root ("shocker").
            // name_to_handle_at stays allowed, as in nspawn.
            always("open_by_handle_at"),
            // Disk quotas are per file system, hence shared with the host. quotactl_fd (5.14) is
            // newer than nspawn's list; Docker gates it together with quotactl.
            always("quotactl", "quotactl_fd"),
            // userfaultfd: nspawn allows it; Docker refuses it, and so do we: it lets a process
            // stall the kernel inside a copy from user memory, the standard way to widen a
            // kernel race into an exploit (why vm.unprivileged_userfaultfd exists).
            always("userfaultfd"),

            // nspawn-seccomp.c entries allowed only with a capability:
            gated("CAP_SYS_TIME", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
                    "clock_settime64", "settimeofday"),                        // @clock
            gated("CAP_SYS_MODULE", "delete_module", "finit_module", "init_module"), // @module
            gated("CAP_SYS_RAWIO", "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read",
                    "pciconfig_write"),                                        // @raw-io
            gated("CAP_SYS_PACCT", "acct"),
            gated("CAP_SYSLOG", "syslog"),               // the kernel log is not namespaced
            gated("CAP_SYS_BOOT", "reboot"),
            gated("CAP_SYS_PTRACE", "process_vm_readv", "process_vm_writev", "ptrace"),
            gated("CAP_SYS_TTY_CONFIG", "vhangup"));

    // Deliberately not refused although nspawn does:
    //  - @memlock (mlock, mlock2, mlockall, munlock, munlockall; nspawn gates it on
    //    CAP_IPC_LOCK): RLIMIT_MEMLOCK already bounds it without privilege, Docker allows it,
    //    and programs such as gpg-agent and databases use it for secrets and latency.
    //  - @pkey (pkey_alloc, pkey_free, pkey_mprotect): protection keys only restrict the
    //    caller's own memory; Docker allows them and JITs use them.
    // Allowed as in nspawn although Docker refuses or restricts them: mount and the new mount
    // API, unshare, setns, clone/clone3, pivot_root, personality, kcmp, mbind/set_mempolicy,
    // io_uring_* (nspawn's @aio).

    private SeccompPolicy() {
    }

    /** The system calls refused to a container keeping nspawn's default capabilities. */
    public static SortedSet<String> defaultDenied() {
        return denied(Capabilities.NSPAWN_DEFAULT);
    }

    /**
     * The system calls refused to a container that keeps the capabilities in
     * {@code retainedCapabilities} (a mask as {@link Capabilities#parseList} returns). Names
     * are architecture-independent; {@link SeccompFilter#build} skips those an architecture
     * lacks.
     */
    public static SortedSet<String> denied(long retainedCapabilities) {
        SortedSet<String> denied = new TreeSet<>();
        for (Rule rule : RULES) {
            if (rule.capability() == null || !Capabilities.contains(retainedCapabilities, rule.capability())) {
                denied.addAll(rule.syscalls());
            }
        }
        return Collections.unmodifiableSortedSet(denied);
    }

    private static Rule always(String... syscalls) {
        return new Rule(null, List.of(syscalls));
    }

    private static Rule gated(String capability, String... syscalls) {
        Capabilities.number(capability); // fail class init on a typo rather than never gating
        return new Rule(capability, List.of(syscalls));
    }
}
