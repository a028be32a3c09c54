package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.jnspawn.LaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subnet is refused when a host route overlaps it. Input in /proc/net/route's format, as this x86-64 kernel
 * prints it (the root test ContainerNetworkTest checks the real file with a real interface).
 */
class SubnetRouteTest {
    static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    @TempDir
    Path tmp;

    private void check(String routes) throws Exception {
        Path file = Files.writeString(tmp.resolve("route"), HEADER + routes);
        new HostNetwork(NetworkConfig.defaults(), tmp).checkSubnetIsFree(file);
    }

    @Test
    void aRouteInsideTheSubnetIsRefusedNamingIt() {
        // 10.213.4.0/24 on eth0 inside the default 10.213.0.0/16
        LaunchException e = assertThrows(LaunchException.class,
                () -> check("eth0\t0004D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"));
        assertEquals("Subnet 10.213.0.0/16 of bridge 'jcontainer0' overlaps the host's route 10.213.4.0/24 on 'eth0'; "
                + "set another Subnet= in /etc/jcontainer/network.conf.", e.getMessage());
    }

    @Test
    void aRouteAroundTheSubnetIsRefused() {
        // 10.0.0.0/8 on a VPN covers the subnet
        LaunchException e = assertThrows(LaunchException.class,
                () -> check("tun0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"));
        assertTrue(e.getMessage().contains("overlaps the host's route 10.0.0.0/8 on 'tun0'"), e.getMessage());
    }

    @Test
    void theDefaultRouteOtherNetworksAndTheBridgeItselfAreFine() {
        assertDoesNotThrow(() -> check("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                + "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
                + "jcontainer0\t0000D50A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"));
        assertDoesNotThrow(() -> new HostNetwork(NetworkConfig.defaults(), tmp).checkSubnetIsFree(tmp.resolve("none")));
    }
}
