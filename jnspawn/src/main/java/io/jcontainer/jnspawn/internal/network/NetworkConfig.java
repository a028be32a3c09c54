package io.jcontainer.jnspawn.internal.network;

import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's container network: bridge name, IPv4 subnet, nftables table. Read from
 * {@code /etc/jcontainer/network.conf} (system property {@code jcontainer.network.conf} overrides
 * the path, as tests do to use a bridge, subnet and table of their own); absent file, absent keys: defaults.
 *
 * <pre>
 * [Network]
 * Bridge=jcontainer0
 * Subnet=10.213.0.0/16
 * Table=jcontainer
 * IPForward=yes
 * IPv6Prefix=fd12:3456:789a::/64
 * </pre>
 *
 * @param ipForward whether jnspawn turns on {@code net.ipv4.ip_forward} (needed for outbound NAT
 *                  and for published ports reached from other hosts); with {@code no}, only the
 *                  bridge's own {@code forwarding} is set and the admin decides the rest
 * @param ipv6Prefix a ULA /64 as {@code fdXX:XXXX:XXXX:XXXX::} (addresses are appended), or null
 *                   for no IPv6; by default one derived from the machine id and the bridge name
 *                   (RFC 4193 wants the global ID random per site, not a constant of ours)
 */
public record NetworkConfig(String bridge, Ipv4Subnet subnet, String table, boolean ipForward, String ipv6Prefix) {
    public static final Path DEFAULT_PATH = Path.of("/etc/jcontainer/network.conf");
    public static final String DEFAULT_BRIDGE = "jcontainer0";
    /**
     * 10.213.0.0/16: not Docker's (172.17.0.0/16 and its 172.18-31 and 192.168 pools), not
     * Podman's (10.88.0.0/16), libvirt's (192.168.122.0/24), LXC's (10.0.3.0/24), Kubernetes'
     * usual pod and service ranges (10.244/16, 10.96/12), nor AWS's default VPC (172.31.0.0/16),
     * and away from the 10.0.x and 192.168.x that home and office routers hand out.
     */
    public static final String DEFAULT_SUBNET = "10.213.0.0/16";
    public static final String DEFAULT_TABLE = "jcontainer";
    /** IFNAMSIZ - 1. */
    public static final int MAX_IFNAME = 15;

    public static NetworkConfig defaults() {
        return new NetworkConfig(DEFAULT_BRIDGE, Ipv4Subnet.parse(DEFAULT_SUBNET), DEFAULT_TABLE, true,
                defaultUla(DEFAULT_BRIDGE));
    }

    /** The IPv6 address of the container that has IPv4 address {@code ipv4}, or null without IPv6. */
    public String ipv6Of(String ipv4) {
        if (ipv6Prefix == null) {
            return null;
        }
        return ipv6Prefix + Integer.toHexString(Ipv4Subnet.parseAddress(ipv4, ipv4) - subnet.network());
    }

    /** The bridge's IPv6 address, or null. */
    public String ipv6Gateway() {
        return ipv6Prefix == null ? null : ipv6Prefix + "1";
    }

    /** fd + 40 bits of a hash of /etc/machine-id and the bridge name, subnet 0 (RFC 4193, 3.2). */
    static String defaultUla(String bridge) {
        String id;
        try {
            id = Files.readString(Path.of("/etc/machine-id")).trim();
        } catch (java.io.IOException e) {
            id = "";
        }
        java.util.zip.CRC32 a = new java.util.zip.CRC32();
        a.update((id + "/" + bridge).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.util.zip.CRC32 b = new java.util.zip.CRC32();
        b.update((bridge + "/" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long g = (a.getValue() << 8 | (b.getValue() & 0xff)) & 0xffffffffffL;
        return String.format("fd%02x:%x:%x::", g >>> 32, g >>> 16 & 0xffff, g & 0xffff);
    }

    /** The configuration of this host (system property {@code jcontainer.network.conf} names another file). */
    public static NetworkConfig load() throws SettingsException {
        String override = System.getProperty("jcontainer.network.conf");
        Path path = override != null && !override.isEmpty() ? Path.of(override) : DEFAULT_PATH;
        return Files.exists(path) ? parse(UnitFile.parse(path)) : defaults();
    }

    static NetworkConfig parse(UnitFile file) throws SettingsException {
        String bridge = DEFAULT_BRIDGE;
        Ipv4Subnet subnet = Ipv4Subnet.parse(DEFAULT_SUBNET);
        String table = DEFAULT_TABLE;
        boolean forward = true;
        String ula = "";
        for (UnitFile.Entry e : file.entries()) {
            String where = file.displayName() + ":" + e.line() + ": ";
            if (!e.section().equals("Network")) {
                throw new SettingsException(where + "Unknown section '" + e.section() + "', expected [Network]");
            }
            try {
                switch (e.key()) {
                    case "Bridge" -> bridge = name("Bridge", e.value(), MAX_IFNAME);
                    case "Subnet" -> subnet = Ipv4Subnet.parse(e.value());
                    case "Table" -> table = name("Table", e.value(), 64);
                    case "IPForward" -> forward = switch (e.value()) {
                        case "yes", "true", "1", "on" -> true;
                        case "no", "false", "0", "off" -> false;
                        default -> throw new IllegalArgumentException("Invalid boolean '" + e.value() + "' for IPForward");
                    };
                    case "IPv6Prefix" -> ula = ula(e.value());
                    default -> throw new IllegalArgumentException("Unknown key '" + e.key() + "'");
                }
            } catch (IllegalArgumentException ex) {
                throw new SettingsException(where + ex.getMessage());
            }
        }
        return new NetworkConfig(bridge, subnet, table, forward, ula == null ? null : ula.isEmpty() ? defaultUla(bridge) : ula);
    }

    /** {@code no}: null; else a ULA /64 written as four groups and {@code ::/64}. */
    private static String ula(String value) {
        if (value.equals("no")) {
            return null;
        }
        String v = value.toLowerCase(java.util.Locale.ROOT);
        if (!v.matches("fd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::/64")) {
            throw new IllegalArgumentException("Invalid IPv6Prefix '" + value
                    + "': expected a ULA /64 as fdXX:XXXX:XXXX:XXXX::/64, or no");
        }
        return v.substring(0, v.length() - 3);
    }

    private static String name(String key, String value, int max) {
        if (value.isEmpty() || value.length() > max || !value.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Invalid " + key + " '" + value + "': expected up to " + max
                    + " letters, digits, '_', '.', '-'");
        }
        return value;
    }
}
