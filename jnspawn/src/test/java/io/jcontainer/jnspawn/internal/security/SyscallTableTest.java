package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyscallTableTest {

    @Test
    void x86_64MatchesUnistd64Header() {
        Map<String, Long> header = KernelHeaders.read(
                KernelHeaders.require("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")).valuesWithPrefix("__NR_");
        assertMatches(SyscallTable.of(Arch.X86_64), header);
    }

    @Test
    void aarch64MatchesAsmGenericHeader() {
        Map<String, Long> header = KernelHeaders.read(
                KernelHeaders.require("/usr/include/asm-generic/unistd.h")).valuesWithPrefix("__NR_");
        header.remove("syscalls");              // a count, not a call
        header.remove("arch_specific_syscall"); // the base of a range, not a call
        // 32-bit-only aliases of __NR3264_* calls; arm64 uses the 64-bit names.
        header.keySet().removeAll(List.of("fcntl64", "statfs64", "fstatfs64", "truncate64", "ftruncate64",
                "llseek", "sendfile64", "fstatat64", "fstat64", "mmap2", "fadvise64_64", "stat64", "lstat64"));
        // The 32-bit ABI's 64-bit-time calls (403..423, under __BITS_PER_LONG == 32).
        header.keySet().removeIf(name -> name.endsWith("time64"));
        // Not wanted by arm64 (__ARCH_WANT_SYNC_FILE_RANGE2 is powerpc/arm32's).
        header.remove("sync_file_range2");
        assertMatches(SyscallTable.of(Arch.AARCH64), header);
    }

    /**
     * Every entry of the table is in the header with the same number, and every header call up
     * to the table's highest number is in the table (a newer header may know newer calls).
     */
    private static void assertMatches(SyscallTable table, Map<String, Long> header) {
        List<String> problems = new ArrayList<>();
        int highest = 0;
        for (Map.Entry<String, Integer> e : table.asMap().entrySet()) {
            Long expected = header.get(e.getKey());
            if (expected == null || expected.intValue() != e.getValue()) {
                problems.add(table.arch() + " " + e.getKey() + "=" + e.getValue() + " but header says " + expected);
            }
            highest = Math.max(highest, e.getValue());
        }
        for (Map.Entry<String, Long> e : header.entrySet()) {
            if (e.getValue() <= highest && table.number(e.getKey()).isEmpty()) {
                problems.add(table.arch() + " lacks " + e.getKey() + "=" + e.getValue());
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(table.asMap().size() > 250, "suspiciously small table: " + table.asMap().size());
    }

    @ParameterizedTest
    @CsvSource({
        "X86_64, read, 0", "X86_64, execve, 59", "X86_64, mount, 165", "X86_64, reboot, 169",
        "X86_64, quotactl_fd, 443",
        "AARCH64, read, 63", "AARCH64, execve, 221", "AARCH64, mount, 40", "AARCH64, reboot, 142",
        "AARCH64, renameat, 38", "AARCH64, newfstatat, 79", "AARCH64, clone3, 435"})
    void knowsWellKnownNumbers(Arch arch, String name, int number) {
        assertEquals(OptionalInt.of(number), SyscallTable.of(arch).number(name));
    }

    @ParameterizedTest
    @CsvSource({"X86_64, vm86", "X86_64, arch_specific_syscall", "AARCH64, open", "AARCH64, iopl",
        "AARCH64, _sysctl", "X86_64, no_such_call"})
    void lacksCallsTheArchitectureDoesNotHave(Arch arch, String name) {
        assertEquals(OptionalInt.empty(), SyscallTable.of(arch).number(name));
    }

    @Test
    void knownOnAnyArchSpotsTypos() {
        assertTrue(SyscallTable.knownOnAnyArch("iopl"));     // x86_64 only
        assertTrue(SyscallTable.knownOnAnyArch("renameat")); // both
        assertFalse(SyscallTable.knownOnAnyArch("mout"));
    }
}
