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
#include "stage.h"


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

/*
 * Runs the plan in records: clone, id maps, then either the control socket's conversation with jnspawn
 * (ctl >= 0) or a planned start's own host side (plan != NULL), the relay loop, the exit status.
 */
static int launch(int ctl, Plan *plan) {
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
        if (plan) {
                if (planned_after_clone(plan, pid) < 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        planned_undo();
                        plan_fallback(plan, "its host side failed before the payload ran");
                }
        } else {
                int n = snprintf(line, sizeof line, "PID %d\n", (int) pid);
                write_full(ctl, line, (size_t) n);
                if (!read_line(ctl, line, sizeof line) || strcmp(line, "GO") != 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return JC_EXIT_SETUP_FAILED;
                }
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
                                if (plan)
                                        planned_running(plan, pid);
                                else
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
                                        if (plan)
                                                planned_finish(plan, pid);
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

int main(int argc, char **argv) {
        const char *control = NULL;
        Plan plan = { .props = "" };
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        plan.fallback = argv[i + 1] ? argv + i + 1 : NULL;
                        break;
                }
                if (strncmp(argv[i], "--control=", 10) == 0)
                        control = argv[i] + 10;
                else if (strncmp(argv[i], "--plan=", 7) == 0)
                        plan.file = argv[i] + 7;
                else if (strncmp(argv[i], "--machine=", 10) == 0)
                        plan.machine = argv[i] + 10;
                else if (strncmp(argv[i], "--props=", 8) == 0)
                        plan.props = argv[i] + 8;
        }
        stage_pid = getpid();
        if (control && !plan.file) {
                int ctl = connect_control(control);
                read_plan(ctl);
                return launch(ctl, NULL);
        }
        if (plan.file && plan.machine && !control) {
                /* Every doubt from here to the payload's start execs the fallback, the JVM path. */
                plan_load(&plan);
                planned_prepare(&plan);
                return launch(-1, &plan);
        }
        fprintf(stderr, "jcontainer-exec: the exec stage of jnspawn; run jnspawn instead.\n"
                        "  (jcontainer-exec --plan=FILE --machine=NAME [--props=TEXT] -- JVM-LAUNCHER ARGS...)\n");
        return JC_EXIT_SETUP_FAILED;
}
