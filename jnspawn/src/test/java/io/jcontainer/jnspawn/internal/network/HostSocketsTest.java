package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The parsing of /proc/net/{tcp,udp}[6]; the real files are read in ContainerNetworkTest. */
class HostSocketsTest {
    /** An IPv4 address as the kernel prints it on this machine's byte order. */
    static String hex4(int a, int b, int c, int d) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? String.format("%02X%02X%02X%02X", d, c, b, a) : String.format("%02X%02X%02X%02X", a, b, c, d);
    }

    static String line(String local, String state) {
        return "   0: " + local + " 00000000:0000 " + state + " 00000000:00000000 00:00000000 00000000     0        0 104 1\n";
    }

    static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @Test
    void aListenerOnTheWildcardConflictsWithEveryAddress() {
        String table = HEADER + line(hex4(0, 0, 0, 0) + ":1F90", "0A");
        assertTrue(HostSockets.inUse(table, true, null, 8080));
        assertTrue(HostSockets.inUse(table, true, "127.0.0.1", 8080));
        assertFalse(HostSockets.inUse(table, true, null, 8081));
    }

    @Test
    void onlyListeningTcpSocketsCountButEveryUdpSocket() {
        String table = HEADER + line(hex4(127, 0, 0, 1) + ":1F90", "01");
        assertFalse(HostSockets.inUse(table, true, null, 8080), "an established connection is not a listener");
        assertTrue(HostSockets.inUse(table, false, null, 8080), "a bound UDP socket");
    }

    @Test
    void aSpecificAddressConflictsWithAllAddressesAndItselfOnly() {
        String table = HEADER + line(hex4(127, 0, 0, 1) + ":1F90", "0A");
        assertTrue(HostSockets.inUse(table, true, null, 8080));
        assertTrue(HostSockets.inUse(table, true, "127.0.0.1", 8080));
        assertFalse(HostSockets.inUse(table, true, "10.0.0.1", 8080));
    }

    @Test
    void ipv6WildcardAndV4MappedAddresses() {
        String any6 = HEADER + line("00000000000000000000000000000000:1F90", "0A");
        assertTrue(HostSockets.inUse(any6, true, "10.0.0.1", 8080));
        String mapped = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0000000000000000FFFF0000" : "0000000000000000" + "0000FFFF";
        String v4mapped = HEADER + line(mapped + hex4(127, 0, 0, 1) + ":1F90", "0A");
        assertEquals("/127.0.0.1", HostSockets.decode(mapped + hex4(127, 0, 0, 1)).toString());
        assertTrue(HostSockets.inUse(v4mapped, true, "127.0.0.1", 8080));
        assertFalse(HostSockets.inUse(v4mapped, true, "10.0.0.1", 8080));
        String loopback6 = HEADER + line("000000000000000000000000" + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "01000000" : "00000001") + ":1F90", "0A");
        assertTrue(HostSockets.inUse(loopback6, true, null, 8080), "[::1] on a port published on every address");
        assertFalse(HostSockets.inUse(loopback6, true, "127.0.0.1", 8080));
    }
}
