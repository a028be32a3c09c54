package io.jcontainer.jnspawn.internal.security;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collection;
import java.util.OptionalInt;

/**
 * Builds the classic-BPF seccomp program the exec stage installs with
 * {@code prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)}: an array of
 * {@code struct sock_filter {u16 code; u8 jt; u8 jf; u32 k;}} in host byte order
 * ({@code OP_SECCOMP} in protocol.h).
 *
 * <p>The program, for a denied set D on architecture A:
 * <pre>
 *   ld  [4]                       ; seccomp_data.arch
 *   jeq #AUDIT_ARCH(A), 1, 0
 *   ret #ERRNO(ENOSYS)            ; another ABI, e.g. i386 "int 0x80" on x86_64
 *   ld  [0]                       ; seccomp_data.nr
 *   jset #0x40000000, 0, 1
 *   ret #ERRNO(ENOSYS)            ; x32 ABI
 *   jeq #nr, 0, 1                 ; for each nr in D, ascending
 *   ret #ERRNO(errno)
 *   ret #ALLOW
 * </pre>
 * Every jump is 0 or 1 forward, so the 8-bit jt/jf fields never overflow however long D is.
 * The program reads only arch and nr, so seccomp's action cache (Linux 5.11) can evaluate it
 * ahead for every native call number: allowed calls then skip it, and the linear scan is paid
 * only by denied ones.
 */
public final class SeccompFilter {

    /** BPF_MAXINSNS in linux/bpf_common.h: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;

    /** The size of one {@code struct sock_filter}. */
    public static final int INSTRUCTION_BYTES = 8;

    // linux/bpf_common.h
    static final short LD_W_ABS = 0x00 | 0x00 | 0x20;   // BPF_LD | BPF_W | BPF_ABS
    static final short JMP_JEQ_K = 0x05 | 0x10 | 0x00;  // BPF_JMP | BPF_JEQ | BPF_K
    static final short JMP_JSET_K = 0x05 | 0x40 | 0x00; // BPF_JMP | BPF_JSET | BPF_K
    static final short RET_K = 0x06 | 0x00;             // BPF_RET | BPF_K

    // linux/seccomp.h
    static final int RET_ALLOW = 0x7fff0000;
    static final int RET_ERRNO = 0x00050000;
    static final int OFFSET_NR = 0;   // offsetof(struct seccomp_data, nr)
    static final int OFFSET_ARCH = 4; // offsetof(struct seccomp_data, arch)

    /**
     * __X32_SYSCALL_BIT (asm/unistd.h). x32 shares AUDIT_ARCH_X86_64 with native calls and
     * differs only in this bit of nr, so without the check an x32 binary would reach, as
     * 0x40000000 + n, every call the filter denies by its native number. No aarch64 call has
     * the bit either, so the check is emitted on every architecture.
     */
    static final int X32_SYSCALL_BIT = 0x40000000;

    static final int ENOSYS = 38;
    static final int MAX_ERRNO = 4095; // include/linux/err.h; the kernel clamps larger values

    private SeccompFilter() {
    }

    /**
     * The filter refusing {@code deniedSyscalls} with {@code errno}; names the architecture
     * lacks (such as vm86 on x86_64) are skipped, as libseccomp does for nspawn.
     *
     * @param errno what a denied call returns, 1 (EPERM) as nspawn and Docker use
     * @throws IllegalArgumentException if errno is not in 1..4095 or the program would exceed
     *         {@link #MAX_INSTRUCTIONS}
     */
    public static byte[] build(Arch arch, Collection<String> deniedSyscalls, int errno) {
        SyscallTable table = SyscallTable.of(arch);
        // A loop, not a stream: this runs on every container start (docs/start-time.md).
        int[] numbers = new int[deniedSyscalls.size()];
        int n = 0;
        for (String name : deniedSyscalls) {
            OptionalInt nr = table.number(name);
            if (nr.isPresent()) {
                numbers[n++] = nr.getAsInt();
            }
        }
        return build(arch, java.util.Arrays.copyOf(numbers, n), errno);
    }

    /**
     * The filter refusing the system calls numbered {@code deniedNumbers} with {@code errno},
     * for calls the name tables do not know yet. Duplicates are allowed.
     *
     * @throws IllegalArgumentException if errno is not in 1..4095, a number is negative, or
     *         the program would exceed {@link #MAX_INSTRUCTIONS}
     */
    public static byte[] build(Arch arch, int[] deniedNumbers, int errno) {
        if (errno < 1 || errno > MAX_ERRNO) {
            // 0 would make a denied call "succeed" without running, the worst possible default.
            throw new IllegalArgumentException("Invalid errno " + errno + " for seccomp filter, must be 1..."
                    + MAX_ERRNO + ", refusing.");
        }
        int[] numbers = sortedDistinct(deniedNumbers);
        if (numbers.length > 0 && numbers[0] < 0) {
            throw new IllegalArgumentException("Invalid system call number " + numbers[0] + ", refusing.");
        }
        int count = 6 + 2 * numbers.length + 1;
        if (count > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("Seccomp filter for " + arch + " denying " + numbers.length
                    + " system calls needs " + count + " instructions, more than the kernel's limit of "
                    + MAX_INSTRUCTIONS + " (BPF_MAXINSNS), refusing.");
        }

        ByteBuffer program = ByteBuffer.allocate(count * INSTRUCTION_BYTES).order(ByteOrder.nativeOrder());
        put(program, LD_W_ABS, 0, 0, OFFSET_ARCH);
        put(program, JMP_JEQ_K, 1, 0, arch.auditArch());
        put(program, RET_K, 0, 0, RET_ERRNO | ENOSYS);
        put(program, LD_W_ABS, 0, 0, OFFSET_NR);
        put(program, JMP_JSET_K, 0, 1, X32_SYSCALL_BIT);
        put(program, RET_K, 0, 0, RET_ERRNO | ENOSYS);
        for (int nr : numbers) {
            put(program, JMP_JEQ_K, 0, 1, nr);
            put(program, RET_K, 0, 0, RET_ERRNO | errno);
        }
        put(program, RET_K, 0, 0, RET_ALLOW);
        return program.array();
    }

    private static void put(ByteBuffer program, short code, int jt, int jf, int k) {
        program.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }

    private static int[] sortedDistinct(int[] values) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[n - 1]) {
                sorted[n++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, n);
    }
}
