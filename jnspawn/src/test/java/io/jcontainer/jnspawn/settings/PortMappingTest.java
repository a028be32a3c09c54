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
            ''                  | Invalid published port '': expected HOST:CONTAINER[/PROTOCOL]
            8080:               | Invalid published port '8080:': expected HOST:CONTAINER[/PROTOCOL]
            0:80                | Invalid published port '0:80': port 0 is not in 1..65535
            65536               | Invalid published port '65536': port 65536 is not in 1..65535
            127.0.0.1:8080:80   | Invalid published port '127.0.0.1:8080:80': expected HOST:CONTAINER[/PROTOCOL] (a host address is not supported)
            80/icmp             | Invalid published port '80/icmp': protocol must be tcp or udp
            """)
    void refusesWithOneLineNamingTheValue(String value, String message) {
        assertEquals(message, assertThrows(SettingsException.class, () -> PortMapping.parse(value)).getMessage());
    }
}
