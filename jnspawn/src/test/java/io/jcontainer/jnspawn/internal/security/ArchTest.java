package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArchTest {

    @ParameterizedTest
    @CsvSource({"X86_64, AUDIT_ARCH_X86_64", "AARCH64, AUDIT_ARCH_AARCH64"})
    void auditArchMatchesKernelHeader(Arch arch, String define) {
        KernelHeaders headers = KernelHeaders.read(
                KernelHeaders.require("/usr/include/linux/elf-em.h"),
                KernelHeaders.require("/usr/include/linux/audit.h"));
        assertEquals(headers.value(define).getAsLong(), Integer.toUnsignedLong(arch.auditArch()));
    }

    @ParameterizedTest
    @CsvSource({"amd64, X86_64", "x86_64, X86_64", "aarch64, AARCH64"})
    void mapsJavaOsArch(String osArch, Arch expected) {
        assertEquals(expected, Arch.fromOsArch(osArch));
    }

    @ParameterizedTest
    @ValueSource(strings = {"riscv64", "x86", "i386", "arm", "ppc64le", "s390x", ""})
    void rejectsArchitectureWithoutTableNamingIt(String osArch) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Arch.fromOsArch(osArch));
        assertTrue(e.getMessage().contains("'" + osArch + "'"), e.getMessage());
    }

    @Test
    void hostFollowsOsArchProperty() {
        String osArch = System.getProperty("os.arch");
        if (osArch.equals("amd64") || osArch.equals("x86_64") || osArch.equals("aarch64")) {
            assertEquals(Arch.fromOsArch(osArch), Arch.host());
        } else {
            assertThrows(IllegalStateException.class, Arch::host);
        }
    }

    @Test
    void printsKernelName() {
        assertEquals("x86_64", Arch.X86_64.toString());
        assertEquals("aarch64", Arch.AARCH64.kernelName());
    }
}
