/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the exec stage's files share (exec-stage.c has the overview):
 *   util.c         state, messages, reading a plan from the control socket
 *   container.c    the container's PID 1: the operations after GO, the payload, the stub init
 *   exec-stage.c   the stage: arguments, clone, id maps, the relay loop, the hand-over
 *   enter.c        jcontainer exec: joining a running container's namespaces, confining the stage
 *   notify.c       sd_notify for the hand-over
 *   plan-file.c    a plan file: reading, refusing, checking its inputs, the JVM fallback
 *   planned.c      a planned start's host side: lock, staging dir, state record, clean-up
 */
#ifndef JCONTAINER_STAGE_H
#define JCONTAINER_STAGE_H
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

extern Record *records;
extern uint32_t n_records;
extern int status_fd;
extern int hold_fd;
extern const char *console_slave;
extern int console_slave_fd;
extern int enter_userns_fd;
extern int entering;

/* Called by die() in the stage's own process before it exits (a planned start's clean-up). */
extern void (*stage_on_die)(void);
extern pid_t stage_pid;

void report_failure(void);
void vlog(int err, const char *fmt, va_list ap);
__attribute__((noreturn, format(printf, 1, 2))) void die_errno(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
unsigned long long parse_ull(const char *s, int base, const char *what);
void read_full(int fd, void *buf, size_t n);
void write_full(int fd, const void *buf, size_t n);
void read_plan(int fd);
void need_args(const Record *r, uint16_t n);
const char *nullable(const char *s);

void mkdir_p(const char *path, mode_t mode);
void do_caps(uint64_t keep);
void do_seccomp(const Record *r);
int exit_code_of(int status);
__attribute__((noreturn)) void run_container(int sync_fd);

/* enter.c */
void enter_namespaces(const Record *r);
void confine_stage(void);

/* notify.c: one datagram to $NOTIFY_SOCKET (BARRIER=1: waits for systemd); 0 or -errno */
int notify(const char *msg, size_t len);

/* plan-file.c */
typedef struct {
        const char *file;       /* --plan= */
        const char *machine;    /* --machine= */
        const char *props;      /* --props= ("" by default) */
        char **fallback;        /* the JVM launcher's argv (after "--"), or NULL */
        Record *meta;           /* the plan file's own records (OP_PLAN_*) */
        uint32_t n_meta;
} Plan;
/* Reads and checks the plan; on any doubt execs the fallback (never returns then). */
void plan_load(Plan *p);
__attribute__((noreturn)) void plan_fallback(const Plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const Record *plan_find(const Plan *p, uint16_t op);
void plan_check_inputs(const Plan *p);         /* every OP_PLAN_INPUT as recorded, else the fallback */

/* planned.c */
void planned_prepare(Plan *p);                 /* staging dir, its files, the work dir; fills @STAGING@ */
int planned_after_clone(Plan *p, pid_t pid);   /* host commands; 0 or -1 (the child must then be killed) */
void planned_running(Plan *p, pid_t pid);      /* the state record; releases the store's lock */
void planned_finish(Plan *p, pid_t pid);       /* removes the record and the staging dir */
void planned_undo(void);                       /* the staging dir of a start that did not happen */
long long proc_start_time(pid_t pid);          /* field 22 of /proc/PID/stat, -1 if gone or a zombie */

#endif
