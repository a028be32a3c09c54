package io.jcontainer.jnspawn.internal.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Fuzzes the readers of other programs' output: {@code /proc/net/{tcp,udp}*} tables ({@link HostSockets}) and
 * {@code nft list map} listings ({@link HostNetwork#elements}, {@link HostNetwork#addressElements}). Neither may
 * throw on any text; an element read from a listing, printed as nft prints it, reads back the same.
 */
class NetworkOutputFuzzTest {
    @FuzzTest
    void procNetTable(FuzzedDataProvider d) {
        boolean tcp = d.consumeBoolean();
        String address = d.consumeBoolean() ? null : d.pickValue(new String[] {"127.0.0.1", "10.0.0.1", "0.0.0.0"});
        int port = d.consumeInt(1, 65535);
        HostSockets.inUse(d.consumeRemainingAsString(), tcp, address, port);
    }

    @FuzzTest
    void nftListing(byte[] input) {
        String listing = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String[] e : HostNetwork.elements(listing)) {
            List<String[]> again = HostNetwork.elements(e[0] + " . " + e[1] + " : " + e[2] + " . " + e[3]);
            assertEquals(1, again.size());
            assertArrayEquals(e, again.get(0));
        }
        for (String[] e : HostNetwork.addressElements(listing)) {
            List<String[]> again = HostNetwork.addressElements(e[4] + " . " + e[0] + " . " + e[1] + " : " + e[2] + " . " + e[3]);
            assertEquals(1, again.size());
            assertArrayEquals(e, again.get(0));
        }
    }
}
