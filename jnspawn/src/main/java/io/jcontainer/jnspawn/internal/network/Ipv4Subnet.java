package io.jcontainer.jnspawn.internal.network;

/**
 * An IPv4 subnet of the container bridge: the first host address is the bridge's (the gateway),
 * the others are leased to containers.
 *
 * @param network the network address, host bits zero
 * @param prefix  the prefix length, 8..30
 */
public record Ipv4Subnet(int network, int prefix) {
    public static final int MIN_PREFIX = 8;
    public static final int MAX_PREFIX = 30;

    /**
     * Parses {@code A.B.C.D/N}.
     *
     * @throws IllegalArgumentException with a message naming the value
     */
    public static Ipv4Subnet parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException("Invalid subnet '" + text + "': expected A.B.C.D/PREFIX");
        }
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw new IllegalArgumentException("Invalid subnet '" + text + "': prefix must be " + MIN_PREFIX + ".."
                    + MAX_PREFIX);
        }
        int address = parseAddress(text.substring(0, slash), text);
        int mask = mask(prefix);
        if ((address & ~mask) != 0) {
            throw new IllegalArgumentException("Invalid subnet '" + text + "': host bits are set");
        }
        return new Ipv4Subnet(address, prefix);
    }

    static int parseAddress(String dotted, String typed) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("Invalid address '" + typed + "'");
        }
        int a = 0;
        for (String part : parts) {
            if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                throw new IllegalArgumentException("Invalid address '" + typed + "'");
            }
            a = a << 8 | Integer.parseInt(part);
        }
        return a;
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Whether this subnet and {@code other} (network, mask as ints) share an address. */
    public boolean overlaps(int otherNetwork, int otherMask) {
        int common = mask(prefix) & otherMask;
        return (network & common) == (otherNetwork & common);
    }

    /** Number of addresses containers can lease: all but network, gateway and broadcast. */
    public int leasable() {
        return (1 << (32 - prefix)) - 3;
    }

    /** The bridge's address, the containers' default route. */
    public String gateway() {
        return format(network + 1);
    }

    /** The {@code i}-th leasable address (0-based), after the gateway. */
    public String address(int i) {
        if (i < 0 || i >= leasable()) {
            throw new IndexOutOfBoundsException(i);
        }
        return format(network + 2 + i);
    }

    public static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
