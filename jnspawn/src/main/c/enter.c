/* SPDX-License-Identifier: Apache-2.0 */
/* jcontainer exec (OP_ENTER): the stage joins a running container's namespaces and confines itself (see exec-stage.c). */
#include "stage.h"

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
void confine_stage(void) {
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
void enter_namespaces(const Record *r) {
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
