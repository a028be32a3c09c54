package io.jcontainer.jnspawn.internal.exec;

import static io.jcontainer.jnspawn.internal.exec.ExecProtocol.*;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Turns a {@code jcontainer exec} request into the exec stage's operations: join the running container's
 * namespaces, then confine the command exactly as the container's own processes are (system call filter,
 * capability bounding set, no_new_privs), then run it as the given user.
 *
 * <p>Never more privilege than the container has: the capabilities come from the container's record and its
 * leader's live bounding set, whichever is smaller (the caller intersects them), and the same filter the
 * container got goes in before the capabilities are dropped, in the order {@link PlanCompiler} uses.
 */
public final class EnterCompiler {
    /** The namespaces the stage joins, in this order; "user" last, joined by the command itself after GO. */
    public static final List<String> NAMESPACES = List.of("cgroup", "ipc", "uts", "net", "pid", "mnt", "user");
    private static final int SIGTERM = 15;

    /**
     * One command to run in a running container.
     *
     * @param leader      host pid of the container's PID 1
     * @param startTime   its start time (field 22 of /proc/PID/stat), checked by the stage
     * @param namespaces  the namespaces to join (those of {@link #NAMESPACES} the leader does not share with us)
     * @param capabilities the capabilities the command may keep, as a bit mask
     */
    public record Request(long leader, long startTime, List<String> namespaces, long capabilities,
            boolean noNewPrivileges, byte[] seccompFilter, int uid, int gid, List<Integer> groups,
            String workingDirectory, List<String> env, List<String> argv, boolean pty) {
        public Request {
            namespaces = List.copyOf(namespaces);
            groups = List.copyOf(groups);
            env = List.copyOf(env);
            argv = List.copyOf(argv);
        }
    }

    private EnterCompiler() {
    }

    public static ExecPlan compile(Request r) {
        ExecPlan plan = new ExecPlan();
        // No new namespaces: the stage forks (clone without CLONE_NEW*) once it has joined the container's.
        plan.add(OP_CLONE, "0");
        List<String> enter = new ArrayList<>();
        enter.add(Long.toString(r.leader()));
        enter.add(Long.toString(r.startTime()));
        for (String ns : NAMESPACES) {
            if (r.namespaces().contains(ns)) {
                enter.add(ns);
            }
        }
        plan.add(OP_ENTER, enter);
        plan.add(OP_KILL_SIGNAL, Integer.toString(SIGTERM));
        plan.add(OP_CONSOLE, r.pty() ? "pty" : "pipe");
        if (r.namespaces().contains("user")) {
            // Joining a user namespace leaves us an id it does not map: become its root, as the container's PID 1 did.
            plan.add(OP_SET_IDS, "0", "0");
        }
        // As PlanCompiler: the filter while CAP_SYS_ADMIN is still held, then the capabilities, then no_new_privs.
        plan.addBinary(OP_SECCOMP, r.seccompFilter());
        plan.add(OP_CAPS, Long.toUnsignedString(r.capabilities()));
        if (r.noNewPrivileges()) {
            plan.add(OP_NO_NEW_PRIVS);
        }
        plan.add(OP_ENV, r.env());
        plan.add(OP_ARGV, r.argv());
        StringJoiner groups = new StringJoiner(",");
        for (int g : r.groups()) {
            groups.add(Integer.toUnsignedString(g));
        }
        plan.add(OP_EXEC, "enter", Integer.toUnsignedString(r.uid()), Integer.toUnsignedString(r.gid()),
                groups.toString(), r.workingDirectory());
        return plan;
    }
}
