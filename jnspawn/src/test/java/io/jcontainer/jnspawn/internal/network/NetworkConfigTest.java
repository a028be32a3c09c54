package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigTest {

    @Test
    void defaultsAvoidTheUsualSubnets() {
        NetworkConfig c = NetworkConfig.defaults();
        assertEquals("jcontainer0", c.bridge());
        assertEquals("10.213.0.0/16", c.subnet().toString());
        assertEquals("10.213.0.1", c.subnet().gateway());
        assertEquals("10.213.0.2", c.subnet().address(0));
        assertEquals(65533, c.subnet().leasable());
        assertEquals("jcontainer", c.table());
    }

    @Test
    void readsTheNetworkSection() throws SettingsException {
        NetworkConfig c = NetworkConfig.parse(UnitFile.parse("net.conf",
                "[Network]\nBridge=jct0\nSubnet=192.0.2.0/30\nTable=jct_test\nIPForward=no\n"
                        + "IPv6Prefix=fd00:1:2:3::/64\n"));
        assertEquals(new NetworkConfig("jct0", new Ipv4Subnet(0xc0000200, 30), "jct_test", false, "fd00:1:2:3::"), c);
        assertEquals(1, c.subnet().leasable());
        assertEquals("192.0.2.2", c.subnet().address(0));
        assertEquals("fd00:1:2:3::2", c.ipv6Of("192.0.2.2"));
        assertEquals("fd00:1:2:3::1", c.ipv6Gateway());
    }

    @Test
    void theDefaultUlaIsPerHostAndBridgeAndIPv6CanBeTurnedOff() throws SettingsException {
        String ula = NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\nBridge=jct0\n")).ipv6Prefix();
        assertTrue(ula.matches("fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::"), ula);
        assertNotEquals(ula, NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\nBridge=jct1\n")).ipv6Prefix());
        assertNull(NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\nIPv6Prefix=no\n")).ipv6Prefix());
        assertNull(NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\nIPv6Prefix=no\n")).ipv6Of("10.213.0.2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Subnet=10.0.0.1/16                | net.conf:2: Invalid subnet '10.0.0.1/16': host bits are set
            Subnet=10.0.0.0/31                | net.conf:2: Invalid subnet '10.0.0.0/31': prefix must be 8..30
            Subnet=10.0.0/16                  | net.conf:2: Invalid address '10.0.0/16'
            Bridge=a-bridge-name-too-long     | net.conf:2: Invalid Bridge 'a-bridge-name-too-long': expected up to 15 letters, digits, '_', '.', '-'
            IPForward=maybe                   | net.conf:2: Invalid boolean 'maybe' for IPForward
            IPv6Prefix=2001:db8::/64          | net.conf:2: Invalid IPv6Prefix '2001:db8::/64': expected a ULA /64 as fdXX:XXXX:XXXX:XXXX::/64, or no
            Gateway=10.0.0.1                  | net.conf:2: Unknown key 'Gateway'
            """)
    void refusesBadValuesNamingFileAndLine(String line, String message) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\n" + line + "\n")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void mapElementsAreReadWithProtocolNamesOrNumbers() {
        // Without /etc/protocols (a minbase system) nft lists tcp as 6.
        String listing = "table ip jcontainer {\n\tmap ports {\n\t\ttype inet_proto . inet_service : ipv4_addr . inet_service\n"
                + "\t\telements = { tcp . 8080 : 10.213.0.2 . 80, 6 . 8081 : 10.213.0.3 . 81,\n\t\t\t     17 . 5353 : 10.213.0.4 . 53 }\n\t}\n}\n";
        List<String[]> e = HostNetwork.elements(listing);
        assertEquals(3, e.size());
        assertEquals(List.of("tcp", "8080", "10.213.0.2", "80"), List.of(e.get(0)));
        assertEquals(List.of("6", "8081", "10.213.0.3", "81"), List.of(e.get(1)));
        assertEquals(List.of("17", "5353", "10.213.0.4", "53"), List.of(e.get(2)));
    }

    @Test
    void addressMapElementsAreReadWithProtocolNamesOrNumbers() {
        String listing = "table ip jcontainer {\n\tmap addrports {\n\t\ttype ipv4_addr . inet_proto . inet_service : "
                + "ipv4_addr . inet_service\n\t\telements = { 127.0.0.1 . tcp . 8080 : 10.213.0.2 . 80,\n\t\t\t     "
                + "192.0.2.7 . 17 . 5353 : 10.213.0.4 . 53 }\n\t}\n}\n";
        List<String[]> e = HostNetwork.addressElements(listing);
        assertEquals(2, e.size());
        assertEquals(List.of("tcp", "8080", "10.213.0.2", "80", "127.0.0.1"), List.of(e.get(0)));
        assertEquals(List.of("17", "5353", "10.213.0.4", "53", "192.0.2.7"), List.of(e.get(1)));
    }

    @Test
    void hostInterfaceNamesFitIfnamsiz() {
        assertEquals("vj-web", HostNetwork.hostInterfaceName("web"));
        assertEquals("vj-abcdefghijkl", HostNetwork.hostInterfaceName("abcdefghijkl"));
        String longName = HostNetwork.hostInterfaceName("abcdefghijklm");
        assertEquals(15, longName.length());
        assertEquals("vj-abcdef", longName.substring(0, 9));
        assertFalse(longName.equals(HostNetwork.hostInterfaceName("abcdefghijklmn")));
    }
}
