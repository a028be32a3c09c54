package io.jcontainer.jnspawn.settings;

import java.util.Locale;

/** Parses booleans in systemd syntax, as parse_boolean() in systemd's src/basic/parse-util.c. */
public final class Booleans {

    private Booleans() {
    }

    /**
     * Parses {@code 1 yes y true t on} and {@code 0 no n false f off}, case-insensitively.
     *
     * @throws SettingsException {@code Invalid boolean 'maybe'}
     */
    public static boolean parse(String value) throws SettingsException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on":
                return true;
            case "0", "no", "n", "false", "f", "off":
                return false;
            default:
                throw SettingsException.invalid("boolean", value, null);
        }
    }
}
