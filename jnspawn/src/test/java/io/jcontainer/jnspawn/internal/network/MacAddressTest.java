package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The container's MAC follows its address, as Docker's does: a reused address meets no stale neighbour entry. */
class MacAddressTest {
    @Test
    void macIsLocallyAdministeredAndCarriesTheAddressBytes() {
        assertEquals("02:42:0a:d5:00:02", HostNetwork.macOf("10.213.0.2"));
        assertEquals("02:42:c0:a8:ff:fe", HostNetwork.macOf("192.168.255.254"));
    }
}
