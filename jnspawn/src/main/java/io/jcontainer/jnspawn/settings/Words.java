package io.jcontainer.jnspawn.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a value into words the way systemd splits {@code ExecStart=} and {@code Environment=}:
 * extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE (src/basic/extract-word.c).
 *
 * <p>Words are separated by whitespace; single and double quotes group (also in the middle of a
 * word: {@code a"b c"d} is one word {@code ab cd}), and {@code ""} is an empty word. A backslash
 * escapes, inside quotes too, with C escapes as cunescape() knows them: {@code \a \b \f \n \r \t
 * \v \\ \" \' \s}, backslash-space, {@code \xHH}, {@code \NNN} (octal), {@code \}{@code uXXXX},
 * {@code \UXXXXXXXX}. Unlike systemd, byte escapes are limited to ASCII: systemd emits raw bytes
 * that together may form UTF-8, but a Java string holds characters, so {@code \xc3\xa9} would
 * silently become two characters; such escapes are refused in favour of {@code \}{@code u00e9}.
 */
public final class Words {

    /** systemd's WHITESPACE, the separators of extract_first_word(). */
    private static final String SEPARATORS = " \t\n\r";

    private Words() {
    }

    /**
     * The words of {@code value}; none for a blank value.
     *
     * @throws SettingsException {@code Invalid value 'a "b': unterminated double quote}, or an
     *                           unknown or incomplete escape
     */
    public static List<String> split(String value) throws SettingsException {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (true) {
            while (i < n && SEPARATORS.indexOf(value.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                return words;
            }
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (i < n) {
                char c = value.charAt(i);
                if (quote == 0 && SEPARATORS.indexOf(c) >= 0) {
                    break;
                }
                i++;
                if (c == '\\') {
                    i = unescape(value, i, word);
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (c == 0) {
                    // As the escaped one below: C would end the word here (found by fuzzing).
                    throw SettingsException.invalid("value", value, "a NUL character");
                } else {
                    word.append(c);
                }
            }
            if (quote != 0) {
                throw SettingsException.invalid("value", value,
                        "unterminated " + (quote == '"' ? "double" : "single") + " quote");
            }
            words.add(word.toString());
        }
    }

    /** Decodes the escape whose backslash was just before {@code i}; returns the index after it. */
    private static int unescape(String value, int i, StringBuilder out) throws SettingsException {
        if (i >= value.length()) {
            throw SettingsException.invalid("value", value, "trailing backslash");
        }
        char c = value.charAt(i);
        switch (c) {
            case 'a' -> out.append('\u0007');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'v' -> out.append('\u000b');
            case '\\', '"', '\'', ' ' -> out.append(c);
            case 's' -> out.append(' ');
            case 'x' -> {
                return appendCode(value, i, i + 1, 2, 16, 0x7f, out);
            }
            case 'u' -> {
                return appendCode(value, i, i + 1, 4, 16, 0xffff, out);
            }
            case 'U' -> {
                return appendCode(value, i, i + 1, 8, 16, Character.MAX_CODE_POINT, out);
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    return appendCode(value, i, i, 3, 8, 0x7f, out);
                }
                throw SettingsException.invalid("value", value, "unknown escape '\\" + c + "'");
            }
        }
        return i + 1;
    }

    /** Reads exactly {@code digits} digits in {@code radix} at {@code from} and appends that code point. */
    private static int appendCode(String value, int escape, int from, int digits, int radix, int max,
            StringBuilder out) throws SettingsException {
        String seq = "\\" + value.substring(escape, Math.min(value.length(), from + digits));
        if (from + digits > value.length()) {
            throw SettingsException.invalid("value", value, "incomplete escape '" + seq + "'");
        }
        long code = 0;
        for (int k = from; k < from + digits; k++) {
            // ASCII digits only, as systemd's unhexchar()/unoctchar(); Character.digit() also takes
            // other scripts' digits ('\x' then ARABIC-INDIC FOUR ONE was 'A').
            char ch = value.charAt(k);
            int d = ch < 0x80 ? Character.digit(ch, radix) : -1;
            if (d < 0) {
                throw SettingsException.invalid("value", value, "incomplete escape '" + seq + "'");
            }
            code = code * radix + d;
        }
        if (code == 0) {
            // A NUL would end the string in C, where these values go (argv, environ).
            throw SettingsException.invalid("value", value, "escape '" + seq + "' is a NUL character");
        }
        if (code > max) {
            throw SettingsException.invalid("value", value, "escape '" + seq + "' is out of range"
                    + (max == 0x7f ? "; byte escapes are limited to ASCII, use \\u for other characters" : ""));
        }
        if (code >= Character.MIN_SURROGATE && code <= Character.MAX_SURROGATE) {
            throw SettingsException.invalid("value", value, "escape '" + seq + "' is a lone surrogate");
        }
        out.appendCodePoint((int) code);
        return from + digits;
    }
}
