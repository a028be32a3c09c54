package io.jcontainer.jnspawn.internal.exec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of operations for the exec stage, and its wire encoding (see protocol.h).
 *
 * <p>The plan is pure data: building it touches nothing, so every decision that goes into it can
 * be unit-tested without root.
 */
public final class ExecPlan {

    /** One operation: its code and its arguments as bytes. */
    public record Op(int code, List<byte[]> args) {
        /** The arguments as text, for tests and {@code --dry-run}. */
        public List<String> text() {
            List<String> out = new ArrayList<>(args.size());
            for (byte[] a : args) {
                out.add(code == ExecProtocol.OP_SECCOMP ? "<" + a.length / 8 + " BPF instructions>"
                        : new String(a, StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    private final List<Op> ops = new ArrayList<>();

    /** Appends an operation whose arguments are text. */
    public ExecPlan add(int code, String... args) {
        List<byte[]> bytes = new ArrayList<>(args.length);
        for (String a : args) {
            bytes.add(a.getBytes(StandardCharsets.UTF_8));
        }
        ops.add(new Op(code, bytes));
        return this;
    }

    /** Appends an operation whose arguments are text, from a list. */
    public ExecPlan add(int code, List<String> args) {
        return add(code, args.toArray(new String[0]));
    }

    /** Appends an operation with one binary argument. */
    public ExecPlan addBinary(int code, byte[] arg) {
        ops.add(new Op(code, List.of(arg.clone())));
        return this;
    }

    /** Appends an operation of another plan as it is. */
    public ExecPlan addRecord(Op op) {
        ops.add(op);
        return this;
    }

    public List<Op> ops() {
        return List.copyOf(ops);
    }

    /** Encodes the plan as protocol.h describes: magic, count, then (op, argc, (len, bytes)*)*. */
    public byte[] encode() {
        int size = 8 + 4;
        for (Op op : ops) {
            size += 4;
            for (byte[] a : op.args()) {
                size += 4 + a.length;
            }
        }
        if (size > ExecProtocol.MAX_BYTES || ops.size() > ExecProtocol.MAX_RECORDS) {
            throw new IllegalStateException("Launch plan too large: " + size + " bytes, " + ops.size() + " operations");
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.put(ExecProtocol.MAGIC.getBytes(StandardCharsets.US_ASCII));
        b.putInt(ops.size());
        for (Op op : ops) {
            b.putShort((short) op.code());
            b.putShort((short) op.args().size());
            for (byte[] a : op.args()) {
                b.putInt(a.length);
                b.put(a);
            }
        }
        return b.array();
    }

    /** A readable listing, one operation per line, for {@code --dry-run}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Op op : ops) {
            sb.append(ExecProtocol.opName(op.code()));
            for (String a : op.text()) {
                sb.append(' ').append(quote(a));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> c > ' ' && c != '\'' && c != '"' && c != '\\' && c < 127)) {
            return s;
        }
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }
}
