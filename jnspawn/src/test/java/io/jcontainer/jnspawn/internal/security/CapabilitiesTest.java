package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CapabilitiesTest {

    @Test
    void numbersMatchKernelHeader() {
        KernelHeaders header = KernelHeaders.read(KernelHeaders.require("/usr/include/linux/capability.h"));
        Map<String, Long> expected = new TreeMap<>(header.valuesWithPrefix("CAP_"));
        expected.remove("LAST_CAP");
        expected.keySet().removeIf(name -> !name.matches("[A-Z_]+") || name.startsWith("TO_"));

        Map<String, Long> actual = new TreeMap<>();
        for (int i = 0; i <= Capabilities.LAST_CAP; i++) {
            actual.put(Capabilities.name(i).substring("CAP_".length()), (long) i);
        }
        assertEquals(expected, actual);
        assertEquals(header.value("CAP_LAST_CAP").getAsLong(), Capabilities.LAST_CAP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CAP_NET_ADMIN", "net_admin", "NET_ADMIN", "cap_net_admin", "Net_Admin"})
    void acceptsNameWithOrWithoutPrefixInAnyCase(String name) {
        assertEquals(12, Capabilities.number(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CAP_FOO", "foo", "", "CAP_", "CAP_NET_ADMIN ", "all"})
    void rejectsUnknownCapabilityQuotingIt(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Capabilities.number(name));
        assertEquals("Unknown capability '" + name + "'", e.getMessage());
    }

    @Test
    void parseListRejectsUnknownName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Capabilities.parseList(List.of("chown", "CAP_FOO")));
        assertEquals("Unknown capability 'CAP_FOO'", e.getMessage());
    }

    @Test
    void parseListCombinesNames() {
        assertEquals((1L << 0) | (1L << 12) | (1L << 40),
                Capabilities.parseList(List.of("CAP_CHOWN", "net_admin", "checkpoint_restore")));
        assertEquals(0, Capabilities.parseList(List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "ALL", "All"})
    void allKeepsEveryCapability(String all) {
        long mask = Capabilities.parseList(List.of(all));
        assertEquals(Capabilities.ALL, mask);
        assertEquals(Capabilities.LAST_CAP + 1, Capabilities.names(mask).size());
    }

    @Test
    void namesListsMaskInNumberOrder() {
        assertEquals(List.of("CAP_CHOWN", "CAP_NET_ADMIN", "CAP_CHECKPOINT_RESTORE"),
                Capabilities.names((1L << 40) | (1L << 12) | 1L));
        assertEquals(List.of(), Capabilities.names(0));
    }

    @Test
    void namesRoundTripsThroughParseList() {
        assertEquals(Capabilities.NSPAWN_DEFAULT,
                Capabilities.parseList(Capabilities.names(Capabilities.NSPAWN_DEFAULT)));
        assertEquals(Capabilities.ALL, Capabilities.parseList(Capabilities.names(Capabilities.ALL)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 41, 1L << 63, -1L})
    void namesRejectsBitsBeyondLastCap(long mask) {
        assertThrows(IllegalArgumentException.class, () -> Capabilities.names(mask));
    }

    @Test
    void nspawnDefaultIsSystemdArgCapsRetain() {
        // systemd src/nspawn/nspawn.c, arg_caps_retain, in that file's order.
        List<String> nspawn = List.of("AUDIT_CONTROL", "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE",
                "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE",
                "MKNOD", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
                "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_NICE", "SYS_PTRACE", "SYS_RESOURCE",
                "SYS_TTY_CONFIG");
        assertEquals(Capabilities.parseList(nspawn), Capabilities.NSPAWN_DEFAULT);
        assertEquals(26, Long.bitCount(Capabilities.NSPAWN_DEFAULT));
        assertEquals(Capabilities.NSPAWN_DEFAULT, Capabilities.nspawnDefault(false));
    }

    @Test
    void privateNetworkAddsOnlyNetAdmin() {
        assertFalse(Capabilities.contains(Capabilities.NSPAWN_DEFAULT, "CAP_NET_ADMIN"));
        long withNetwork = Capabilities.nspawnDefault(true);
        assertTrue(Capabilities.contains(withNetwork, "net_admin"));
        assertEquals(1L << 12, withNetwork & ~Capabilities.NSPAWN_DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 41, 64})
    void nameRejectsUnknownNumber(int number) {
        assertThrows(IllegalArgumentException.class, () -> Capabilities.name(number));
    }
}
