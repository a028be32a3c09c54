#!/usr/bin/env python3
"""bench/lib/units.py: runs containers as jcontainer@NAME.service would, without systemd (bench/density -u).

    units.py --jnspawn PATH --work DIR --parallel P --min-free MB [--stop-timeout S] NAME...

Plays the part of systemd for a Type=notify unit whose ExecStart= is
`jnspawn --quiet --keep-unit --machine=NAME` (unit-generator/src/main/systemd/jcontainer@.service),
with --register=no since there is no machined here:

- each unit gets a notify socket of its own, WORK/notify/NAME (a datagram socket, as systemd's
  /run/systemd/notify; systemd tells units apart by the sender's cgroup, we by the socket), given
  to jnspawn as $NOTIFY_SOCKET. jnspawn's exec stage forks a notifier that sends
  "STATUS=...\\nREADY=1\\nMAINPID=<container PID 1>\\n", then "BARRIER=1" with the write end of a
  pipe (SCM_RIGHTS) and waits until that pipe's write end is closed everywhere (sd_notify_barrier):
  like systemd we close every fd a message carries once we have processed the message. jnspawn
  exits after the notifier reported back (Launcher.handOver, exec-stage.c notify()).
- this process is a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so when the exec stage exits
  the container's PID 1 (jcontainer-init) is reparented to us, not to the host's init, as under
  systemd it is reparented to systemd: we reap it, and its exit status is the unit's result.
  If we cannot become a subreaper, PID 1 of the host reaps the containers and their status is lost
  (reported as "reaper=init").
- at most P jnspawn processes run at once (a start is in flight from spawn until jnspawn exits);
  no new start while MemAvailable is below MB.
- on the line "stop" on stdin: the stop signal (SIGTERM, systemd's default KillSignal=) to each
  MAINPID, all at once as when machines.target stops; SIGKILL to those still alive after
  --stop-timeout (TimeoutStopSec=, 90 s); then ExecStopPost=, `jnspawn --cleanup --machine=NAME`,
  at most P at once.

The environment (JCONTAINER_ROOT, JCONTAINER_JAVA_OPTS) is passed on to jnspawn. stdout gets
"key=value" lines after each phase, ended by a line "started" or "stopped"; WORK/units.tsv one line
per unit as soon as its MAINPID is known (name, MAINPID), for the bench's clean-up trap.
"""

import argparse
import ctypes
import os
import resource
import selectors
import signal
import socket
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def now_ms():
    return time.monotonic() * 1000.0


def mem_available_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


def children_cpu_s():
    """user + sys seconds of the reaped children (a jnspawn JVM includes its exec stage, which it waits for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def describe(status):
    if os.WIFEXITED(status):
        return "exit-%d" % os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return "signal-%d" % os.WTERMSIG(status)
    return "status-%d" % status


class Unit:
    def __init__(self, name):
        self.name = name
        self.sock = None
        self.path = None
        self.jnspawn = None      # pid while it runs
        self.jnspawn_status = None
        self.ready = False
        self.mainpid = None
        self.main_status = None  # set when reaped
        self.spawned = None
        self.ready_at = None
        self.messages = 0
        self.barriers = 0


class Manager:
    def __init__(self, args):
        self.args = args
        self.units = [Unit(n) for n in args.names]
        self.by_jnspawn = {}
        self.by_mainpid = {}
        self.by_cleanup = {}
        self.sel = selectors.DefaultSelector()
        self.notify_dir = os.path.join(args.work, "notify")
        os.makedirs(self.notify_dir, exist_ok=True)
        self.errors = open(os.path.join(args.work, "errors"), "ab")
        self.tsv = open(os.path.join(args.work, "units.tsv"), "a")
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.orphans = 0
        libc = ctypes.CDLL(None, use_errno=True)
        self.subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        if not self.subreaper:
            print("units.py: prctl(PR_SET_CHILD_SUBREAPER) failed: %s; the host's init reaps the containers"
                  % os.strerror(ctypes.get_errno()), file=sys.stderr)

    def spawn(self, argv, env):
        fa = [(os.POSIX_SPAWN_DUP2, self.devnull, 0), (os.POSIX_SPAWN_DUP2, self.devnull, 1),
              (os.POSIX_SPAWN_DUP2, self.errors.fileno(), 2)]
        return os.posix_spawn(argv[0], argv, env, file_actions=fa)

    def start_one(self, u):
        u.path = os.path.join(self.notify_dir, u.name)
        u.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        u.sock.bind(u.path)
        u.sock.setblocking(False)
        self.sel.register(u.sock, selectors.EVENT_READ, u)
        env = dict(os.environ, NOTIFY_SOCKET=u.path)
        argv = [self.args.jnspawn, "--quiet", "--keep-unit", "--machine=" + u.name, "--register=no"]
        u.spawned = now_ms()
        u.jnspawn = self.spawn(argv, env)
        self.by_jnspawn[u.jnspawn] = u

    def receive(self, u):
        """Reads every queued notify message of u, as systemd's manager_dispatch_notify_fd does."""
        while True:
            try:
                data, anc, _, _ = u.sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
            except BlockingIOError:
                return
            fds = []
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    usable = len(payload) - len(payload) % 4
                    fds += list(memoryview(payload[:usable]).cast("i"))
            u.messages += 1
            fields = dict(line.split("=", 1) for line in data.decode("utf-8", "replace").split("\n") if "=" in line)
            if fields.get("BARRIER") == "1":
                u.barriers += 1
            if "MAINPID" in fields and fields["MAINPID"].isdigit():
                u.mainpid = int(fields["MAINPID"])
                self.by_mainpid[u.mainpid] = u
                self.tsv.write("%s\t%d\n" % (u.name, u.mainpid))
                self.tsv.flush()
            if fields.get("READY") == "1" and not u.ready:
                u.ready = True
                u.ready_at = now_ms()
            # Processed: closing the fds completes a barrier (systemd closes them too).
            for fd in fds:
                os.close(fd)

    def close_socket(self, u):
        if u.sock is not None:
            self.receive(u)
            self.sel.unregister(u.sock)
            u.sock.close()
            u.sock = None
            os.unlink(u.path)

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.by_jnspawn:
                u = self.by_jnspawn.pop(pid)
                u.jnspawn = None
                u.jnspawn_status = status
                self.close_socket(u)
            elif pid in self.by_mainpid:
                self.by_mainpid.pop(pid).main_status = status
            elif pid in self.by_cleanup:
                self.by_cleanup[pid] = status
            else:
                self.orphans += 1  # the exec stage's notifier, reparented to us when the stage exited

    def wait_events(self, timeout):
        for key, _ in self.sel.select(timeout):
            self.receive(key.data)
        self.reap()

    def start(self):
        a = self.args
        t0 = now_ms()
        cpu0 = children_cpu_s()
        pending = list(self.units)
        cut = ""
        deadline = {}
        marks = sorted(int(k) for k in a.milestones.split(",") if k.strip().isdigit())
        milestones = {}
        while pending or self.by_jnspawn:
            while pending and len(self.by_jnspawn) < a.parallel and not cut:
                if mem_available_mb() < a.min_free:
                    cut = "MemAvailable below %d MB after %d starts" % (a.min_free, len(self.units) - len(pending))
                    print("units.py: %s; not starting more" % cut, file=sys.stderr)
                    break
                u = pending.pop(0)
                self.start_one(u)
                deadline[u.name] = now_ms() + a.start_timeout * 1000
            if cut:
                pending = []
            self.wait_events(0.05)
            count = sum(1 for u in self.units if u.ready)
            while marks and count >= marks[0]:
                # the moment (within 50 ms) the K-th container sent READY=1, and MemAvailable then
                # (with up to P jnspawn JVMs still in flight)
                milestones[marks[0]] = (now_ms() - t0, mem_available_mb())
                marks.pop(0)
            for u in list(self.by_jnspawn.values()):
                if now_ms() > deadline[u.name]:
                    print("units.py: jnspawn of %s still runs after %d s: killed" % (u.name, a.start_timeout),
                          file=sys.stderr)
                    os.kill(u.jnspawn, signal.SIGKILL)
        t_end = now_ms()
        tried = [u for u in self.units if u.spawned is not None]
        ok = [u for u in tried if u.ready and u.mainpid and u.jnspawn_status is not None
              and os.WIFEXITED(u.jnspawn_status) and os.WEXITSTATUS(u.jnspawn_status) == 0]
        failed = [u for u in tried if u not in ok]
        self.started = ok
        last_ready = max((u.ready_at for u in ok), default=t0)
        out = {
            "reaper": "self" if self.subreaper else "init",
            "tried": len(tried), "started": len(ok), "failed": len(failed),
            "cut": cut.replace(" ", "_"),
            "ready_ms": "%.0f" % (last_ready - t0),
            "exited_ms": "%.0f" % (t_end - t0),
            "cpu_ms": "%.0f" % ((children_cpu_s() - cpu0) * 1000),
            "barriers": sum(u.barriers for u in ok),
            "messages": sum(u.messages for u in ok),
            "first_failures": ",".join("%s:%s%s" % (u.name, describe(u.jnspawn_status) if u.jnspawn_status is not None else "?",
                                                    "" if u.ready else ":not-ready") for u in failed[:5]),
        }
        for k, (t, m) in milestones.items():
            out["ready_%d_ms" % k] = "%.0f" % t
            out["avail_%d_mb" % k] = m
        # a container that ended before the measurement is a failure too
        early = [u for u in ok if u.main_status is not None]
        out["ended_early"] = len(early)
        out["first_ended"] = ",".join("%s:%s" % (u.name, describe(u.main_status)) for u in early[:5])
        self.report(out, "started")

    def stop(self):
        a = self.args
        live = [u for u in self.started if u.main_status is None]
        t0 = now_ms()
        for u in live:
            try:
                os.kill(u.mainpid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = t0 + a.stop_timeout * 1000
        killed = 0
        while any(u.main_status is None for u in live):
            if not self.subreaper:
                # Not our children: we cannot wait for them, only watch them go.
                for u in live:
                    if u.main_status is None and not os.path.exists("/proc/%d" % u.mainpid):
                        u.main_status = -1
            if now_ms() > deadline and not killed:
                for u in live:
                    if u.main_status is None:
                        killed += 1
                        os.kill(u.mainpid, signal.SIGKILL)
            self.wait_events(0.05)
        t1 = now_ms()
        cpu1 = children_cpu_s()
        statuses = {}
        for u in live:
            d = describe(u.main_status) if u.main_status >= 0 else "unknown"
            statuses[d] = statuses.get(d, 0) + 1
        # ExecStopPost=-/usr/libexec/jcontainer/jnspawn --cleanup --machine=%i
        pending = list(self.started)
        cleanup_failed = 0
        while pending or any(s is None for s in self.by_cleanup.values()):
            running = sum(1 for s in self.by_cleanup.values() if s is None)
            while pending and running < a.parallel:
                u = pending.pop(0)
                self.by_cleanup[self.spawn([a.jnspawn, "--cleanup", "--machine=" + u.name], dict(os.environ))] = None
                running += 1
            self.wait_events(0.05)
        for s in self.by_cleanup.values():
            if not (os.WIFEXITED(s) and os.WEXITSTATUS(s) == 0):
                cleanup_failed += 1
        t2 = now_ms()
        self.report({
            "stop_ms": "%.0f" % (t1 - t0),
            "cleanup_ms": "%.0f" % (t2 - t1),
            "cleanup_cpu_ms": "%.0f" % ((children_cpu_s() - cpu1) * 1000),
            "killed": killed,
            "statuses": ",".join("%s:%d" % kv for kv in sorted(statuses.items())),
            "cleanup_failed": cleanup_failed,
            "orphans_reaped": self.orphans,
        }, "stopped")

    @staticmethod
    def report(fields, last):
        for k, v in fields.items():
            print("%s=%s" % (k, v))
        print(last, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--jnspawn", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--parallel", type=int, required=True)
    p.add_argument("--min-free", type=int, default=0)
    p.add_argument("--start-timeout", type=int, default=600)
    p.add_argument("--stop-timeout", type=int, default=90)
    p.add_argument("--milestones", default="", help="comma list of K: report when the K-th unit was ready")
    p.add_argument("names", nargs="+")
    args = p.parse_args()
    m = Manager(args)
    m.start()
    for line in sys.stdin:
        if line.strip() == "stop":
            m.stop()
            return 0
    # stdin closed without "stop": the bench is gone; leave the containers to its clean-up trap.
    return 1


if __name__ == "__main__":
    sys.exit(main())
