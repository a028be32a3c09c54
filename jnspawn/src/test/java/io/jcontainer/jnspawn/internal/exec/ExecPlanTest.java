package io.jcontainer.jnspawn.internal.exec;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire encoding is what protocol.h says, read back here as the exec stage reads it. */
class ExecPlanTest {

    /** Decodes a plan the way exec-stage.c's read_plan() does. */
    static List<ExecPlan.Op> decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals(ExecProtocol.MAGIC, new String(magic, StandardCharsets.US_ASCII));
        int count = b.getInt();
        List<ExecPlan.Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int op = Short.toUnsignedInt(b.getShort());
            int argc = Short.toUnsignedInt(b.getShort());
            List<byte[]> args = new ArrayList<>();
            for (int a = 0; a < argc; a++) {
                byte[] arg = new byte[b.getInt()];
                b.get(arg);
                args.add(arg);
            }
            ops.add(new ExecPlan.Op(op, args));
        }
        assertFalse(b.hasRemaining(), "trailing bytes");
        return ops;
    }

    @Test
    void encodesOperationsWithLengthPrefixedArguments() {
        ExecPlan plan = new ExecPlan()
                .add(ExecProtocol.OP_MOUNT, "", "/x", "tmpfs", "0", "mode=1777")
                .add(ExecProtocol.OP_NO_NEW_PRIVS)
                .add(ExecProtocol.OP_ARGV, "sh", "-c", "", "ünïcode")
                .addBinary(ExecProtocol.OP_SECCOMP, new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        List<ExecPlan.Op> ops = decode(plan.encode());
        assertEquals(4, ops.size());
        assertEquals(List.of("", "/x", "tmpfs", "0", "mode=1777"), ops.get(0).text());
        assertEquals(ExecProtocol.OP_NO_NEW_PRIVS, ops.get(1).code());
        assertEquals(0, ops.get(1).args().size());
        assertEquals(List.of("sh", "-c", "", "ünïcode"), ops.get(2).text());
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}, ops.get(3).args().get(0));
    }

    @Test
    void refusesAPlanLargerThanTheStageAccepts() {
        ExecPlan plan = new ExecPlan();
        String big = "x".repeat(1024 * 1024);
        for (int i = 0; i < 5; i++) {
            plan.add(ExecProtocol.OP_ENV, big);
        }
        assertThrows(IllegalStateException.class, plan::encode);
    }

    @Test
    void describeQuotesWhatIsNotPlain() {
        String text = new ExecPlan().add(ExecProtocol.OP_ARGV, "echo", "two words", "").describe();
        assertEquals("argv echo 'two words' ''\n", text);
    }
}
