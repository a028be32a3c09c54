/* SPDX-License-Identifier: Apache-2.0 */
/* The container's PID 1: runs the plan's operations after GO, then the payload (see exec-stage.c). */
#include "stage.h"


/* ---------------------------------------------------------------- container side ---- */

void mkdir_p(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        if (strlen(path) >= sizeof buf)
                die("Path too long: '%s'", path);
        strcpy(buf, path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        die_errno("Failed to create directory '%s'", buf);
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                die_errno("Failed to create directory '%s'", buf);
}

/* Flags a less privileged mount namespace may not clear on remount ("locked"), see mount(2). */
static unsigned long locked_flags(const char *target) {
        struct statvfs sv;
        unsigned long f = 0;
        if (statvfs(target, &sv) < 0)
                die_errno("Failed to stat mount '%s'", target);
        if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
        if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
        if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
        return f;
}

void do_caps(uint64_t keep) {
        int last = CAP_LAST_CAP;
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f) {
                if (fscanf(f, "%d", &last) != 1)
                        last = CAP_LAST_CAP;
                fclose(f);
        }
        for (int c = 0; c <= last && c < 64; c++) {
                if (keep & (1ULL << c) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
                        continue; /* kept, or gone already (dropping needs CAP_SETPCAP) */
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        die_errno("Failed to drop capability %d from the bounding set", c);
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                die_errno("Failed to clear ambient capabilities");

        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                die_errno("Failed to read capabilities");
        for (int i = 0; i < 2; i++) {
                uint32_t k = (uint32_t) (keep >> (32 * i));
                d[i].effective &= k;
                d[i].permitted &= k;
                d[i].inheritable = d[i].permitted;
        }
        if (syscall(SYS_capset, &h, d) < 0)
                die_errno("Failed to set capabilities");
}

void do_seccomp(const Record *r) {
        if (r->len[0] == 0 || r->len[0] % sizeof(struct sock_filter) != 0)
                die("Seccomp filter has a bad length %u", r->len[0]);
        struct sock_fprog prog = {
                .len = (unsigned short) (r->len[0] / sizeof(struct sock_filter)),
                .filter = (struct sock_filter *) (void *) r->argv[0],
        };
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                die_errno("Failed to install the system call filter");
}

static gid_t *parse_groups(const char *s, size_t *n) {
        size_t cap = 1;
        for (const char *p = s; *p; p++)
                if (*p == ',')
                        cap++;
        gid_t *g = calloc(cap, sizeof(gid_t));
        if (!g)
                die_errno("Failed to allocate groups");
        *n = 0;
        if (!*s)
                return g;
        char *copy = strdup(s), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                g[(*n)++] = (gid_t) parse_ull(t, 10, "group");
        free(copy);
        return g;
}

static void reset_signals(void) {
        sigset_t none;
        sigemptyset(&none);
        for (int s = 1; s < NSIG; s++)
                signal(s, SIG_DFL); /* EINVAL for SIGKILL/SIGSTOP and the reserved ones is fine */
        sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Runs as the payload: become the user, enter the working directory, exec. Never returns. */
__attribute__((noreturn))
static void exec_payload(const Record *ex, char **env, char **argv) {
        uid_t uid = (uid_t) parse_ull(ex->argv[1], 10, "uid");
        gid_t gid = (gid_t) parse_ull(ex->argv[2], 10, "gid");
        size_t ngroups;
        gid_t *groups = parse_groups(ex->argv[3], &ngroups);
        const char *cwd = ex->argv[4];

        if (console_slave) {
                /* A session of its own with /dev/console (the bound pty slave) as its terminal. */
                if (setsid() < 0)
                        die_errno("Failed to create a session");
                int fd = console_slave_fd >= 0 ? console_slave_fd : open("/dev/console", O_RDWR);
                if (fd < 0)
                        die_errno("Failed to open /dev/console");
                if (ioctl(fd, TIOCSCTTY, 0) < 0)
                        die_errno("Failed to make /dev/console the controlling terminal");
                for (int i = 0; i < 3; i++)
                        if (dup2(fd, i) < 0)
                                die_errno("Failed to set up standard file descriptors");
                if (fd > 2)
                        close(fd);
        }
        if (setgroups(ngroups, groups) < 0)
                die_errno("Failed to set supplementary groups");
        if (setresgid(gid, gid, gid) < 0)
                die_errno("Failed to set gid %u", (unsigned) gid);
        if (setresuid(uid, uid, uid) < 0)
                die_errno("Failed to set uid %u", (unsigned) uid);
        if (chdir(cwd) < 0)
                die_errno("Failed to change to working directory '%s'", cwd);
        if (!argv || !argv[0])
                die("No command to execute");

        environ = env;
        reset_signals();
        execvp(argv[0], argv);

        int err = errno;
        fprintf(stderr, "jnspawn: Failed to execute '%s': %s\n", argv[0], strerror(err));
        report_failure();
        _exit(err == ENOENT || err == ENOTDIR ? JC_EXIT_NOT_FOUND : JC_EXIT_CANNOT_EXECUTE);
}

int exit_code_of(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return JC_EXIT_SETUP_FAILED;
}

/*
 * The stub ran the container's whole setup (mounts, pivot_root, seccomp, capabilities) before it
 * became the stub, and that code stays mapped in its page tables: ~600 KB of text and read-only
 * data counted as its memory (RSS, PSS) for as long as the container runs, though its loop needs a
 * few pages of it. So it unmaps the read-only segments of the program (the page cache keeps them)
 * and what the loop uses faults back in, with the kernel's fault-around 64 KB at a time: hence
 * the loop's system calls all go through syscall(2), one place in the text. Never a page of a
 * writable segment (RELRO included): MADV_DONTNEED on written private pages would lose the writes.
 */
struct segments {
        int n;
        uintptr_t start[8], end[8];
};

static int read_only_segments(struct dl_phdr_info *info, size_t size, void *data) {
        (void) size;
        struct segments *out = data;
        uintptr_t page = (uintptr_t) getpagesize();
        uintptr_t writable = UINTPTR_MAX; /* the lowest page of a writable segment */
        for (int i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
                        uintptr_t first = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
                        if (first < writable)
                                writable = first;
                }
        }
        for (int i = 0; i < info->dlpi_phnum && out->n < 8; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
                        continue;
                uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
                uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
                if (start < writable && end > writable)
                        end = writable;
                if (end > start) {
                        out->start[out->n] = start;
                        out->end[out->n] = end;
                        out->n++;
                }
        }
        return 1; /* the program itself comes first; a static one has nothing else */
}

/* PID 1 for a payload that is not an init: forward every signal to it, reap every zombie,
 * exit with its status. When PID 1 exits the kernel kills the rest of the namespace. */
__attribute__((noreturn))
static void run_stub(const Record *ex, char **env, char **argv) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        /* Named before the fork: the payload may look at PID 1 (ps, /proc/1/comm) at once. Its
         * own execve() gives it its own name. */
        prctl(PR_SET_NAME, "jcontainer-init", 0, 0, 0);

        pid_t child = fork();
        if (child < 0)
                die_errno("Failed to fork the payload");
        if (child == 0)
                exec_payload(ex, env, argv);

        /* Only the payload's execve() may close the stage's status pipe. */
        close(status_fd);
        status_fd = -1;
        /* The setup code out of the stub's memory (read_only_segments); best effort. From the
         * first madvise on, system calls through syscall(2) alone. */
        struct segments text = { 0 };
        dl_iterate_phdr(read_only_segments, &text);
        for (int i = 0; i < text.n; i++)
                syscall(SYS_madvise, text.start[i], text.end[i] - text.start[i], MADV_DONTNEED);
        for (;;) {
                siginfo_t si;
                int sig = (int) syscall(SYS_rt_sigtimedwait, &all, &si, NULL, (size_t) (_NSIG / 8));
                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        syscall(SYS_kill, child, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t p = (pid_t) syscall(SYS_wait4, -1, &status, WNOHANG, NULL);
                        if (p <= 0)
                                break;
                        if (p == child) {
                                /* Under systemd the hold pipe's far end closes once systemd has this
                                 * process as the main PID (or there is nobody to hand it over to), so
                                 * that systemd, not a gone main PID, gets the payload's status. */
                                char c;
                                if (hold_fd >= 0)
                                        while (syscall(SYS_read, hold_fd, &c, 1) < 0 && errno == EINTR)
                                                ;
                                syscall(SYS_exit_group, exit_code_of(status));
                        }
                }
        }
}

__attribute__((noreturn))
void run_container(int sync_fd) {
        char go;
        ssize_t r;
        do
                r = read(sync_fd, &go, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1)
                _exit(JC_EXIT_SETUP_FAILED); /* the stage went away before GO */
        close(sync_fd);
        /* 'H': the hold stays armed (a hand-over to systemd follows); 'G': no hand-over, so the hold
         * pipe's far end is closed already and the stub keeps no descriptor but 0-2 (EscapeTest). */
        if (go != 'H' && hold_fd >= 0) {
                close(hold_fd);
                hold_fd = -1;
        }

        char **env = NULL, **argv = NULL;
        for (uint32_t i = 0; i < n_records; i++) {
                Record *rec = &records[i];
                char **a = rec->argv;
                switch (rec->op) {
                case OP_CLONE: case OP_UID_MAP: case OP_GID_MAP: case OP_KILL_SIGNAL: case OP_CONSOLE:
                case OP_OPEN_TREE:
                        break; /* the stage's own */
                case OP_ATTACH: {
                        need_args(rec, 2);
                        int fd = (int) parse_ull(a[0], 10, "fd");
                        if (syscall(SYS_move_mount, fd, "", AT_FDCWD, a[1], MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                die_errno("Failed to attach mount tree %d on '%s'", fd, a[1]);
                        close(fd);
                        break;
                }
                case OP_ENTER:
                        if (enter_userns_fd >= 0) {
                                if (setns(enter_userns_fd, CLONE_NEWUSER) < 0)
                                        die_errno("Failed to join the container's user namespace");
                                close(enter_userns_fd);
                                enter_userns_fd = -1;
                        }
                        break;
                case OP_PDEATHSIG:
                        need_args(rec, 1);
                        if (prctl(PR_SET_PDEATHSIG, (int) parse_ull(a[0], 10, "signal"), 0, 0, 0) < 0)
                                die_errno("Failed to set the parent death signal");
                        break;
                case OP_SET_IDS: {
                        need_args(rec, 2);
                        uid_t u = (uid_t) parse_ull(a[0], 10, "uid");
                        gid_t g = (gid_t) parse_ull(a[1], 10, "gid");
                        if (setgroups(0, NULL) < 0)
                                die_errno("Failed to clear supplementary groups");
                        if (setresgid(g, g, g) < 0)
                                die_errno("Failed to set gid %u", (unsigned) g);
                        if (setresuid(u, u, u) < 0)
                                die_errno("Failed to set uid %u", (unsigned) u);
                        break;
                }
                case OP_UNSHARE:
                        need_args(rec, 1);
                        if (unshare((int) parse_ull(a[0], 10, "unshare flags")) < 0)
                                die_errno("Failed to unshare namespaces %s", a[0]);
                        break;
                case OP_MOUNT:
                        need_args(rec, 5);
                        if (mount(nullable(a[0]), a[1], nullable(a[2]), parse_ull(a[3], 10, "mount flags"),
                                  nullable(a[4])) < 0)
                                die_errno("Failed to mount '%s' (%s) on '%s'", a[0], a[2], a[1]);
                        break;
                case OP_BIND_REMOUNT:
                        need_args(rec, 2);
                        if (mount(NULL, a[0], NULL,
                                  MS_REMOUNT | MS_BIND | parse_ull(a[1], 10, "mount flags") | locked_flags(a[0]),
                                  NULL) < 0)
                                die_errno("Failed to remount '%s'", a[0]);
                        break;
                case OP_MKDIR:
                        need_args(rec, 2);
                        mkdir_p(a[0], (mode_t) parse_ull(a[1], 8, "mode"));
                        break;
                case OP_TOUCH: {
                        need_args(rec, 2);
                        int fd = open(a[0], O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                                      (mode_t) parse_ull(a[1], 8, "mode"));
                        if (fd < 0) {
                                /* A read-only root (an overlay of lower layers only) refuses O_CREAT even for a
                                 * file that is there: a mount point that exists is all this asks for. */
                                struct stat st;
                                int saved = errno;
                                if (saved == EROFS && lstat(a[0], &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
                                        break;
                                errno = saved;
                                die_errno("Failed to create '%s'", a[0]);
                        }
                        close(fd);
                        break;
                }
                case OP_SYMLINK:
                        need_args(rec, 2);
                        if (symlink(a[0], a[1]) < 0 && errno != EEXIST)
                                die_errno("Failed to create symlink '%s'", a[1]);
                        break;
                case OP_BIND_CONSOLE:
                        need_args(rec, 1);
                        if (!console_slave)
                                die("Console bind requested without a pty console");
                        if (mount(console_slave, a[0], NULL, MS_BIND, NULL) < 0)
                                die_errno("Failed to bind console '%s' on '%s'", console_slave, a[0]);
                        break;
                case OP_PIVOT_ROOT:
                        need_args(rec, 1);
                        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching
                         * it leaves no path back to the host's root (unlike chroot). */
                        if (chdir(a[0]) < 0)
                                die_errno("Failed to enter '%s'", a[0]);
                        if (syscall(SYS_pivot_root, ".", ".") < 0)
                                die_errno("Failed to pivot_root into '%s'", a[0]);
                        if (umount2(".", MNT_DETACH) < 0)
                                die_errno("Failed to detach the old root");
                        if (chdir("/") < 0)
                                die_errno("Failed to enter the new root");
                        break;
                case OP_SETHOSTNAME:
                        need_args(rec, 1);
                        if (sethostname(a[0], strlen(a[0])) < 0)
                                die_errno("Failed to set hostname '%s'", a[0]);
                        break;
                case OP_CAPS:
                        /* Also when entering: joining a user namespace gave a full bounding set. */
                        need_args(rec, 1);
                        do_caps(parse_ull(a[0], 10, "capability mask"));
                        break;
                case OP_NO_NEW_PRIVS:
                        if (entering)
                                break; /* inherited from the stage */
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                die_errno("Failed to set no_new_privs");
                        break;
                case OP_SECCOMP:
                        need_args(rec, 1);
                        if (!entering)
                                do_seccomp(rec);
                        break;
                case OP_ENV:
                        env = a;
                        break;
                case OP_ARGV:
                        argv = a;
                        break;
                case OP_EXEC:
                        need_args(rec, 5);
                        if (!env)
                                env = (char *[]) { NULL };
                        if (strcmp(a[0], "stub") == 0)
                                run_stub(rec, env, argv);
                        exec_payload(rec, env, argv);
                default:
                        die("Unknown operation %u", rec->op);
                }
        }
        die("Launch plan has no exec operation");
}
