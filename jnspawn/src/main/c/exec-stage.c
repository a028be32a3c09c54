/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jcontainer's exec stage: executes a launch plan computed by jnspawn (Java) and nothing else.
 *
 * Why C: the code between clone() and execve() cannot run in a JVM (a multithreaded process may
 * not create a user namespace, /proc of a new pid namespace must be mounted from inside it, a
 * forked JVM child cannot run Java). Every decision — which namespaces, which mounts in which
 * order, which capabilities, which system calls — is made and tested in Java; this file applies
 * an ordered list of operations (protocol.h) the way bubblewrap and runc's nsexec do.
 *
 * Processes:
 *   stage (host side)   reads the plan, clones the container's PID 1, writes its id maps, relays
 *                       signals and the console, exits with the container's exit status.
 *   PID 1 (container)   waits for GO, runs the plan's operations, then either execs the payload
 *                       itself ("direct", an init such as systemd) or stays as a tiny init that
 *                       forwards signals to the payload and reaps zombies ("stub", like nspawn's
 *                       --as-pid2 or tini).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <link.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "protocol.h"

extern char **environ;

typedef struct {
        uint16_t op;
        uint16_t argc;
        char **argv;     /* NUL-terminated copies */
        uint32_t *len;   /* byte length of each argument */
} Record;

static Record *records;
static uint32_t n_records;

static int status_fd = -1;        /* child -> stage: closed by a successful execve, a byte on failure */
static const char *console_slave; /* pty slave path when OP_CONSOLE is "pty" */
static int console_slave_fd = -1; /* OP_ENTER: the slave, opened by the stage (a container in a user
                                   * namespace may not open a pts its host root allocated) */
static int enter_userns_fd = -1;  /* OP_ENTER: the user namespace the child joins after GO */
static int entering;              /* OP_ENTER: the stage confined itself before the fork */

static void report_failure(void) {
        if (status_fd >= 0) {
                char c = 'F';
                ssize_t r = write(status_fd, &c, 1);
                (void) r;
        }
}

static void vlog(int err, const char *fmt, va_list ap) {
        char buf[1024];
        vsnprintf(buf, sizeof buf, fmt, ap);
        if (err)
                fprintf(stderr, "jnspawn: %s: %s\n", buf, strerror(err));
        else
                fprintf(stderr, "jnspawn: %s\n", buf);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die_errno(const char *fmt, ...) {
        int err = errno;
        va_list ap;
        va_start(ap, fmt);
        vlog(err, fmt, ap);
        va_end(ap);
        report_failure();
        _exit(JC_EXIT_SETUP_FAILED);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(0, fmt, ap);
        va_end(ap);
        report_failure();
        _exit(JC_EXIT_SETUP_FAILED);
}

static unsigned long long parse_ull(const char *s, int base, const char *what) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, base);
        if (errno || end == s || *end)
                die("Invalid %s '%s' in launch plan", what, s);
        return v;
}

static void read_full(int fd, void *buf, size_t n) {
        char *p = buf;
        while (n > 0) {
                ssize_t r = read(fd, p, n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        die_errno("Failed to read launch plan");
                if (r == 0)
                        die("Launch plan ended early");
                p += r;
                n -= (size_t) r;
        }
}

static void write_full(int fd, const void *buf, size_t n) {
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return; /* the reader went away; nothing better to do */
                p += w;
                n -= (size_t) w;
        }
}

static void read_plan(int fd) {
        char magic[8];
        uint32_t count, total = 0;

        read_full(fd, magic, sizeof magic);
        if (memcmp(magic, JC_PLAN_MAGIC, 8) != 0)
                die("Launch plan has a bad magic, refusing");
        read_full(fd, &count, sizeof count);
        if (count == 0 || count > JC_PLAN_MAX_RECORDS)
                die("Launch plan has %u records, refusing", count);
        records = calloc(count, sizeof(Record));
        if (!records)
                die_errno("Failed to allocate launch plan");
        for (uint32_t i = 0; i < count; i++) {
                uint16_t hdr[2];
                read_full(fd, hdr, sizeof hdr);
                Record *r = &records[i];
                r->op = hdr[0];
                r->argc = hdr[1];
                if (r->op == 0 || r->op >= _OP_MAX)
                        die("Launch plan has unknown operation %u, refusing", r->op);
                r->argv = calloc((size_t) r->argc + 1, sizeof(char *));
                r->len = calloc((size_t) r->argc + 1, sizeof(uint32_t));
                if (!r->argv || !r->len)
                        die_errno("Failed to allocate launch plan");
                for (uint16_t a = 0; a < r->argc; a++) {
                        uint32_t len;
                        read_full(fd, &len, sizeof len);
                        total += len;
                        if (len > JC_PLAN_MAX_BYTES || total > JC_PLAN_MAX_BYTES)
                                die("Launch plan is larger than %u bytes, refusing", JC_PLAN_MAX_BYTES);
                        r->argv[a] = malloc((size_t) len + 1);
                        if (!r->argv[a])
                                die_errno("Failed to allocate launch plan");
                        read_full(fd, r->argv[a], len);
                        r->argv[a][len] = 0;
                        r->len[a] = len;
                }
        }
        n_records = count;
}

static void need_args(const Record *r, uint16_t n) {
        if (r->argc != n)
                die("Operation %u takes %u arguments, got %u", r->op, n, r->argc);
}

static const char *nullable(const char *s) {
        return s && *s ? s : NULL;
}

/* ---------------------------------------------------------------- container side ---- */

static void mkdir_p(const char *path, mode_t mode) {
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

static void do_caps(uint64_t keep) {
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

static void do_seccomp(const Record *r) {
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

static int exit_code_of(int status) {
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
                        if (p == child)
                                syscall(SYS_exit_group, exit_code_of(status));
                }
        }
}

__attribute__((noreturn))
static void run_container(int sync_fd) {
        char go;
        ssize_t r;
        do
                r = read(sync_fd, &go, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1)
                _exit(JC_EXIT_SETUP_FAILED); /* the stage went away before GO */
        close(sync_fd);

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

/* ---------------------------------------------------------------- stage side ---- */

static struct termios saved_termios;
static int termios_saved;

static void restore_terminal(void) {
        if (termios_saved)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
        termios_saved = 0;
}

static void copy_winsize(int master) {
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
}

static void write_id_map(pid_t pid, const char *file, const char *map) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                die_errno("Failed to open %s", path);
        if (write(fd, map, strlen(map)) != (ssize_t) strlen(map))
                die_errno("Failed to write %s '%s'", path, map);
        close(fd);
}

/* /proc/PID/NAME of the container's leader, read through a pinned directory fd into buf (NUL-ended);
 * its length. */
static size_t read_leader_file(int procfd, const char *pid, const char *name, char *buf, size_t size) {
        int fd = openat(procfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                die_errno("Container leader %s is gone", pid);
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        if (n <= 0)
                die_errno("Failed to read /proc/%s/%s", pid, name);
        buf[n] = 0;
        return (size_t) n;
}

/* The start time of /proc/PID (field 22 of its stat), read through a pinned directory fd. */
static unsigned long long start_time_of(int procfd, const char *pid) {
        char buf[1024];
        read_leader_file(procfd, pid, "stat", buf, sizeof buf);
        char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
        if (!p)
                die("Unexpected /proc/%s/stat", pid);
        /* after ") " comes field 3 (state); field 22 is 19 fields further */
        p += 2;
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        die("Unexpected /proc/%s/stat", pid);
                p++;
        }
        return strtoull(p, NULL, 10);
}

static int namespace_flag(const char *name) {
        static const struct { const char *name; int flag; } table[] = {
                { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
                { "cgroup", CLONE_NEWCGROUP }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
                { "user", CLONE_NEWUSER },
        };
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
                if (strcmp(table[i].name, name) == 0)
                        return table[i].flag;
        die("Unknown namespace '%s' in launch plan", name);
}

/*
 * OP_ENTER: the stage applies the container's filter, capabilities and no_new_privs to itself
 * before it forks, so the command is born confined. It is visible to the container's processes
 * from its fork on (it is in their pid namespace), and one holding CAP_SYS_PTRACE (nspawn's
 * default set has it) could otherwise take it over while it still had the host's full set
 * (runc's CVE-2016-9962). Non-dumpable too, until its execve. The stage itself stays invisible
 * to the container (it is not in its pid namespace) and needs nothing more after the fork.
 */
static void confine_stage(void) {
        for (uint32_t i = 0; i < n_records; i++) {
                Record *r = &records[i];
                switch (r->op) {
                case OP_SECCOMP:
                        need_args(r, 1);
                        do_seccomp(r);
                        break;
                case OP_CAPS:
                        need_args(r, 1);
                        do_caps(parse_ull(r->argv[0], 10, "capability mask"));
                        break;
                case OP_NO_NEW_PRIVS:
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                die_errno("Failed to set no_new_privs");
                        break;
                default:
                        break;
                }
        }
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                die_errno("Failed to make the stage non-dumpable");
}

/*
 * OP_ENTER: the command gets the leader's resource limits and OOM score adjustment, as a process
 * the container forked would (docker exec does the same): not the limits of whoever ran
 * 'jcontainer exec', which may be higher. Read through the host's /proc, before any setns().
 */
static void copy_limits_of(int procfd, const char *pidtext) {
        pid_t pid = (pid_t) parse_ull(pidtext, 10, "pid");
        for (int res = 0; res < RLIM_NLIMITS; res++) {
                struct rlimit limit;
                if (prlimit(pid, (__rlimit_resource_t) res, NULL, &limit) < 0)
                        die_errno("Failed to read resource limit %d of the container's leader %s", res, pidtext);
                if (setrlimit((__rlimit_resource_t) res, &limit) < 0)
                        die_errno("Failed to set resource limit %d", res);
        }
        char score[32];
        size_t n = read_leader_file(procfd, pidtext, "oom_score_adj", score, sizeof score);
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, score, n) != (ssize_t) n)
                die_errno("Failed to set the OOM score adjustment to %.*s", (int) strcspn(score, "\n"), score);
        close(fd);
}

/* OP_ENTER, the stage's part: join the running container's namespaces (all but the user
 * namespace, which the child joins), having checked that PID is still the container's leader. */
static void enter_namespaces(const Record *r) {
        if (r->argc < 2 || r->argc > 2 + 7)
                die("Operation %u takes 2 to 9 arguments, got %u", r->op, r->argc);
        char path[64];
        snprintf(path, sizeof path, "/proc/%s", r->argv[0]);
        (void) parse_ull(r->argv[0], 10, "pid");
        /* The directory fd pins the process: if it dies and its pid is reused, lookups below it
         * fail rather than reach the newcomer. */
        int procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                die_errno("Container leader %s is gone", r->argv[0]);
        if (start_time_of(procfd, r->argv[0]) != parse_ull(r->argv[1], 10, "start time"))
                die("Process %s is no longer the container's leader, refusing", r->argv[0]);
        copy_limits_of(procfd, r->argv[0]);
        /* prlimit() went by the pid's number: still the same leader (the pinned fd fails otherwise)? */
        if (start_time_of(procfd, r->argv[0]) != parse_ull(r->argv[1], 10, "start time"))
                die("Process %s is no longer the container's leader, refusing", r->argv[0]);
        int fds[7], flags[7];
        int n = r->argc - 2;
        for (int i = 0; i < n; i++) {
                char ns[32];
                flags[i] = namespace_flag(r->argv[2 + i]);
                snprintf(ns, sizeof ns, "ns/%s", r->argv[2 + i]);
                fds[i] = openat(procfd, ns, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        die_errno("Failed to open the container's %s namespace", r->argv[2 + i]);
        }
        for (int i = 0; i < n; i++) {
                if (flags[i] == CLONE_NEWUSER) {
                        enter_userns_fd = fds[i];
                        continue;
                }
                if (setns(fds[i], flags[i]) < 0)
                        die_errno("Failed to join the container's %s namespace", r->argv[2 + i]);
                close(fds[i]);
        }
        close(procfd);
}

static int connect_control(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                die("Control socket path too long: '%s'", path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                die_errno("Failed to create control socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                die_errno("Failed to connect to '%s'", path);
        return fd;
}

/*
 * sd_notify(3) done by hand: one datagram to $NOTIFY_SOCKET (a path, or '@' for the abstract
 * namespace). With BARRIER=1 it carries the write end of a pipe, and systemd closing it tells us
 * every earlier message was processed (sd_notify_barrier). Java cannot send unix datagrams.
 */
static int notify(const char *msg, size_t len) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return -ENOENT;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t plen = strlen(path);
        if (plen >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, plen);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        int barrier[2] = { -1, -1 };
        int want_barrier = memmem(msg, len, "BARRIER=1", 9) != NULL;
        struct iovec iov = { .iov_base = (void *) msg, .iov_len = len };
        union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
        memset(&control, 0, sizeof control);
        struct msghdr mh = {
                .msg_name = &sa,
                .msg_namelen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + plen),
                .msg_iov = &iov,
                .msg_iovlen = 1,
        };
        if (want_barrier) {
                if (pipe2(barrier, O_CLOEXEC) < 0) {
                        close(fd);
                        return -errno;
                }
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof control.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &barrier[1], sizeof(int));
        }
        int r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
        close(fd);
        if (want_barrier) {
                close(barrier[1]);
                if (r == 0) {
                        struct pollfd p = { .fd = barrier[0], .events = 0 };
                        if (poll(&p, 1, 25000) == 0)
                                r = -ETIMEDOUT;
                }
                close(barrier[0]);
        }
        return r;
}

/* Reads one line from the control socket; returns 0 on EOF. */
static int read_line(int fd, char *buf, size_t size) {
        size_t n = 0;
        while (n + 1 < size) {
                ssize_t r = read(fd, buf + n, 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return 0;
                if (buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = 0;
        return 1;
}

int main(int argc, char **argv) {
        const char *control = NULL;
        for (int i = 1; i < argc; i++)
                if (strncmp(argv[i], "--control=", 10) == 0)
                        control = argv[i] + 10;
        if (!control) {
                fprintf(stderr, "jcontainer-exec: the exec stage of jnspawn; run jnspawn instead.\n");
                return JC_EXIT_SETUP_FAILED;
        }

        int ctl = connect_control(control);
        read_plan(ctl);

        unsigned long clone_flags = 0;
        const char *uid_map = NULL, *gid_map = NULL;
        int kill_signal = SIGTERM, use_pty = 0;
        for (uint32_t i = 0; i < n_records; i++) {
                Record *r = &records[i];
                switch (r->op) {
                case OP_CLONE: need_args(r, 1); clone_flags = parse_ull(r->argv[0], 10, "clone flags"); break;
                case OP_UID_MAP: need_args(r, 1); uid_map = r->argv[0]; break;
                case OP_GID_MAP: need_args(r, 1); gid_map = r->argv[0]; break;
                case OP_KILL_SIGNAL: need_args(r, 1); kill_signal = (int) parse_ull(r->argv[0], 10, "signal"); break;
                case OP_CONSOLE: need_args(r, 1); use_pty = strcmp(r->argv[0], "pty") == 0; break;
                case OP_ENTER: enter_namespaces(r); entering = 1; break;
                case OP_OPEN_TREE: {
                        need_args(r, 3);
                        int want = (int) parse_ull(r->argv[0], 10, "fd");
                        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
                        if (strcmp(r->argv[2], "1") == 0)
                                flags |= AT_RECURSIVE;
                        int fd = (int) syscall(SYS_open_tree, AT_FDCWD, r->argv[1], flags);
                        if (fd < 0)
                                die_errno("Failed to clone the mount tree of '%s'", r->argv[1]);
                        if (fd != want) {
                                if (dup3(fd, want, O_CLOEXEC) < 0)
                                        die_errno("Failed to move fd %d to %d", fd, want);
                                close(fd);
                        }
                        break;
                }
                default: break;
                }
        }

        int master = -1;
        if (use_pty) {
                static char slave[128];
                master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
                    ptsname_r(master, slave, sizeof slave) != 0)
                        die_errno("Failed to allocate a pty for the console");
                console_slave = slave;
                if (entering && (console_slave_fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
                        die_errno("Failed to open the pty '%s'", slave);
                if (isatty(STDIN_FILENO))
                        copy_winsize(master);
        }

        if (entering)
                confine_stage();

        int sync_pipe[2], status_pipe[2];
        if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(status_pipe, O_CLOEXEC) < 0)
                die_errno("Failed to create pipes");

        /* Block what we relay before cloning so no signal is lost; the child resets its mask. */
        sigset_t handled;
        sigemptyset(&handled);
        int relay[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH, SIGPIPE };
        for (size_t i = 0; i < sizeof relay / sizeof relay[0]; i++)
                sigaddset(&handled, relay[i]);
        sigprocmask(SIG_BLOCK, &handled, NULL);

        pid_t pid = (pid_t) syscall(SYS_clone, clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0)
                die_errno("Failed to create the container's namespaces (clone flags 0x%lx)", clone_flags);
        if (pid == 0) {
                close(ctl);
                close(sync_pipe[1]);
                close(status_pipe[0]);
                if (master >= 0)
                        close(master);
                status_fd = status_pipe[1];
                sigprocmask(SIG_UNBLOCK, &handled, NULL);
                run_container(sync_pipe[0]);
        }
        close(sync_pipe[0]);
        close(status_pipe[1]);
        if (console_slave_fd >= 0)
                close(console_slave_fd); /* the master reads EIO once the payload's side is closed */
        if (enter_userns_fd >= 0)
                close(enter_userns_fd);

        if (gid_map)
                write_id_map(pid, "gid_map", gid_map);
        if (uid_map)
                write_id_map(pid, "uid_map", uid_map);

        char line[64];
        int n = snprintf(line, sizeof line, "PID %d\n", (int) pid);
        write_full(ctl, line, (size_t) n);
        if (!read_line(ctl, line, sizeof line) || strcmp(line, "GO") != 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return JC_EXIT_SETUP_FAILED;
        }
        if (write(sync_pipe[1], "G", 1) != 1)
                die_errno("Failed to start the container");
        close(sync_pipe[1]);

        int sfd = signalfd(-1, &handled, SFD_CLOEXEC);
        if (sfd < 0)
                die_errno("Failed to create signalfd");

        if (master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
                struct termios raw = saved_termios;
                cfmakeraw(&raw);
                termios_saved = 1;
                tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        }

        enum { P_SIG, P_CTL, P_STATUS, P_MASTER, P_STDIN, P_N };
        struct pollfd pfd[P_N] = {
                [P_SIG] = { .fd = sfd, .events = POLLIN },
                [P_CTL] = { .fd = ctl, .events = POLLIN },
                [P_STATUS] = { .fd = status_pipe[0], .events = POLLIN },
                [P_MASTER] = { .fd = master, .events = POLLIN },
                [P_STDIN] = { .fd = master >= 0 ? STDIN_FILENO : -1, .events = POLLIN },
        };
        int detachable = 0;
        char buf[8192];
        for (;;) {
                if (poll(pfd, P_N, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        die_errno("Failed to poll");
                }
                if (pfd[P_STATUS].revents) {
                        char c;
                        ssize_t r = read(status_pipe[0], &c, 1);
                        if (r == 0) {
                                write_full(ctl, "RUNNING\n", 8);
                                detachable = 1;
                        }
                        close(status_pipe[0]);
                        pfd[P_STATUS].fd = -1;
                }
                if (pfd[P_CTL].revents) {
                        if (!read_line(ctl, line, sizeof line)) {
                                /* jnspawn is gone without handing over: nobody else would stop it. */
                                kill(pid, SIGKILL);
                                close(ctl);
                                pfd[P_CTL].fd = -1;
                        } else if (strncmp(line, "HANDOVER ", 9) == 0 && detachable) {
                                size_t len = (size_t) parse_ull(line + 9, 10, "notify length");
                                if (len > 4096)
                                        die("Notify message of %zu bytes, refusing", len);
                                char msg[4097];
                                read_full(ctl, msg, len);
                                restore_terminal();
                                /* systemd must see the container's PID 1 as its own child, or it
                                 * treats the main process as "alien", does not wait for it at stop
                                 * and SIGKILLs it at once. So the stage exits first (PID 1 and the
                                 * notifier are reparented to systemd), and a forked notifier sends
                                 * MAINPID= once that has happened. */
                                pid_t stage = getpid();
                                pid_t n = fork();
                                if (n < 0)
                                        die_errno("Failed to fork the notifier");
                                if (n == 0) {
                                        for (int i = 0; i < 10000 && getppid() == stage; i++)
                                                usleep(1000);
                                        /* Then a barrier on its own: systemd drops a BARRIER=1
                                         * message that carries anything else. */
                                        int r = notify(msg, len);
                                        if (r == 0)
                                                r = notify("BARRIER=1", 9);
                                        write_full(ctl, r < 0 ? "NOTIFY-FAILED\n" : "NOTIFIED\n", r < 0 ? 14 : 9);
                                        _exit(r < 0 ? JC_EXIT_SETUP_FAILED : 0);
                                }
                                _exit(0);
                        }
                }
                if (pfd[P_MASTER].fd >= 0 && pfd[P_MASTER].revents) {
                        ssize_t r = read(master, buf, sizeof buf);
                        if (r > 0)
                                write_full(STDOUT_FILENO, buf, (size_t) r);
                        else if (r < 0 && errno != EINTR && errno != EAGAIN)
                                pfd[P_MASTER].fd = -1; /* EIO: every slave is closed */
                }
                if (pfd[P_STDIN].fd >= 0 && pfd[P_STDIN].revents) {
                        ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
                        if (r > 0)
                                write_full(master, buf, (size_t) r);
                        else
                                pfd[P_STDIN].fd = -1;
                }
                if (pfd[P_SIG].revents) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof si) != sizeof si)
                                continue;
                        int sig = (int) si.ssi_signo;
                        if (sig == SIGCHLD) {
                                int status;
                                if (waitpid(pid, &status, WNOHANG) == pid) {
                                        /* Drain what the container wrote last. */
                                        if (master >= 0) {
                                                int fl = fcntl(master, F_GETFL);
                                                fcntl(master, F_SETFL, fl | O_NONBLOCK);
                                                ssize_t r;
                                                while ((r = read(master, buf, sizeof buf)) > 0)
                                                        write_full(STDOUT_FILENO, buf, (size_t) r);
                                        }
                                        restore_terminal();
                                        return exit_code_of(status);
                                }
                        } else if (sig == SIGWINCH) {
                                if (master >= 0)
                                        copy_winsize(master);
                        } else if (sig == SIGTERM || sig == SIGINT) {
                                kill(pid, kill_signal);
                        } else if (sig != SIGPIPE) {
                                kill(pid, sig);
                        }
                }
        }
}
