/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A plan file (protocol.h, PlanFile.java): read it, refuse it unless it is root's, mode 0600, whole and of this
 * build, and compare every input it records with what is there now. Any doubt: one line on stderr saying why, and
 * exec the JVM launcher given after "--", which decides and reports as it always did (and writes a new plan).
 * A plan may only make a start faster, never different.
 */
#include "stage.h"

#include <sys/utsname.h>

#define PLAN_MAX_BYTES (JC_PLAN_MAX_BYTES + 1024u * 1024u)

void plan_fallback(const Plan *p, const char *fmt, ...) {
        char why[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        if (why[0])
                fprintf(stderr, "jnspawn: plan '%s': %s; starting with the JVM\n", p->file, why);
        if (!p->fallback) {
                fprintf(stderr, "jnspawn: no JVM launcher given after '--'\n");
                _exit(JC_EXIT_SETUP_FAILED);
        }
        /* The launcher must not take the plan again. */
        setenv("JCONTAINER_NO_PLAN", "1", 1);
        execvp(p->fallback[0], p->fallback);
        fprintf(stderr, "jnspawn: failed to run the JVM launcher '%s': %s\n", p->fallback[0], strerror(errno));
        _exit(JC_EXIT_SETUP_FAILED);
}

static uint64_t fnv1a(const unsigned char *b, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

/* The records of buf[0..n) after the magic; an error message or NULL. */
static const char *parse(unsigned char *buf, size_t n, Record **out, uint32_t *count) {
        size_t at = 8;
        uint32_t c;
        if (n < 12)
                return "truncated";
        memcpy(&c, buf + at, 4);
        at += 4;
        if (c == 0 || c > JC_PLAN_MAX_RECORDS)
                return "bad record count";
        Record *r = calloc(c, sizeof(Record));
        if (!r)
                return "out of memory";
        for (uint32_t i = 0; i < c; i++) {
                uint16_t hdr[2];
                if (n - at < 4)
                        return "truncated";
                memcpy(hdr, buf + at, 4);
                at += 4;
                r[i].op = hdr[0];
                r[i].argc = hdr[1];
                if (r[i].op == 0 || r[i].op >= _OP_MAX || r[i].op == OP_ENTER)
                        return "unknown operation";
                r[i].argv = calloc((size_t) r[i].argc + 1, sizeof(char *));
                r[i].len = calloc((size_t) r[i].argc + 1, sizeof(uint32_t));
                if (!r[i].argv || !r[i].len)
                        return "out of memory";
                for (uint16_t a = 0; a < r[i].argc; a++) {
                        uint32_t len;
                        if (n - at < 4)
                                return "truncated";
                        memcpy(&len, buf + at, 4);
                        at += 4;
                        if (len > n - at)
                                return "truncated";
                        r[i].argv[a] = malloc((size_t) len + 1);
                        if (!r[i].argv[a])
                                return "out of memory";
                        memcpy(r[i].argv[a], buf + at, len);
                        r[i].argv[a][len] = 0;
                        r[i].len[a] = len;
                        at += len;
                }
        }
        if (at != n)
                return "trailing bytes";
        *out = r;
        *count = c;
        return NULL;
}

const Record *plan_find(const Plan *p, uint16_t op) {
        for (uint32_t i = 0; i < p->n_meta; i++)
                if (p->meta[i].op == op)
                        return &p->meta[i];
        return NULL;
}

static int parse_num(const char *s, unsigned long long *v) {
        char *end;
        errno = 0;
        *v = strtoull(s, &end, 10);
        return errno || end == s || *end ? -1 : 0;
}

static long long parse_signed(const char *s, int *ok) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end)
                *ok = 0;
        return v;
}

/* OP_PLAN_INPUT: NULL if the path is as recorded, else why not (in buf). */
static const char *check_input(const Record *r, char *buf, size_t size) {
        if (r->argc != 11)
                return "an input record of the wrong size";
        const char *path = r->argv[0], *how = r->argv[1];
        int present = strcmp(r->argv[2], "1") == 0;
        struct stat st;
        int rc;
        if (strcmp(how, "stat") == 0)
                rc = stat(path, &st);
        else if (strcmp(how, "lstat") == 0 || strcmp(how, "exists") == 0)
                rc = lstat(path, &st);
        else
                return "an input of an unknown kind";
        if (!present) {
                if (rc == 0) {
                        snprintf(buf, size, "'%s' exists now", path);
                        return buf;
                }
                return NULL;
        }
        if (rc < 0) {
                snprintf(buf, size, "'%s' is gone", path);
                return buf;
        }
        if (strcmp(how, "exists") == 0)
                return NULL;
        int ok = 1;
        unsigned long long dev = 0, ino = 0;
        if (parse_num(r->argv[3], &dev) < 0 || parse_num(r->argv[4], &ino) < 0)
                ok = 0;
        long long mode = parse_signed(r->argv[5], &ok), fsize = parse_signed(r->argv[6], &ok);
        long long ms = parse_signed(r->argv[7], &ok), mns = parse_signed(r->argv[8], &ok);
        long long cs = parse_signed(r->argv[9], &ok), cns = parse_signed(r->argv[10], &ok);
        if (!ok)
                return "an input record with a bad number";
        if (st.st_dev != dev || st.st_ino != ino || (long long) st.st_mode != mode) {
                snprintf(buf, size, "'%s' is another file now", path);
                return buf;
        }
        /* A directory is an input by what it is, not by what it holds (an entry added changes its times). */
        if (S_ISDIR(st.st_mode))
                return NULL;
        if ((long long) st.st_size != fsize || st.st_mtim.tv_sec != ms || st.st_mtim.tv_nsec != mns
                        || st.st_ctim.tv_sec != cs || st.st_ctim.tv_nsec != cns) {
                snprintf(buf, size, "'%s' changed", path);
                return buf;
        }
        return NULL;
}

/* Reads the file; refuses one that is not root's 0600 regular file, or not whole. */
static void read_file(Plan *p, unsigned char **buf, size_t *len) {
        int fd = open(p->file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        plan_fallback(p, "%s", "");  /* no plan yet: the JVM writes one */
                plan_fallback(p, "cannot open it (%s)", strerror(errno));
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                plan_fallback(p, "cannot stat it (%s)", strerror(errno));
        if (!S_ISREG(st.st_mode))
                plan_fallback(p, "%s", "not a regular file, refusing");
        if (st.st_uid != 0 || (st.st_mode & 07777) != 0600)
                plan_fallback(p, "owned by uid %u with mode %04o, not root's 0600, refusing",
                              (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
        if (st.st_size < 20 || (size_t) st.st_size > PLAN_MAX_BYTES)
                plan_fallback(p, "%lld bytes, refusing", (long long) st.st_size);
        *len = (size_t) st.st_size;
        *buf = malloc(*len);
        if (!*buf)
                plan_fallback(p, "%s", "out of memory");
        size_t got = 0;
        while (got < *len) {
                ssize_t r = read(fd, *buf + got, *len - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        plan_fallback(p, "%s", "truncated while read");
                got += (size_t) r;
        }
        close(fd);
}

void plan_load(Plan *p) {
        unsigned char *buf;
        size_t len;
        read_file(p, &buf, &len);
        if (memcmp(buf, "JCPLANF1", 8) != 0)
                plan_fallback(p, "%s", "not a plan file of this build (magic), refusing");
        uint64_t sum;
        memcpy(&sum, buf + len - 8, 8);
        if (fnv1a(buf, len - 8) != sum)
                plan_fallback(p, "%s", "corrupt or truncated (checksum), refusing");
        Record *all;
        uint32_t count;
        const char *err = parse(buf, len - 8, &all, &count);
        if (err)
                plan_fallback(p, "%s, refusing", err);
        free(buf);

        /* Its own records first, then the operations (records as over the control socket). */
        uint32_t n_meta = 0;
        while (n_meta < count && all[n_meta].op >= OP_PLAN_MACHINE)
                n_meta++;
        for (uint32_t i = n_meta; i < count; i++)
                if (all[i].op >= OP_PLAN_MACHINE)
                        plan_fallback(p, "%s", "a plan record among the operations, refusing");
        p->meta = all;
        p->n_meta = n_meta;
        records = all + n_meta;
        n_records = count - n_meta;

        const Record *m = plan_find(p, OP_PLAN_MACHINE);
        if (!m || m->argc != 1 || strcmp(m->argv[0], p->machine) != 0)
                plan_fallback(p, "not the plan of '%s', refusing", p->machine);
        if (plan_find(p, OP_PLAN_JVM_ONLY))
                plan_fallback(p, "%s", "");  /* planned as JVM only: quietly the JVM, as planned */
        if (n_records == 0)
                plan_fallback(p, "%s", "no operations, refusing");

        /* This build: the stage the plan was written for (its jars are inputs below). */
        const Record *s = plan_find(p, OP_PLAN_STAGE);
        struct stat self;
        unsigned long long dev, ino;
        if (!s || s->argc != 2 || parse_num(s->argv[0], &dev) < 0 || parse_num(s->argv[1], &ino) < 0
                        || stat("/proc/self/exe", &self) < 0 || self.st_dev != dev || self.st_ino != ino)
                plan_fallback(p, "%s", "written for another exec stage, refusing");
        const Record *k = plan_find(p, OP_PLAN_KERNEL);
        struct utsname u;
        if (uname(&u) < 0)
                plan_fallback(p, "uname failed (%s)", strerror(errno));
        if (!k || k->argc != 1 || strcmp(u.release, k->argv[0]) != 0)
                plan_fallback(p, "written for another kernel (%s, running %s)", k && k->argc ? k->argv[0] : "?",
                              u.release);
        const Record *pr = plan_find(p, OP_PLAN_PROPS);
        if (!pr || pr->argc != 1 || strcmp(pr->argv[0], p->props) != 0)
                plan_fallback(p, "%s", "written by a JVM with other jcontainer.* properties");
        const Record *c = plan_find(p, OP_PLAN_CONSOLE);
        int console = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        if (!c || c->argc != 1 || (strcmp(c->argv[0], "1") == 0) != console)
                plan_fallback(p, "written for a start %s a terminal", console ? "without" : "on");

        for (uint32_t i = 0; i < p->n_meta; i++) {
                const Record *r = &p->meta[i];
                if (r->op != OP_PLAN_ENV)
                        continue;
                if (r->argc != 3)
                        plan_fallback(p, "%s", "an environment record of the wrong size, refusing");
                const char *now = getenv(r->argv[0]);
                int set = strcmp(r->argv[1], "1") == 0;
                if ((now != NULL) != set || (set && strcmp(now, r->argv[2]) != 0))
                        plan_fallback(p, "$%s is not as planned", r->argv[0]);
        }
}

/* After the store's lock is held (planned.c): every recorded input as it was. */
void plan_check_inputs(const Plan *p) {
        char why[PATH_MAX + 64];
        for (uint32_t i = 0; i < p->n_meta; i++) {
                if (p->meta[i].op != OP_PLAN_INPUT)
                        continue;
                const char *err = check_input(&p->meta[i], why, sizeof why);
                if (err)
                        plan_fallback(p, "%s", err);
        }
}
