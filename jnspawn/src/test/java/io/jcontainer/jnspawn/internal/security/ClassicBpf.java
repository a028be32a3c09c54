package io.jcontainer.jnspawn.internal.security;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp classic-BPF program the way the kernel does, after checking it the way
 * seccomp_check_filter() and bpf_check_classic() do, so that tests can ask what a filter
 * answers for a system call without installing it.
 *
 * <p>Only what a seccomp filter may use over {@code struct seccomp_data} is implemented: word
 * loads at absolute offsets, K-jumps, JA and RET K. Anything else fails the test.
 */
final class ClassicBpf {

    private static final int SECCOMP_DATA_SIZE = 64; // nr, arch, instruction_pointer, args[6]
    private static final int MAX_INSTRUCTIONS = 4096;

    private record Insn(int code, int jt, int jf, int k) {
    }

    private final Insn[] program;

    private ClassicBpf(Insn[] program) {
        this.program = program;
    }

    /** Decodes {@code bytes} (native byte order) and checks it as the kernel would on install. */
    static ClassicBpf load(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new AssertionError("program length " + bytes.length + " is not a multiple of 8");
        }
        int count = bytes.length / 8;
        if (count == 0 || count > MAX_INSTRUCTIONS) {
            throw new AssertionError("program has " + count + " instructions");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        Insn[] program = new Insn[count];
        for (int pc = 0; pc < count; pc++) {
            program[pc] = new Insn(Short.toUnsignedInt(buffer.getShort()), Byte.toUnsignedInt(buffer.get()),
                    Byte.toUnsignedInt(buffer.get()), buffer.getInt());
        }
        for (int pc = 0; pc < count; pc++) {
            Insn insn = program[pc];
            switch (insn.code()) {
                case 0x20 -> { // BPF_LD | BPF_W | BPF_ABS
                    if (insn.k() < 0 || insn.k() >= SECCOMP_DATA_SIZE || (insn.k() & 3) != 0) {
                        throw new AssertionError("pc " + pc + ": bad load offset " + insn.k());
                    }
                }
                case 0x15, 0x25, 0x35, 0x45 -> { // BPF_JMP | BPF_JEQ/JGT/JGE/JSET | BPF_K
                    if (pc + 1 + Math.max(insn.jt(), insn.jf()) >= count) {
                        throw new AssertionError("pc " + pc + ": jump out of program");
                    }
                }
                case 0x05 -> { // BPF_JMP | BPF_JA
                    if (pc + 1 + Integer.toUnsignedLong(insn.k()) >= count) {
                        throw new AssertionError("pc " + pc + ": jump out of program");
                    }
                }
                case 0x06 -> { // BPF_RET | BPF_K
                }
                default -> throw new AssertionError("pc " + pc + ": unsupported opcode 0x" + Integer.toHexString(insn.code()));
            }
        }
        if (program[count - 1].code() != 0x06) {
            throw new AssertionError("program does not end with a return");
        }
        return new ClassicBpf(program);
    }

    int instructionCount() {
        return program.length;
    }

    /** The filter's return value for system call {@code nr} made through ABI {@code auditArch}. */
    int run(int nr, int auditArch) {
        ByteBuffer data = ByteBuffer.allocate(SECCOMP_DATA_SIZE).order(ByteOrder.nativeOrder());
        data.putInt(0, nr).putInt(4, auditArch);
        int a = 0;
        int pc = 0;
        while (true) {
            Insn insn = program[pc];
            switch (insn.code()) {
                case 0x20 -> {
                    a = data.getInt(insn.k());
                    pc++;
                }
                case 0x15 -> pc += 1 + (a == insn.k() ? insn.jt() : insn.jf());
                case 0x25 -> pc += 1 + (Integer.compareUnsigned(a, insn.k()) > 0 ? insn.jt() : insn.jf());
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, insn.k()) >= 0 ? insn.jt() : insn.jf());
                case 0x45 -> pc += 1 + ((a & insn.k()) != 0 ? insn.jt() : insn.jf());
                case 0x05 -> pc += 1 + insn.k();
                case 0x06 -> {
                    return insn.k();
                }
                default -> throw new AssertionError("unreachable");
            }
        }
    }
}
