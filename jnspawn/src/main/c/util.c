/* SPDX-License-Identifier: Apache-2.0 */
/* The exec stage's shared state, messages and launch-plan reading (see exec-stage.c). */
#include "stage.h"


Record *records;
uint32_t n_records;

int status_fd = -1;        /* child -> stage: closed by a successful execve, a byte on failure */
int hold_fd = -1;          /* the stub's end of the hold pipe (exec-stage.c), or -1 */
const char *console_slave; /* pty slave path when OP_CONSOLE is "pty" */
int console_slave_fd = -1; /* OP_ENTER: the slave, opened by the stage (a container in a user
                                   * namespace may not open a pts its host root allocated) */
int enter_userns_fd = -1;  /* OP_ENTER: the user namespace the child joins after GO */
int entering;              /* OP_ENTER: the stage confined itself before the fork */

void (*stage_on_die)(void);
pid_t stage_pid;

void report_failure(void) {
        if (status_fd >= 0) {
                char c = 'F';
                ssize_t r = write(status_fd, &c, 1);
                (void) r;
        }
}

void vlog(int err, const char *fmt, va_list ap) {
        char buf[1024];
        vsnprintf(buf, sizeof buf, fmt, ap);
        if (err)
                fprintf(stderr, "jnspawn: %s: %s\n", buf, strerror(err));
        else
                fprintf(stderr, "jnspawn: %s\n", buf);
}

__attribute__((noreturn, format(printf, 1, 2)))
void die_errno(const char *fmt, ...) {
        int err = errno;
        va_list ap;
        va_start(ap, fmt);
        vlog(err, fmt, ap);
        va_end(ap);
        report_failure();
        if (stage_on_die && getpid() == stage_pid)
                stage_on_die();
        _exit(JC_EXIT_SETUP_FAILED);
}

__attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(0, fmt, ap);
        va_end(ap);
        report_failure();
        if (stage_on_die && getpid() == stage_pid)
                stage_on_die();
        _exit(JC_EXIT_SETUP_FAILED);
}

unsigned long long parse_ull(const char *s, int base, const char *what) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, base);
        if (errno || end == s || *end)
                die("Invalid %s '%s' in launch plan", what, s);
        return v;
}

void read_full(int fd, void *buf, size_t n) {
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

void write_full(int fd, const void *buf, size_t n) {
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

void read_plan(int fd) {
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
                if (r->op == 0 || r->op >= OP_PLAN_MACHINE)
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

void need_args(const Record *r, uint16_t n) {
        if (r->argc != n)
                die("Operation %u takes %u arguments, got %u", r->op, n, r->argc);
}

const char *nullable(const char *s) {
        return s && *s ? s : NULL;
}
