package io.jcontainer.generator;

/**
 * A container file that cannot be turned into a unit; its message is one line for the user,
 * {@code FILE:LINE: REASON} when a line is to blame.
 */
public final class UnitConversionException extends Exception {

    private static final long serialVersionUID = 1L;

    public UnitConversionException(String message) {
        super(message);
    }

    /** {@code FILE:LINE: MESSAGE}, or {@code FILE: MESSAGE} for line 0 (not from a line). */
    static UnitConversionException at(String file, int line, String message) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        return new UnitConversionException(sb.append(": ").append(message).toString());
    }

    /**
     * Quotes user text for a message: {@code 'text'}, control characters escaped so that the
     * message stays one line (the same rule as jnspawn's settings messages).
     */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('\'');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
