package io.jcontainer.jnspawn.settings;

/**
 * A container setting that could not be read or is invalid; its message is one line for the user.
 *
 * <p>Value parsers ({@link BindSpec#parse}, {@link Signals#parse}, ...) are shared with jnspawn's
 * command line, so their messages name only the value: {@code Invalid bind 'foo': source must be an
 * absolute path}. {@link ContainerFile} adds where the value came from, which is why the parts of an
 * "invalid value" message are kept: the key goes right after the value, as systemd words it, rather
 * than being glued on at the end.
 */
public final class SettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of value was invalid ("bind", "boolean"), or null for a plain message. */
    private final String what;
    /** The offending value as the user typed it (or the one word of it that is wrong). */
    private final String value;
    /** Why it is invalid, or null when the kind alone says enough. */
    private final String reason;

    public SettingsException(String message) {
        this(message, (Throwable) null);
    }

    public SettingsException(String message, Throwable cause) {
        // Messages quote what was typed (quote() below); a message made without it (a section name) may still
        // carry a control character, escaped here so that it stays one line (found by fuzzing).
        super(oneLine(message), cause);
        this.what = null;
        this.value = null;
        this.reason = null;
    }

    private static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        String quoted = quote(message);
        return quoted.substring(1, quoted.length() - 1);
    }

    private SettingsException(String what, String value, String reason) {
        super(oneLine(invalidMessage(what, value, null, reason)));
        this.what = what;
        this.value = value;
        this.reason = reason;
    }

    /** {@code Invalid WHAT 'VALUE': REASON}; reason may be null. */
    static SettingsException invalid(String what, String value, String reason) {
        return new SettingsException(what, value, reason);
    }

    /**
     * The same error reported against file input: {@code FILE:LINE: Invalid WHAT 'VALUE' for key
     * 'KEY': REASON}.
     *
     * @param typed the whole value of the assignment, named when this error is not an "invalid
     *              value" one and so does not name a value itself
     */
    SettingsException at(String file, int line, String key, String typed) {
        String message = what != null
                ? invalidMessage(what, value, key, reason)
                : invalidMessage("value", typed, key, getMessage());
        return new SettingsException(location(file, line) + message, this);
    }

    /** A message about file input at a line: {@code FILE:LINE: MESSAGE}. */
    static SettingsException atLine(String file, int line, String message) {
        return new SettingsException(location(file, line) + message);
    }

    private static String location(String file, int line) {
        return file + ':' + line + ": ";
    }

    private static String invalidMessage(String what, String value, String key, String reason) {
        StringBuilder sb = new StringBuilder("Invalid ").append(what).append(' ').append(quote(value));
        if (key != null) {
            sb.append(" for key ").append(quote(key));
        }
        if (reason != null) {
            sb.append(": ").append(reason);
        }
        return sb.toString();
    }

    /**
     * Quotes user text for a message: {@code 'text'}, with control characters escaped so that the
     * message stays one line even when a value unescaped to a newline (Exec=a\nb).
     */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('\'');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }
}
