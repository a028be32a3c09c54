package io.jcontainer.jnspawn.settings;

/**
 * Checks machine names, which name the container file, the unit instance and the machine that
 * machined registers.
 *
 * <p>The rules are machined's (hostname-like), plus {@code _}: 1..64 characters of
 * {@code [A-Za-z0-9_.-]}, not starting with {@code .} or {@code -}, no {@code ..}. They also make
 * the name safe as a file name component: no {@code /}, and never {@code .} or {@code ..}.
 */
public final class MachineName {

    /** HOST_NAME_MAX, which machined uses for machine names. */
    public static final int MAX_LENGTH = 64;

    private MachineName() {
    }

    /**
     * Returns {@code name} if valid.
     *
     * @throws SettingsException {@code Invalid machine name 'x/y': contains invalid character '/'}
     */
    public static String validate(String name) throws SettingsException {
        if (name.isEmpty()) {
            throw SettingsException.invalid("machine name", name, "must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw SettingsException.invalid("machine name", name, "longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '.' || c == '-')) {
                throw SettingsException.invalid("machine name", name,
                        "contains invalid character " + SettingsException.quote(String.valueOf(c)));
            }
        }
        if (name.charAt(0) == '.' || name.charAt(0) == '-') {
            throw SettingsException.invalid("machine name", name,
                    "must not start with " + SettingsException.quote(name.substring(0, 1)));
        }
        if (name.contains("..")) {
            throw SettingsException.invalid("machine name", name, "must not contain '..'");
        }
        return name;
    }
}
