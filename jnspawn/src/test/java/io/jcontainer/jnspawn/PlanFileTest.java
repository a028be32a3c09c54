package io.jcontainer.jnspawn;

import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.internal.exec.ExecPlan;
import io.jcontainer.jnspawn.internal.exec.ExecProtocol;
import io.jcontainer.jnspawn.settings.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file's encoding and which starts it stands for (the stage's side: PlannedStartTest, as root). */
class PlanFileTest {
    @TempDir
    Path tmp;

    @Test
    void aPlanFileIsTheRecordsWithItsMagicAndAChecksum() {
        ExecPlan records = new ExecPlan().add(ExecProtocol.OP_PLAN_MACHINE, "web").add(ExecProtocol.OP_MKDIR, "@STAGING@/root/tmp", "1777");
        byte[] bytes = PlanFile.encode(records);
        assertEquals("JCPLANF1", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(List.of("plan-machine web", "mkdir @STAGING@/root/tmp 1777"), PlanFile.describe(bytes));
        bytes[20] ^= 1;
        assertNull(PlanFile.describe(bytes), "a flipped bit fails the checksum");
        assertNull(PlanFile.describe(java.util.Arrays.copyOf(PlanFile.encode(records), 30)), "truncated");
    }

    @Test
    void onlyExactlyANamedStartHasAPlan() {
        assertTrue(PlanFile.eligible(new String[] {"-M", "web"}));
        assertTrue(PlanFile.eligible(new String[] {"--machine", "web"}));
        assertTrue(PlanFile.eligible(new String[] {"--machine=web"}));
        assertFalse(PlanFile.eligible(new String[] {"-M", "web", "-q"}));
        assertFalse(PlanFile.eligible(new String[] {"-M", "web", "--", "/bin/true"}));
        assertFalse(PlanFile.eligible(new String[] {"-D", "/srv/root"}));
    }

    private LaunchPlan plan(String... args) throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        java.util.List<String> all = new java.util.ArrayList<>(List.of("-D", root.toString()));
        all.addAll(List.of(args));
        return new LaunchPlanner(List.of(tmp), false, false).plan(JnspawnOptions.parse(all.toArray(new String[0])));
    }

    @Test
    void whatTheStageCannotDoAloneIsJvmOnly() throws Exception {
        assertNull(PlanFile.jvmOnly(plan()));
        assertNull(PlanFile.jvmOnly(plan("--private-network")));
        assertEquals("Network=private (lease, veth, nft)", PlanFile.jvmOnly(plan("-n")));
        assertEquals("a user namespace (ownership shift)", PlanFile.jvmOnly(plan("--private-users=pick")));
        LaunchPlan underSystemd = new LaunchPlanner(List.of(tmp), false, false, true)
                .plan(JnspawnOptions.parse(new String[] {"-D", tmp.resolve("root").toString()}));
        assertEquals("under systemd (hand-over, machined)", PlanFile.jvmOnly(underSystemd));
        assertEquals(Network.HOST, plan().network());
    }

    @Test
    void theStagingSlotIsOnlyInTheOperationsPaths() throws Exception {
        LaunchPlan p = plan("-E", "X=@STAGING@x");
        ExecPlan ops = Launcher.compile(p, Path.of(PlanFile.STAGING));
        for (ExecPlan.Op op : ops.ops()) {
            if (op.code() == ExecProtocol.OP_ENV) {
                // The stage fills the slot at the start of an argument of a path operation only, not here.
                assertTrue(op.text().contains("X=@STAGING@x"), op.text().toString());
            }
        }
        assertTrue(ops.describe().contains("pivot-root @STAGING@/root"), ops.describe());
    }

    @Test
    void thePropertiesAreTheJvmsJcontainerOnesSorted() {
        String before = PlanFile.properties();
        System.setProperty("jcontainer.zz.test", "1");
        try {
            assertEquals(before + "jcontainer.zz.test=1\n", PlanFile.properties());
        } finally {
            System.clearProperty("jcontainer.zz.test");
        }
    }
}
