package io.jcontainer.jnspawn.internal.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's own sockets on a port, from {@code /proc/net/{tcp,tcp6,udp,udp6}} of the network
 * namespace jnspawn runs in (the host's): a published port's DNAT would take their traffic, so a
 * start that publishes such a port is refused.
 *
 * <p>TCP counts listening sockets (state {@code 0A}); UDP every socket bound to the port. A socket
 * on the wildcard address takes every address's traffic; one on a specific address (IPv4, or IPv6
 * including v4-mapped {@code ::ffff:a.b.c.d}) conflicts with a port published on every address, and
 * with a port published on that IPv4 address.
 */
final class HostSockets {
    private static final String LISTEN = "0A";
    private static final Path PROC_NET = Path.of("/proc/self/net");

    private HostSockets() {
    }

    /**
     * True if a host socket of {@code protocol} uses {@code port} on {@code address} (an IPv4
     * address; null: any address).
     */
    static boolean inUse(String protocol, String address, int port) throws IOException {
        for (String file : List.of(protocol, protocol + "6")) {
            Path p = PROC_NET.resolve(file);
            if (Files.exists(p) && inUse(Files.readString(p), protocol.equals("tcp"), address, port)) {
                return true;
            }
        }
        return false;
    }

    /** {@code table}: the text of one /proc/net file; {@code tcp}: only listening sockets count. */
    static boolean inUse(String table, boolean tcp, String address, int port) {
        InetAddress wanted = address == null ? null : parse(address);
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":") || (tcp && !f[3].equals(LISTEN))) {
                continue; // the header, or not a listener
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0 || hex(f[1].substring(colon + 1)) != port) {
                continue; // not this port, or not a port: the kernel writes 4 hex digits (found by fuzzing)
            }
            InetAddress bound = decode(f[1].substring(0, colon));
            if (wanted == null || bound == null || bound.isAnyLocalAddress() || bound.equals(wanted)) {
                return true; // an address we cannot read counts: refusing is the safe side
            }
        }
        return false;
    }

    /**
     * An address as the kernel prints it: each 32-bit word of the network-order address as a
     * native-order integer in hex. A v4-mapped IPv6 address comes back as an Inet4Address.
     */
    static InetAddress decode(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i < hex.length(); i += 8) {
            long word = hex(hex.substring(i, i + 8));
            if (word < 0) {
                return null;
            }
            bytes.putInt((int) word);
        }
        try {
            return InetAddress.getByAddress(bytes.array());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Plain hex digits as a number, else -1 ({@link Long#parseLong} also takes a sign). */
    private static long hex(String digits) {
        if (digits.isEmpty() || digits.length() > 8) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), 16);
            if (d < 0 || digits.charAt(i) >= 0x80) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static InetAddress parse(String address) {
        try {
            return InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
