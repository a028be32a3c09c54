package io.jcontainer.jnspawn.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The operations of {@code jcontainer exec}: join, then confine as the container, then run. */
class EnterCompilerTest {
    private static EnterCompiler.Request request(List<String> namespaces, boolean nnp, boolean pty) {
        return new EnterCompiler.Request(4242, 777, namespaces, 0xa80425fbL, nnp, new byte[16], 1000, 1000,
                List.of(27), "/srv", List.of("PATH=/bin", "A=1"), List.of("ps", "-ef"), pty);
    }

    private static List<String> names(ExecPlan plan) {
        return plan.ops().stream().map(op -> ExecProtocol.opName(op.code())).toList();
    }

    @Test
    void joinsTheLeadersNamespacesInTheStagesOrderAfterCheckingItsStartTime() {
        ExecPlan plan = EnterCompiler.compile(request(List.of("user", "mnt", "net", "pid", "uts", "ipc", "cgroup"),
                false, false));

        ExecPlan.Op enter = plan.ops().get(1);
        assertEquals(ExecProtocol.OP_ENTER, enter.code());
        assertEquals(List.of("4242", "777", "cgroup", "ipc", "uts", "net", "pid", "mnt", "user"), enter.text());
        assertEquals(List.of("0"), plan.ops().get(0).text(), "no new namespaces: a plain fork");
    }

    @Test
    void confinesAsTheContainerDoesFilterFirstThenCapabilitiesThenNoNewPrivs() {
        List<String> ops = names(EnterCompiler.compile(request(List.of("mnt", "pid"), true, false)));

        assertEquals(List.of("clone", "enter", "kill-signal", "console", "seccomp", "caps", "no-new-privs", "env",
                "argv", "exec"), ops);
    }

    @Test
    void inAUserNamespaceTheCommandBecomesItsRootBeforeAnythingElse() {
        List<String> ops = names(EnterCompiler.compile(request(List.of("user", "mnt"), false, false)));

        assertTrue(ops.indexOf("set-ids") > ops.indexOf("enter") && ops.indexOf("set-ids") < ops.indexOf("seccomp"), ops.toString());
        assertFalse(names(EnterCompiler.compile(request(List.of("mnt"), false, false))).contains("set-ids"));
    }

    @Test
    void theCommandRunsDirectlyAsTheUserWithTheCapabilitiesGiven() {
        ExecPlan plan = EnterCompiler.compile(request(List.of("mnt"), false, true));

        ExecPlan.Op exec = plan.ops().get(plan.ops().size() - 1);
        assertEquals(List.of("enter", "1000", "1000", "27", "/srv"), exec.text());
        assertTrue(plan.describe().contains("caps " + Long.toUnsignedString(0xa80425fbL) + "\n"), plan.describe());
        assertTrue(plan.describe().contains("console pty\n"), plan.describe());
        assertTrue(plan.describe().contains("argv ps -ef\n"), plan.describe());
    }
}
