package io.jcontainer.jnspawn.settings;

/** How a container is networked: {@code Network=} and jnspawn's {@code --network=}. */
public enum Network {
    /** Its own network namespace with a veth pair to the host bridge; the default. */
    PRIVATE,
    /** The host's network namespace, as nspawn without {@code --private-network}. */
    HOST,
    /** Its own network namespace with only loopback. */
    NONE;

    /**
     * Parses {@code private}, {@code host} or {@code none}; case-sensitive, as systemd's enum settings.
     *
     * @throws SettingsException {@code Invalid network 'bridge': expected private, host or none}
     */
    public static Network parse(String value) throws SettingsException {
        return switch (value) {
            case "private" -> PRIVATE;
            case "host" -> HOST;
            case "none" -> NONE;
            default -> throw SettingsException.invalid("network", value, "expected private, host or none");
        };
    }

    /** The spelling {@link #parse} reads. */
    @Override
    public String toString() {
        return switch (this) {
            case PRIVATE -> "private";
            case HOST -> "host";
            case NONE -> "none";
        };
    }
}
