package io.jcontainer.jnspawn.settings;

/**
 * Checks host names given to containers ({@code Hostname=}, {@code --hostname=}), with the rules of
 * systemd's hostname_is_valid() (src/basic/hostname-util.c).
 *
 * <p>Dot-separated labels of {@code [A-Za-z0-9-]}, no label empty or starting or ending with
 * {@code -}, no trailing dot, at most 64 characters in all (HOST_NAME_MAX: sethostname() refuses
 * more).
 */
public final class Hostname {

    public static final int MAX_LENGTH = 64;

    private Hostname() {
    }

    /**
     * Returns {@code name} if valid.
     *
     * @throws SettingsException {@code Invalid hostname 'web_1': contains invalid character '_'}
     */
    public static String validate(String name) throws SettingsException {
        if (name.isEmpty()) {
            throw SettingsException.invalid("hostname", name, "must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw SettingsException.invalid("hostname", name, "longer than " + MAX_LENGTH + " characters");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw SettingsException.invalid("hostname", name, "has an empty label");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw SettingsException.invalid("hostname", name, "a label must not start or end with '-'");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    throw SettingsException.invalid("hostname", name,
                            "contains invalid character " + SettingsException.quote(String.valueOf(c)));
                }
            }
        }
        return name;
    }
}
