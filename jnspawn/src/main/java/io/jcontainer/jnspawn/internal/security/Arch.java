package io.jcontainer.jnspawn.internal.security;

/**
 * A CPU architecture whose native system calls jcontainer filters, with the AUDIT_ARCH value
 * the kernel puts into {@code seccomp_data.arch} for them.
 *
 * <p>AUDIT_ARCH values are {@code EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE} from
 * linux/audit.h and linux/elf-em.h (EM_X86_64 = 62, EM_AARCH64 = 183).
 */
public enum Arch {
    X86_64("x86_64", 0xC000003E),
    AARCH64("aarch64", 0xC00000B7);

    private final String kernelName;
    private final int auditArch;

    Arch(String kernelName, int auditArch) {
        this.kernelName = kernelName;
        this.auditArch = auditArch;
    }

    /** The name {@code uname -m} prints. */
    public String kernelName() {
        return kernelName;
    }

    /** The AUDIT_ARCH_* value of this architecture's native system calls. */
    public int auditArch() {
        return auditArch;
    }

    /**
     * The architecture this JVM runs on.
     *
     * @throws IllegalStateException on an architecture jcontainer has no system call table for
     */
    public static Arch host() {
        return fromOsArch(System.getProperty("os.arch"));
    }

    /**
     * The architecture for a value of the {@code os.arch} system property ({@code amd64} on
     * OpenJDK for x86_64, though some JVMs say {@code x86_64}).
     *
     * @throws IllegalStateException on an architecture jcontainer has no system call table for
     */
    public static Arch fromOsArch(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new IllegalStateException("Unsupported architecture '" + osArch
                    + "': no system call table for it, refusing.");
        };
    }

    @Override
    public String toString() {
        return kernelName;
    }
}
