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
 * What jnspawn asked the stage to send systemd if the container ends before it is handed over
 * ("ONEXIT n", see protocol.h): READY=1, so that systemd judges the payload's exit status as it
 * would judge systemd-nspawn's (Type=notify calls a clean exit before READY=1 a 'protocol'
 * failure). Sent with a barrier, so systemd has read it before jnspawn, the main process, exits.
 */
static char onexit_msg[4097];
static size_t onexit_len;
static int onexit_set;

static int container_ended(int send_onexit, pid_t pid, int status, Plan *plan, int master, char *buf, size_t size);

/* Reads the n bytes of a "VERB n" line's message from the control socket into buf (4097 bytes). */
static size_t read_message(int ctl, const char *count, char *buf) {
        size_t len = (size_t) parse_ull(count, 10, "notify length");
        if (len > 4096)
                die("Notify message of %zu bytes, refusing", len);
        read_full(ctl, buf, len);
        buf[len] = 0;
        return len;
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
        /* The hold pipe (a jnspawn start, not jcontainer exec nor a planned start): the stub init
         * does not exit after its payload until the write end is closed everywhere. The stage
         * closes it after GO unless jnspawn hands the container over to systemd (ONEXIT came);
         * then the hand-over's notifier closes it once systemd has read MAINPID=, so a payload
         * that ends meanwhile is still systemd's main process when it ends. */
        int hold_pipe[2] = { -1, -1 };
        if (ctl >= 0 && !entering && pipe2(hold_pipe, O_CLOEXEC) < 0)
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
                if (hold_pipe[1] >= 0)
                        close(hold_pipe[1]);
                hold_fd = hold_pipe[0];
                sigprocmask(SIG_UNBLOCK, &handled, NULL);
                run_container(sync_pipe[0]);
        }
        close(sync_pipe[0]);
        close(status_pipe[1]);
        if (hold_pipe[0] >= 0)
                close(hold_pipe[0]);
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
                int got = read_line(ctl, line, sizeof line);
                if (got && strncmp(line, "ONEXIT ", 7) == 0) {
                        onexit_len = read_message(ctl, line + 7, onexit_msg);
                        onexit_set = 1;
                        got = read_line(ctl, line, sizeof line);
                }
                if (!got || strcmp(line, "GO") != 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return JC_EXIT_SETUP_FAILED;
                }
        }
        if (!onexit_set && hold_pipe[1] >= 0) {
                close(hold_pipe[1]); /* no hand-over: the stub exits with its payload */
                hold_pipe[1] = -1;
        }
        /* 'H' tells the stub that the hold stays armed (container.c, run_container). */
        if (write(sync_pipe[1], hold_pipe[1] >= 0 ? "H" : "G", 1) != 1)
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
                        } else if (hold_pipe[1] >= 0) {
                                close(hold_pipe[1]); /* the payload could not run: nothing to hand over */
                                hold_pipe[1] = -1;
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
                                char msg[4097];
                                size_t len = read_message(ctl, line + 9, msg);
                                /* The payload may have ended already (a SIGCHLD not read yet): then
                                 * there is no main process to hand over, and the container's status
                                 * is the stage's and jnspawn's. */
                                int status;
                                if (waitpid(pid, &status, WNOHANG) == pid)
                                        return container_ended(1, pid, status, plan, master, buf, sizeof buf);
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
                                        if (hold_pipe[1] >= 0)
                                                close(hold_pipe[1]);
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
                                if (waitpid(pid, &status, WNOHANG) == pid)
                                        return container_ended(detachable && pfd[P_CTL].fd >= 0, pid, status,
                                                               plan, master, buf, sizeof buf);
                        } else if (sig == SIGWINCH) {
                                if (master >= 0)
                                        copy_winsize(master);
                        } else if (sig == SIGTERM || sig == SIGINT) {
                                /* A stop before the hand-over: the container ends, with no READY=1. */
                                onexit_set = 0;
                                if (hold_pipe[1] >= 0) {
                                        close(hold_pipe[1]);
                                        hold_pipe[1] = -1;
                                }
                                kill(pid, kill_signal);
                        } else if (sig != SIGPIPE) {
                                kill(pid, sig);
                        }
                }
        }
}

/* The container's PID 1 has been reaped (status): the last output, the clean-up, ONEXIT's message
 * (send_onexit: the payload ran, and jnspawn is still there), and the exit status of the stage. */
static int container_ended(int send_onexit, pid_t pid, int status, Plan *plan, int master, char *buf, size_t size) {
        if (master >= 0) {
                /* Drain what the container wrote last. */
                int fl = fcntl(master, F_GETFL);
                fcntl(master, F_SETFL, fl | O_NONBLOCK);
                ssize_t r;
                while ((r = read(master, buf, size)) > 0)
                        write_full(STDOUT_FILENO, buf, (size_t) r);
        }
        restore_terminal();
        if (plan)
                planned_finish(plan, pid);
        if (send_onexit && onexit_set && onexit_len > 0) {
                int r = notify(onexit_msg, onexit_len);
                if (r == 0)
                        r = notify("BARRIER=1", 9);
                if (r < 0) {
                        errno = -r;
                        fprintf(stderr, "jnspawn: Failed to notify the service manager ($NOTIFY_SOCKET): %m\n");
                }
        }
        return exit_code_of(status);
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
