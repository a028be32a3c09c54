/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A planned start's host side, what Launcher.java does around the exec stage in the foreground: the store's
 * shared lock while the layers are checked and until the state record names them, the staging dir
 * RUNTIME/jnspawn.NAME.PID.N with the files the plan gives, the overlay work dir, the host commands between
 * clone and GO (the loopback of Network=none), the state record once the payload runs, and the clean-up at the
 * end. Names and formats are Java's, so that jnspawn --cleanup and jcontainer cleanup see no difference.
 */
#include "stage.h"

#include <dirent.h>

#define STAGING_SLOT "@STAGING@"

static int lock_fd = -1;
static char staging[PATH_MAX];
static char state_path[PATH_MAX];
static const char *runtime;
static char cgroup[PATH_MAX];

/* out = a "/" b, or die: a path that does not fit is no path of ours. */
static void join(char *out, size_t size, const char *a, const char *b) {
        int n = snprintf(out, size, "%s/%s", a, b);
        if (n < 0 || (size_t) n >= size)
                die("Path too long: '%s/%s'", a, b);
}

static const char *arg1(const Plan *p, uint16_t op) {
        const Record *r = plan_find(p, op);
        return r && r->argc == 1 ? r->argv[0] : NULL;
}

/* fcntl(F_SETLK) as Java's FileChannel.tryLock(shared), every 20 ms, for at most 30 s (jcontainer.store.lock.timeout). */
static void take_store_lock(Plan *p, const char *path) {
        lock_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (lock_fd < 0)
                plan_fallback(p, "cannot open the store's lock '%s' (%s)", path, strerror(errno));
        struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
        for (int i = 0; fcntl(lock_fd, F_SETLK, &fl) < 0; i++) {
                if ((errno != EAGAIN && errno != EACCES) || i >= 1500)
                        plan_fallback(p, "the store's lock '%s' is held (%s)", path, strerror(errno));
                usleep(20000);
        }
}

static void release_store_lock(void) {
        if (lock_fd >= 0)
                close(lock_fd);
        lock_fd = -1;
}

/* Removes a tree without following symlinks; best effort, as Launcher.deleteTree. */
static void remove_tree_at(int parent, const char *name) {
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                DIR *d = fdopendir(fd);
                if (d) {
                        struct dirent *e;
                        while ((e = readdir(d)))
                                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                                        remove_tree_at(dirfd(d), e->d_name);
                        closedir(d);
                } else {
                        close(fd);
                }
                unlinkat(parent, name, AT_REMOVEDIR);
        } else {
                unlinkat(parent, name, 0);
        }
}

static void remove_cgroup(void) {
        if (!cgroup[0])
                return;
        /* Processes that just died may take a moment to leave it (DeviceCgroup.remove). */
        for (int i = 0; i < 100 && rmdir(cgroup) < 0 && errno == EBUSY; i++)
                usleep(10000);
        cgroup[0] = 0;
}

void planned_undo(void) {
        remove_cgroup();
        if (staging[0]) {
                remove_tree_at(AT_FDCWD, staging);
                staging[0] = 0;
        }
        release_store_lock();
}

static void on_die(void) {
        planned_undo();
}

/* One write(2) of text to an existing (cgroup) file, as Files.writeString. */
static void write_control(const char *dir, const char *file, const char *text) {
        char path[PATH_MAX];
        join(path, sizeof path, dir, file);
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                die_errno("Failed to set up the device cgroup '%s' (%s)", dir, file);
        close(fd);
}

static void write_file(const char *path, const char *content, size_t len, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                die_errno("Failed to create '%s'", path);
        size_t done = 0;
        while (done < len) {
                ssize_t w = write(fd, content + done, len - done);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        die_errno("Failed to write '%s'", path);
                done += (size_t) w;
        }
        close(fd);
}

/* Replaces every slot in s with value; NULL if there is none. */
static char *fill_all(const char *s, const char *slot, const char *value) {
        size_t n = 0, slen = strlen(slot), vlen = strlen(value);
        for (const char *at = strstr(s, slot); at; at = strstr(at + slen, slot))
                n++;
        if (n == 0)
                return NULL;
        char *out = malloc(strlen(s) + n * vlen + 1), *o = out;
        if (!out)
                die_errno("Failed to allocate");
        for (const char *at; (at = strstr(s, slot)); s = at + slen) {
                memcpy(o, s, (size_t) (at - s));
                o += at - s;
                memcpy(o, value, vlen);
                o += vlen;
        }
        strcpy(o, s);
        return out;
}

/* Fills the staging slot in the operations' paths and mount options (not in the payload's argv, env,
 * hostname, filter: text of the container's own, which Java gave as it is). */
static void fill_staging(void) {
        for (uint32_t i = 0; i < n_records; i++) {
                Record *r = &records[i];
                if (r->op == OP_ENV || r->op == OP_ARGV || r->op == OP_EXEC || r->op == OP_SETHOSTNAME
                                || r->op == OP_SECCOMP)
                        continue;
                for (uint16_t a = 0; a < r->argc; a++) {
                        char *s = fill_all(r->argv[a], STAGING_SLOT, staging);
                        if (s) {
                                r->argv[a] = s;
                                r->len[a] = (uint32_t) strlen(s);
                        }
                }
        }
}

void planned_prepare(Plan *p) {
        runtime = arg1(p, OP_PLAN_RUNTIME);
        if (!runtime || runtime[0] != '/')
                plan_fallback(p, "%s", "no runtime dir, refusing");
        const char *lock = arg1(p, OP_PLAN_STORE_LOCK);
        if (lock)
                take_store_lock(p, lock);
        plan_check_inputs(p);

        /* From here on a failure is the start's own (as the JVM would report it): undo and exit 125. */
        stage_on_die = on_die;
        const char *work = arg1(p, OP_PLAN_WORKDIR);
        if (work)
                mkdir_p(work, 0755);
        mkdir_p(runtime, 0755);
        for (int i = 0;; i++) {
                int n = snprintf(staging, sizeof staging, "%s/jnspawn.%s.%d.%d", runtime, p->machine, (int) getpid(), i);
                if (n < 0 || (size_t) n >= sizeof staging)
                        die("Staging path too long in '%s'", runtime);
                if (mkdir(staging, 0700) == 0)
                        break;
                if (errno != EEXIST || i > 1000) {
                        int err = errno;
                        staging[0] = 0;
                        errno = err;
                        die_errno("Failed to create a staging directory in '%s'", runtime);
                }
        }
        char path[PATH_MAX];
        join(path, sizeof path, staging, "root");
        if (mkdir(path, 0755) < 0)
                die_errno("Failed to create '%s'", path);
        join(path, sizeof path, staging, "scratch");
        if (mkdir(path, 0755) < 0)
                die_errno("Failed to create '%s'", path);
        for (uint32_t i = 0; i < p->n_meta; i++) {
                const Record *r = &p->meta[i];
                if (r->op != OP_PLAN_WRITE)
                        continue;
                if (r->argc != 2 || strchr(r->argv[0], '/') || r->argv[0][0] == '.' || !r->argv[0][0])
                        die("Invalid file record in the plan '%s'", p->file);
                join(path, sizeof path, staging, r->argv[0]);
                write_file(path, r->argv[1], r->len[1], 0644);
        }
        const Record *dc = plan_find(p, OP_PLAN_DEVICE_CGROUP);
        if (dc) {
                if (dc->argc < 1)
                        die("Invalid device cgroup record in the plan '%s'", p->file);
                join(cgroup, sizeof cgroup, dc->argv[0], strrchr(staging, '/') + 1);
                mkdir_p(cgroup, 0755);
                write_control(cgroup, "devices.deny", "a");
                for (uint16_t a = 1; a < dc->argc; a++)
                        write_control(cgroup, "devices.allow", dc->argv[a]);
        }
        fill_staging();
}

/* Runs argv (its @PID@ filled) with stdin; 0 if it exited 0. */
static int run_host_command(const Record *r, pid_t pid) {
        char pidtext[16];
        snprintf(pidtext, sizeof pidtext, "%d", (int) pid);
        char **argv = calloc(r->argc, sizeof(char *));
        if (!argv || r->argc < 2)
                return -1;
        for (uint16_t a = 1; a < r->argc; a++) {
                const char *s = r->argv[a], *at = strstr(s, "@PID@");
                if (!at) {
                        argv[a - 1] = r->argv[a];
                        continue;
                }
                size_t n = strlen(s) + sizeof pidtext;
                argv[a - 1] = malloc(n);
                if (!argv[a - 1])
                        return -1;
                snprintf(argv[a - 1], n, "%.*s%s%s", (int) (at - s), s, pidtext, at + 5);
        }
        int in[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return -1;
        pid_t c = fork();
        if (c < 0)
                return -1;
        if (c == 0) {
                dup2(in[0], STDIN_FILENO);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execv(argv[0], argv);
                _exit(127);
        }
        close(in[0]);
        write_full(in[1], r->argv[0], r->len[0]);
        close(in[1]);
        int status;
        while (waitpid(c, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "jnspawn: '%s' failed (status %d)\n", argv[0], exit_code_of(status));
                return -1;
        }
        return 0;
}

int planned_after_clone(Plan *p, pid_t pid) {
        if (cgroup[0]) {
                char path[PATH_MAX], text[16];
                join(path, sizeof path, cgroup, "cgroup.procs");
                snprintf(text, sizeof text, "%d", (int) pid);
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t) strlen(text);
                if (fd >= 0)
                        close(fd);
                if (!ok) {
                        fprintf(stderr, "jnspawn: Failed to move pid %d into '%s': %s\n", (int) pid, cgroup, strerror(errno));
                        return -1;
                }
        }
        for (uint32_t i = 0; i < p->n_meta; i++)
                if (p->meta[i].op == OP_PLAN_HOST_CMD && run_host_command(&p->meta[i], pid) < 0)
                        return -1;
        return 0;
}

long long proc_start_time(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = 0;
        char *s = strrchr(buf, ')');
        if (!s || s[1] != ' ')
                return -1;
        s += 2;
        if (*s == 'Z' || *s == 'X')
                return -1;
        for (int field = 3; field < 22; field++) {
                s = strchr(s, ' ');
                if (!s)
                        return -1;
                s++;
        }
        return strtoll(s, NULL, 10);
}

/* Replaces the first "\nKEY=@SLOT@\n" of text with the value; the result is malloc'd. */
static char *fill(const char *text, const char *line, const char *value) {
        const char *at = strstr(text, line);
        if (!at)
                return strdup(text);
        size_t keylen = strchr(line + 1, '=') - line + 1; /* "\nKEY=" */
        size_t n = strlen(text) + strlen(value) + 1;
        char *out = malloc(n);
        if (!out)
                return NULL;
        snprintf(out, n, "%.*s%s%s", (int) (at - text + keylen), text, value, at + strlen(line) - 1);
        return out;
}

void planned_running(Plan *p, pid_t pid) {
        const char *state = arg1(p, OP_PLAN_STATE);
        if (state) {
                char leader[24], start[24];
                snprintf(leader, sizeof leader, "%d", (int) pid);
                snprintf(start, sizeof start, "%lld", proc_start_time(pid));
                char *a = fill(state, "\nleader=@LEADER@\n", leader);
                char *text = a ? fill(a, "\nstarttime=@STARTTIME@\n", start) : NULL;
                char tmp[PATH_MAX];
                snprintf(state_path, sizeof state_path, "%s/%s.state", runtime, p->machine);
                snprintf(tmp, sizeof tmp, "%s/.%s.state.%d", runtime, p->machine, (int) getpid());
                unlink(tmp);
                int fd = text ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
                int ok = fd >= 0;
                if (ok) {
                        size_t len = strlen(text), done = 0;
                        while (ok && done < len) {
                                ssize_t w = write(fd, text + done, len - done);
                                if (w < 0 && errno == EINTR)
                                        continue;
                                ok = w > 0;
                                done += w > 0 ? (size_t) w : 0;
                        }
                        close(fd);
                        ok = ok && rename(tmp, state_path) == 0;
                }
                if (!ok) {
                        /* As Launcher.recordState: the start fails, the container goes. */
                        fprintf(stderr, "jnspawn: Failed to record the state of '%s' in '%s': %s\n", p->machine,
                                runtime, strerror(errno));
                        unlink(tmp);
                        state_path[0] = 0;
                        kill(pid, SIGKILL);
                }
                free(a);
                free(text);
        }
        release_store_lock(); /* the record names the layers now: gc keeps them */
}

/* The value of "\nKEY=" in text, as a number; -1 if missing. */
static long long field(const char *text, const char *key) {
        const char *at = strstr(text, key);
        return at ? strtoll(at + strlen(key), NULL, 10) : -1;
}

void planned_finish(Plan *p, pid_t pid) {
        (void) pid;
        if (state_path[0]) {
                /* Not if it is another container's of the same name, which still runs (ContainerState.remove). */
                char buf[4096];
                int fd = open(state_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
                if (fd >= 0)
                        close(fd);
                int keep = 0;
                if (n > 0) {
                        buf[n] = 0;
                        long long leader = field(buf, "\nleader="), start = field(buf, "\nstarttime=");
                        keep = leader > 0 && start >= 0 && proc_start_time((pid_t) leader) == start;
                }
                if (!keep)
                        unlink(state_path);
        }
        (void) p;
        planned_undo();
}
