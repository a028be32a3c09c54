package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortMappingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            8080:80/tcp | tcp | 8080 | 80
            8080:80     | tcp | 8080 | 80
            5353:53/udp | udp | 5353 | 53
            443         | tcp | 443  | 443
            53/udp      | udp | 53   | 53
            0.0.0.0:8080:80 | tcp | 8080 | 80
            """)
    void parsesDockerSyntax(String value, String protocol, int host, int container) throws SettingsException {
        PortMapping p = PortMapping.parse(value);
        assertEquals(new PortMapping(protocol, host, container), p);
        assertEquals(p, PortMapping.parse(p.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            8080:80     | tcp | 8080 | 80
            udp:5353:53 | udp | 5353 | 53
            tcp:22      | tcp | 22   | 22
            """)
    void parsesNspawnSyntax(String value, String protocol, int host, int container) throws SettingsException {
        assertEquals(new PortMapping(protocol, host, container), PortMapping.parseNspawn(value));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:8080:80          | 127.0.0.1:8080:80/tcp
            192.168.10.254:53:53/udp   | 192.168.10.254:53:53/udp
            """)
    void parsesAHostAddress(String value, String written) throws SettingsException {
        PortMapping p = PortMapping.parse(value);
        assertEquals(written, p.toString());
        assertEquals(p, PortMapping.parse(p.toString()));
        assertEquals(value.substring(0, value.indexOf(':')), p.address());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:8080:80     | tcp | 127.0.0.1 | 8080 | 80
            udp:127.0.0.1:5353:53 | udp | 127.0.0.1 | 5353 | 53
            tcp:10.0.0.1:22       | tcp | 10.0.0.1  | 22   | 22
            """)
    void parsesAHostAddressInNspawnSyntax(String value, String protocol, String address, int host, int container)
            throws SettingsException {
        assertEquals(new PortMapping(protocol, address, host, container), PortMapping.parseNspawn(value));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            8080:80           | 127.0.0.1:8080:81 | true
            127.0.0.1:8080:80 | 127.0.0.1:8080:81 | true
            127.0.0.1:8080:80 | 127.0.0.2:8080:80 | false
            8080:80           | 8080:80/udp       | false
            8080:80           | 8081:80           | false
            """)
    void overlapsOnTheSamePortAndAnAddressInCommon(String a, String b, boolean overlap) throws SettingsException {
        assertEquals(overlap, PortMapping.parse(a).overlaps(PortMapping.parse(b)));
        assertEquals(overlap, PortMapping.parse(b).overlaps(PortMapping.parse(a)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            1.2.3:80             | Invalid published port '1.2.3:80': host address '1.2.3' is not an IPv4 address
            ::1:80               | Invalid published port '::1:80': an IPv6 host address is not supported (IPv4 only)
            tcp:127.0.0.1:1:2:3  | Invalid published port 'tcp:127.0.0.1:1:2:3': expected [PROTOCOL:][IP:]HOST[:CONTAINER]
            """)
    void refusesBadNspawnValuesWithOneLine(String value, String message) {
        assertEquals(message, assertThrows(SettingsException.class, () -> PortMapping.parseNspawn(value)).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                  | Invalid published port '': expected [IP:]HOST:CONTAINER[/PROTOCOL]
            8080:               | Invalid published port '8080:': expected [IP:]HOST:CONTAINER[/PROTOCOL]
            0:80                | Invalid published port '0:80': port 0 is not in 1..65535
            65536               | Invalid published port '65536': port 65536 is not in 1..65535
            1.2.3:80:80         | Invalid published port '1.2.3:80:80': host address '1.2.3' is not an IPv4 address
            256.0.0.1:80:80     | Invalid published port '256.0.0.1:80:80': host address '256.0.0.1' is not an IPv4 address
            ::1:80:80           | Invalid published port '::1:80:80': an IPv6 host address is not supported (IPv4 only)
            [::1]:80:80         | Invalid published port '[::1]:80:80': an IPv6 host address is not supported (IPv4 only)
            127.0.0.1:80        | Invalid published port '127.0.0.1:80': expected [IP:]HOST:CONTAINER[/PROTOCOL]
            127.0.0.1::80       | Invalid published port '127.0.0.1::80': expected [IP:]HOST:CONTAINER[/PROTOCOL]
            80/icmp             | Invalid published port '80/icmp': protocol must be tcp or udp
            """)
    void refusesWithOneLineNamingTheValue(String value, String message) {
        assertEquals(message, assertThrows(SettingsException.class, () -> PortMapping.parse(value)).getMessage());
    }
}
