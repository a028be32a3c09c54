package io.jcontainer.jnspawn.settings;

/**
 * A published port: connections to {@code hostPort} of the host reach {@code containerPort} of
 * the container ({@code PublishPort=} and jnspawn's {@code -p/--port}).
 *
 * @param protocol "tcp" or "udp"
 */
public record PortMapping(String protocol, int hostPort, int containerPort) {

    /**
     * Parses {@code PublishPort=}'s syntax, Docker's: {@code HOST:CONTAINER[/tcp|udp]} or
     * {@code PORT[/tcp|udp]} (the same port on both sides); tcp by default.
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
        return of(value, protocol, ports);
    }

    /**
     * Parses systemd-nspawn's {@code --port=} syntax: {@code [tcp|udp:]HOST[:CONTAINER]}.
     */
    public static PortMapping parseNspawn(String value) throws SettingsException {
        String protocol = "tcp";
        String ports = value;
        if (value.startsWith("tcp:") || value.startsWith("udp:")) {
            protocol = value.substring(0, 3);
            ports = value.substring(4);
        }
        return of(value, protocol, ports);
    }

    private static PortMapping of(String typed, String protocol, String ports) throws SettingsException {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw SettingsException.invalid("published port", typed, "protocol must be tcp or udp");
        }
        String[] parts = ports.split(":", -1);
        if (parts.length > 2) {
            throw SettingsException.invalid("published port", typed,
                    "expected HOST:CONTAINER[/PROTOCOL] (a host address is not supported)");
        }
        int host = port(typed, parts[0]);
        int container = parts.length == 2 ? port(typed, parts[1]) : host;
        return new PortMapping(protocol, host, container);
    }

    private static int port(String typed, String text) throws SettingsException {
        if (!text.matches("[0-9]{1,5}")) {
            throw SettingsException.invalid("published port", typed, "expected HOST:CONTAINER[/PROTOCOL]");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw SettingsException.invalid("published port", typed, "port " + text + " is not in 1..65535");
        }
        return port;
    }

    /** {@code HOST:CONTAINER/PROTO}, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return hostPort + ":" + containerPort + "/" + protocol;
    }
}
