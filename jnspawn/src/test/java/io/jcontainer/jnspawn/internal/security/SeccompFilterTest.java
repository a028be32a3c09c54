package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeccompFilterTest {

    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int ALLOW = 0x7fff0000;
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int AUDIT_ARCH_ARM = 0x40000028;
    private static final int X32_BIT = 0x40000000;

    private static int errno(int errno) {
        return 0x00050000 | errno;
    }

    private static ClassicBpf defaultFilter(Arch arch) {
        return ClassicBpf.load(SeccompFilter.build(arch, SeccompPolicy.defaultDenied(), EPERM));
    }

    private static int nr(Arch arch, String name) {
        return SyscallTable.of(arch).number(name).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyDeniedCallGetsTheErrno(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        List<String> wrong = new ArrayList<>();
        for (String name : SeccompPolicy.defaultDenied()) {
            SyscallTable.of(arch).number(name).ifPresent(nr -> {
                if (filter.run(nr, arch.auditArch()) != errno(EPERM)) {
                    wrong.add(name);
                }
            });
        }
        assertEquals(List.of(), wrong);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyOtherCallIsAllowed(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        Set<String> denied = SeccompPolicy.defaultDenied();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Integer> e : SyscallTable.of(arch).asMap().entrySet()) {
            if (!denied.contains(e.getKey()) && filter.run(e.getValue(), arch.auditArch()) != ALLOW) {
                wrong.add(e.getKey());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void containerEssentialsAreAllowed(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        for (String name : List.of("read", "write", "execve", "mount", "reboot", "pivot_root", "unshare", "ptrace")) {
            assertEquals(ALLOW, filter.run(nr(arch, name), arch.auditArch()), name);
        }
        // A number beyond every table (a future system call): allowed, this is a deny list.
        assertEquals(ALLOW, filter.run(1000, arch.auditArch()));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void requiredCallsAreDeniedWhereTheyExist(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        for (String name : List.of("kexec_load", "init_module", "bpf", "keyctl", "open_by_handle_at", "swapon",
                "clock_settime", "userfaultfd", "perf_event_open", "syslog", "acct")) {
            assertEquals(errno(EPERM), filter.run(nr(arch, name), arch.auditArch()), name);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void foreignAbiGetsEnosys(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        int other = arch == Arch.X86_64 ? Arch.AARCH64.auditArch() : Arch.X86_64.auditArch();
        for (int foreign : new int[] {AUDIT_ARCH_I386, AUDIT_ARCH_ARM, other, 0}) {
            assertEquals(errno(ENOSYS), filter.run(nr(arch, "read"), foreign));
            // i386 kexec_load is 283; it must not slip through as a harmless native number.
            assertEquals(errno(ENOSYS), filter.run(283, foreign));
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void x32BitGetsEnosys(Arch arch) {
        ClassicBpf filter = defaultFilter(arch);
        assertEquals(errno(ENOSYS), filter.run(X32_BIT | nr(arch, "read"), arch.auditArch()));
        assertEquals(errno(ENOSYS), filter.run(X32_BIT | nr(arch, "kexec_load"), arch.auditArch()));
        assertEquals(errno(ENOSYS), filter.run(X32_BIT | 528, arch.auditArch())); // x32 kexec_load
        assertEquals(errno(ENOSYS), filter.run(-1, arch.auditArch()));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void lengthIsEightBytesPerInstruction(Arch arch) {
        Set<String> denied = SeccompPolicy.defaultDenied();
        long known = denied.stream().filter(name -> SyscallTable.of(arch).number(name).isPresent()).count();
        byte[] bytes = SeccompFilter.build(arch, denied, EPERM);
        int instructions = ClassicBpf.load(bytes).instructionCount();
        assertEquals(8 * instructions, bytes.length);
        assertEquals(6 + 2 * known + 1, instructions);
    }

    @Test
    void usesNativeByteOrder() {
        ByteBuffer first = ByteBuffer.wrap(SeccompFilter.build(Arch.X86_64, List.of(), EPERM)).order(ByteOrder.nativeOrder());
        assertEquals(0x20, first.getShort(0)); // BPF_LD | BPF_W | BPF_ABS
        assertEquals(4, first.getInt(4));      // offsetof(struct seccomp_data, arch)
        assertEquals(Arch.X86_64.auditArch(), first.getInt(8 + 4));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void emptyListAllowsEverythingNative(Arch arch) {
        ClassicBpf filter = ClassicBpf.load(SeccompFilter.build(arch, List.of(), EPERM));
        assertEquals(7, filter.instructionCount());
        assertEquals(ALLOW, filter.run(nr(arch, "kexec_load"), arch.auditArch()));
        assertEquals(errno(ENOSYS), filter.run(0, AUDIT_ARCH_I386));
    }

    @Test
    void skipsNamesTheArchitectureLacksAndDuplicates() {
        ClassicBpf filter = ClassicBpf.load(SeccompFilter.build(Arch.AARCH64,
                List.of("iopl", "vm86", "no_such_call", "swapon", "swapon"), EPERM));
        assertEquals(7 + 2, filter.instructionCount());
        assertEquals(errno(EPERM), filter.run(nr(Arch.AARCH64, "swapon"), Arch.AARCH64.auditArch()));
    }

    @Test
    void carriesTheGivenErrno() {
        ClassicBpf filter = ClassicBpf.load(SeccompFilter.build(Arch.X86_64, List.of("bpf"), 13));
        assertEquals(errno(13), filter.run(nr(Arch.X86_64, "bpf"), Arch.X86_64.auditArch()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 4096, 0x10000})
    void rejectsInvalidErrno(int errno) {
        assertThrows(IllegalArgumentException.class, () -> SeccompFilter.build(Arch.X86_64, List.of("bpf"), errno));
    }

    @Test
    void rejectsNegativeNumber() {
        assertThrows(IllegalArgumentException.class, () -> SeccompFilter.build(Arch.X86_64, new int[] {-5}, EPERM));
    }

    @Test
    void longListsStayCorrectPastEightBitJumps() {
        // 1000 denied numbers: a shared-return layout would need jumps far beyond 255.
        int[] numbers = IntStream.range(0, 2000).filter(n -> n % 2 == 0).toArray();
        ClassicBpf filter = ClassicBpf.load(SeccompFilter.build(Arch.X86_64, numbers, EPERM));
        for (int n = 0; n < 2100; n++) {
            int expected = n < 2000 && n % 2 == 0 ? errno(EPERM) : ALLOW;
            assertEquals(expected, filter.run(n, Arch.X86_64.auditArch()), "nr " + n);
        }
    }

    @Test
    void hugeDenyListExceedsKernelLimit() {
        // 6 header + 2 per call + 1 final: 2044 calls fill 4095 of BPF_MAXINSNS = 4096, 2045 do not fit.
        byte[] largest = SeccompFilter.build(Arch.X86_64, IntStream.range(0, 2044).toArray(), EPERM);
        assertEquals(4095, ClassicBpf.load(largest).instructionCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompFilter.build(Arch.X86_64, IntStream.range(0, 2045).toArray(), EPERM));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SeccompFilter.build(Arch.AARCH64, IntStream.range(0, 100_000).toArray(), EPERM));
    }
}
