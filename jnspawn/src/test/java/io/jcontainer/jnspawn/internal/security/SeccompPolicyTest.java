package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeccompPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"_sysctl", "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "settimeofday",
        "adjtimex", "create_module", "delete_module", "finit_module", "init_module", "get_kernel_syms",
        "query_module", "ioperm", "iopl", "kexec_file_load", "kexec_load", "keyctl", "request_key",
        "lookup_dcookie", "nfsservctl", "open_by_handle_at", "perf_event_open", "quotactl", "quotactl_fd",
        "swapoff", "swapon", "syslog", "uselib", "userfaultfd", "vm86", "vm86old", "fanotify_init",
        "fanotify_mark", "modify_ldt", "ustat", "sysfs"})
    void deniesByDefault(String syscall) {
        assertTrue(SeccompPolicy.defaultDenied().contains(syscall));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reboot", "mount", "umount2", "pivot_root", "unshare", "setns", "clone", "clone3",
        "chroot", "sethostname", "ptrace", "process_vm_readv", "vhangup", "read", "write", "execve",
        "name_to_handle_at", "mlock", "mlockall", "pkey_mprotect", "io_uring_setup", "personality",
        "capset", "setuid", "seccomp", "prctl"})
    void allowsWhatNspawnAllowsContainers(String syscall) {
        assertFalse(SeccompPolicy.defaultDenied().contains(syscall));
    }

    @ParameterizedTest
    @CsvSource({"CAP_SYS_TIME, clock_settime", "CAP_SYS_TIME, adjtimex", "CAP_SYS_MODULE, finit_module",
        "CAP_SYS_RAWIO, iopl", "CAP_SYS_PACCT, acct", "CAP_SYSLOG, syslog"})
    void keepingCapabilityAllowsItsCalls(String capability, String syscall) {
        long caps = Capabilities.NSPAWN_DEFAULT | Capabilities.parseList(List.of(capability));
        assertTrue(SeccompPolicy.denied(Capabilities.NSPAWN_DEFAULT).contains(syscall));
        assertFalse(SeccompPolicy.denied(caps).contains(syscall));
    }

    @ParameterizedTest
    @CsvSource({"CAP_SYS_BOOT, reboot", "CAP_SYS_PTRACE, ptrace", "CAP_SYS_PTRACE, process_vm_writev",
        "CAP_SYS_TTY_CONFIG, vhangup"})
    void droppingCapabilityDeniesItsCalls(String capability, String syscall) {
        long caps = Capabilities.NSPAWN_DEFAULT & ~Capabilities.parseList(List.of(capability));
        assertFalse(SeccompPolicy.denied(Capabilities.NSPAWN_DEFAULT).contains(syscall));
        assertTrue(SeccompPolicy.denied(caps).contains(syscall));
    }

    @Test
    void someCallsAreDeniedWhateverTheCapabilities() {
        SortedSet<String> denied = SeccompPolicy.denied(Capabilities.ALL);
        assertTrue(denied.containsAll(List.of("bpf", "keyctl", "kexec_load", "open_by_handle_at", "userfaultfd",
                "swapon", "perf_event_open", "fanotify_init", "quotactl", "_sysctl")), denied.toString());
        assertFalse(denied.contains("reboot"));
        assertFalse(denied.contains("clock_settime"));
        assertFalse(denied.contains("init_module"));
    }

    @Test
    void privateNetworkChangesNothing() {
        assertEquals(SeccompPolicy.defaultDenied(), SeccompPolicy.denied(Capabilities.nspawnDefault(true)));
    }

    @Test
    void everyNameIsASystemCallOfSomeArchitecture() {
        // i386 has the obsolete and vm86 calls our two tables lack.
        Map<String, Long> i386 = KernelHeaders.read(
                KernelHeaders.require("/usr/include/x86_64-linux-gnu/asm/unistd_32.h")).valuesWithPrefix("__NR_");
        // powerpc-only (subpage_prot, switch_endian) and alpha/powerpc/sparc-only (pciconfig_*).
        Set<String> elsewhere = Set.of("subpage_prot", "switch_endian", "pciconfig_iobase", "pciconfig_read",
                "pciconfig_write");
        Set<String> unknown = SeccompPolicy.denied(0).stream()
                .filter(name -> !SyscallTable.knownOnAnyArch(name) && !i386.containsKey(name) && !elsewhere.contains(name))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), unknown);
    }

    @Test
    void listIsUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> SeccompPolicy.defaultDenied().add("read"));
    }
}
