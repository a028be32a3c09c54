/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The launch-plan protocol between jnspawn (Java) and the exec stage (exec-stage.c).
 * Keep in sync with ExecProtocol.java; ExecProtocolTest checks that the values match.
 *
 * Transport: jnspawn listens on a unix stream socket and starts the exec stage as
 *   jcontainer-exec --control=PATH
 * The stage connects and reads one plan:
 *
 *   "JCPLAN01"                      8 bytes magic
 *   u32 record_count
 *   record_count times:
 *     u16 op, u16 argc,
 *     argc times: u32 len, len bytes (no terminating NUL)
 *
 * Integers are in host byte order (both ends run on the same machine). Numbers inside
 * arguments are ASCII decimal (octal for modes). An empty argument means NULL where the
 * system call takes a pointer (mount source, fstype, data).
 *
 * After the plan the conversation is line based:
 *   stage -> java  "PID <host pid of the container's PID 1>\n"  after clone and id maps
 *   java  -> stage "ONEXIT <n>\n" + n bytes (optional, just before GO): if the payload ran
 *                                  (RUNNING) and the container's PID 1 ends before a hand-over,
 *                                  send the bytes as one datagram to $NOTIFY_SOCKET, then
 *                                  "BARRIER=1", before the stage exits with its status (for a
 *                                  payload that ends at once: READY=1, so that systemd judges
 *                                  its exit status rather than a missing READY=1; n may be 0).
 *                                  It also arms the hold: the stub init then outlives its payload
 *                                  until the hand-over's notifier has had systemd read MAINPID=
 *                                  (or the payload could not run, or a SIGTERM/SIGINT came, or
 *                                  the stage is gone); without ONEXIT the stage releases it at GO.
 *   java  -> stage "GO\n"          java has placed the pid into cgroups; the child may start
 *   stage -> java  "RUNNING\n"     the payload's execve() succeeded
 *   java  -> stage "HANDOVER <n>\n" + n bytes: exit 0 at once, leaving the container running; a
 *                                  forked notifier waits until the container's PID 1 has been
 *                                  reparented (to systemd), sends the bytes as one datagram to
 *                                  $NOTIFY_SOCKET (sd_notify), then a "BARRIER=1" datagram with a
 *                                  pipe, waits for systemd to close it, and answers "NOTIFIED\n".
 *                                  If the container's PID 1 has ended by then, there is nothing
 *                                  to hand over: the stage does as for an end before HANDOVER
 *                                  (ONEXIT's message, its exit status), with no answer.
 * Mount trees of the host (the root's layers, bind sources) are cloned by the stage with
 * open_tree(2) and attached inside by the container's PID 1 with move_mount(2) (Linux 5.2).
 *
 * The stage exits with the container's exit status (128+signal when killed by a signal).
 * If java's end closes before HANDOVER, the stage kills the container with SIGKILL.
 */
#ifndef JCONTAINER_PROTOCOL_H
#define JCONTAINER_PROTOCOL_H

#define JC_PLAN_MAGIC "JCPLAN01"
#define JC_PLAN_MAX_BYTES (4u * 1024u * 1024u)
#define JC_PLAN_MAX_RECORDS 65536u

/* Exit status of the stage (and of jnspawn) for its own failures, as docker's 125. */
#define JC_EXIT_SETUP_FAILED 125
#define JC_EXIT_CANNOT_EXECUTE 126
#define JC_EXIT_NOT_FOUND 127

typedef enum {
        /* ---- executed by the stage's host-side parent ---- */
        OP_CLONE = 1,        /* flags: decimal CLONE_NEW* set passed to clone() */
        OP_UID_MAP = 2,      /* text written to /proc/PID/uid_map */
        OP_GID_MAP = 3,      /* text written to /proc/PID/gid_map */
        OP_KILL_SIGNAL = 4,  /* signal sent to the container's PID 1 on SIGTERM/SIGINT */
        OP_CONSOLE = 5,      /* "pipe" (inherit stdio) | "pty" (allocate a pty, relay to stdio) */
        OP_OPEN_TREE = 6,    /* fd, path, recursive ("1"|"0"): clone the host's mount tree at path with
                              * open_tree(2) as host root, before clone, at that fd number. The
                              * container attaches it with OP_ATTACH: a user namespace could not
                              * reach a root below a 0700 directory (as /var/lib/machines is). */

        /* ---- executed by the container's PID 1, in plan order, after GO ---- */
        OP_PDEATHSIG = 10,   /* signal the child gets when the host-side parent dies */
        OP_SET_IDS = 11,     /* uid, gid: setgroups(0), setresgid, setresuid (become root of a userns) */
        OP_UNSHARE = 12,     /* flags: decimal, e.g. CLONE_NEWCGROUP */
        OP_MOUNT = 13,       /* source, target, fstype, flags (decimal), data */
        OP_BIND_REMOUNT = 14,/* target, flags: remount a bind mount adding flags, keeping locked ones */
        OP_MKDIR = 15,       /* path, mode (octal): like mkdir -p; existing dirs are fine */
        OP_TOUCH = 16,       /* path, mode (octal): create an empty file if missing */
        OP_SYMLINK = 17,     /* target, linkpath */
        OP_BIND_CONSOLE = 18,/* target: bind the console pty's slave here (OP_CONSOLE pty only) */
        OP_PIVOT_ROOT = 19,  /* newroot: pivot_root into it, detach the old root */
        OP_SETHOSTNAME = 20, /* hostname */
        OP_CAPS = 21,        /* keep mask (decimal u64): drop the rest from the bounding set; eff=perm=inh=keep */
        OP_NO_NEW_PRIVS = 22,/* no arguments */
        OP_SECCOMP = 23,     /* one argument: struct sock_filter[] in host byte order */
        OP_ENV = 24,         /* the payload's environment, one "K=V" per argument */
        OP_ARGV = 25,        /* the payload's argv; argv[0] is looked up in the env's PATH */
        OP_EXEC = 26,        /* mode ("stub" | "direct"), uid, gid, groups (comma list), cwd: run the payload */
        OP_ATTACH = 27,      /* fd, target: move_mount(2) the tree of OP_OPEN_TREE onto target */

        /* ---- jcontainer exec: enter a running container instead of creating one ---- */
        OP_ENTER = 40,       /* pid, starttime, namespace names ("ipc" "uts" "net" "cgroup" "pid" "mnt"
                              * "user"): the stage pins /proc/PID, checks that field 22 of its stat
                              * is starttime (the same process, not a reused pid), opens the named
                              * namespaces and joins all but "user" in the order given, before
                              * clone (so OP_CONSOLE's pty comes from the container's devpts);
                              * the child joins "user" first thing after GO. Use with OP_CLONE 0
                              * and OP_EXEC "enter" (direct; the terminal is the pty's slave). */

        /* ---- a plan file's own records (jcontainer-exec --plan=FILE --machine=NAME, plan-file.c): before the
         * operations above; refused over the control socket. The file is "JCPLANF1", the count and the records
         * as above, then a u64 FNV-1a of everything before it. Numbers are decimal text. */
        OP_PLAN_MACHINE = 60,   /* name: the --machine= it is for */
        OP_PLAN_JVM_ONLY = 61,  /* reason: the start needs what the stage cannot do alone; exec the JVM path */
        OP_PLAN_INPUT = 62,     /* path, "stat"|"lstat"|"exists", present "1"|"0", dev, ino, mode, size,
                                 * mtime s, mtime ns, ctime s, ctime ns: must compare equal at start (a
                                 * directory: dev, ino and mode only) */
        OP_PLAN_KERNEL = 63,    /* uname(2) release */
        OP_PLAN_ENV = 64,       /* name, set "1"|"0", value */
        OP_PLAN_CONSOLE = 65,   /* "1"|"0": stdin and stdout were both terminals */
        OP_PLAN_PROPS = 66,     /* the planning JVM's jcontainer.* properties ("k=v\n", sorted): --props= */
        OP_PLAN_STAGE = 67,     /* dev, ino of the exec stage the plan was written for (/proc/self/exe) */
        OP_PLAN_RUNTIME = 68,   /* the runtime dir: staging dir jnspawn.NAME.PID.N and record NAME.state there */
        OP_PLAN_STORE_LOCK = 69,/* path: fcntl read lock from the input check until the state record exists */
        OP_PLAN_WORKDIR = 70,   /* path: the overlay work dir, made (0755) if missing */
        OP_PLAN_WRITE = 71,     /* name, content: a file of the staging dir (its path is the slot @STAGING@) */
        OP_PLAN_STATE = 72,     /* the state record; its lines leader=@LEADER@ and starttime=@STARTTIME@ filled */
        OP_PLAN_HOST_CMD = 73,  /* stdin, argv...: run on the host after clone, before GO; @PID@ in argv filled */
        OP_PLAN_DEVICE_CGROUP = 74, /* parent, rules...: the v1 device cgroup PARENT/<staging dir's name> (deny
                                 * "a", then each rule allowed), the container's PID 1 moved in before GO */
        _OP_MAX
} OpType;

#endif
