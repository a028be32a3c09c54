package io.jcontainer.jnspawn.settings;

import java.util.regex.Pattern;

/**
 * A published port: connections to {@code hostPort} of the host (on {@code address}, or on any of
 * its addresses) reach {@code containerPort} of the container ({@code PublishPort=} and jnspawn's
 * {@code -p/--port}).
 *
 * @param protocol "tcp" or "udp"
 * @param address an IPv4 address of the host, in dotted-quad form; null: every address
 */
public record PortMapping(String protocol, String address, int hostPort, int containerPort) {
    private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final String SYNTAX = "expected [IP:]HOST:CONTAINER[/PROTOCOL]";

    /** A port published on every address of the host. */
    public PortMapping(String protocol, int hostPort, int containerPort) {
        this(protocol, null, hostPort, containerPort);
    }

    /**
     * Parses {@code PublishPort=}'s syntax, Docker's: {@code [IP:]HOST:CONTAINER[/tcp|udp]} or
     * {@code PORT[/tcp|udp]} (the same port on both sides); tcp by default. IP is an IPv4 address
     * of the host ({@code 0.0.0.0}: every address, as with no IP).
     *
     * @throws SettingsException {@code Invalid published port '8080:x': ...}
     */
    public static PortMapping parse(String value) throws SettingsException {
        String ports = value;
        String protocol = "tcp";
        int slash = value.indexOf('/');
        if (slash >= 0) {
            protocol = value.substring(slash + 1);
            ports = value.substring(0, slash);
        }
        protocol(value, protocol);
        String[] parts = ports.split(":", -1);
        if (parts.length > 3 || ports.startsWith("[")) {
            throw SettingsException.invalid("published port", value, ports.contains("[") || parts.length > 3
                    ? "an IPv6 host address is not supported (IPv4 only)" : SYNTAX);
        }
        if (parts.length == 3) {
            return new PortMapping(protocol, address(value, parts[0]), port(value, parts[1]), port(value, parts[2]));
        }
        int host = port(value, parts[0]);
        return new PortMapping(protocol, host, parts.length == 2 ? port(value, parts[1]) : host);
    }

    /**
     * Parses systemd-nspawn's {@code --port=} syntax, {@code [tcp|udp:]HOST[:CONTAINER]}, with
     * jnspawn's extension {@code [tcp|udp:]IP:HOST[:CONTAINER]}: an IPv4 address first, told apart
     * from a port by its dots.
     */
    public static PortMapping parseNspawn(String value) throws SettingsException {
        String protocol = "tcp";
        String ports = value;
        if (value.startsWith("tcp:") || value.startsWith("udp:")) {
            protocol = value.substring(0, 3);
            ports = value.substring(4);
        }
        String address = null;
        String[] parts = ports.split(":", -1);
        if (parts.length > 1 && parts[0].contains(".")) {
            address = address(value, parts[0]);
            ports = ports.substring(parts[0].length() + 1);
            parts = ports.split(":", -1);
        }
        if (parts.length > 2) {
            throw SettingsException.invalid("published port", value, ports.contains("::") || parts.length > 3
                    ? "an IPv6 host address is not supported (IPv4 only)" : "expected [PROTOCOL:][IP:]HOST[:CONTAINER]");
        }
        int host = port(value, parts[0]);
        return new PortMapping(protocol, address, host, parts.length == 2 ? port(value, parts[1]) : host);
    }

    private static void protocol(String typed, String protocol) throws SettingsException {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw SettingsException.invalid("published port", typed, "protocol must be tcp or udp");
        }
    }

    /** A dotted-quad IPv4 address; 0.0.0.0 is every address (null). */
    private static String address(String typed, String text) throws SettingsException {
        if (!IPV4.matcher(text).matches()) {
            throw SettingsException.invalid("published port", typed, text.isEmpty() ? SYNTAX
                    : "host address '" + text + "' is not an IPv4 address");
        }
        return text.equals("0.0.0.0") ? null : text;
    }

    private static int port(String typed, String text) throws SettingsException {
        if (!text.matches("[0-9]{1,5}")) {
            throw SettingsException.invalid("published port", typed, SYNTAX);
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw SettingsException.invalid("published port", typed, "port " + text + " is not in 1..65535");
        }
        return port;
    }

    /** {@code 8080} or {@code 127.0.0.1:8080}: where the host takes the connections. */
    public String hostSide() {
        return address == null ? Integer.toString(hostPort) : address + ":" + hostPort;
    }

    /** True if this and {@code other} would take the same connections: same protocol and port, and an address in common. */
    public boolean overlaps(PortMapping other) {
        return protocol.equals(other.protocol) && hostPort == other.hostPort
                && (address == null || other.address == null || address.equals(other.address));
    }

    /** {@code [IP:]HOST:CONTAINER/PROTO}, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return hostSide() + ":" + containerPort + "/" + protocol;
    }
}
