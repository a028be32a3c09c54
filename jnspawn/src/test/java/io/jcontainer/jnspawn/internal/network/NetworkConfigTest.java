package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;
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
                "[Network]\nBridge=jct0\nSubnet=192.0.2.0/30\nTable=jct_test\nIPForward=no\n"));
        assertEquals(new NetworkConfig("jct0", new Ipv4Subnet(0xc0000200, 30), "jct_test", false), c);
        assertEquals(1, c.subnet().leasable());
        assertEquals("192.0.2.2", c.subnet().address(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Subnet=10.0.0.1/16                | net.conf:2: Invalid subnet '10.0.0.1/16': host bits are set
            Subnet=10.0.0.0/31                | net.conf:2: Invalid subnet '10.0.0.0/31': prefix must be 8..30
            Subnet=10.0.0/16                  | net.conf:2: Invalid address '10.0.0/16'
            Bridge=a-bridge-name-too-long     | net.conf:2: Invalid Bridge 'a-bridge-name-too-long': expected up to 15 letters, digits, '_', '.', '-'
            IPForward=maybe                   | net.conf:2: Invalid boolean 'maybe' for IPForward
            Gateway=10.0.0.1                  | net.conf:2: Unknown key 'Gateway'
            """)
    void refusesBadValuesNamingFileAndLine(String line, String message) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> NetworkConfig.parse(UnitFile.parse("net.conf", "[Network]\n" + line + "\n")));
        assertEquals(message, e.getMessage());
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
