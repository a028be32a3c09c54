package io.jcontainer.generator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader of just what the generator needs from an image manifest and
 * config: objects become {@link Map}s (a repeated key: the last wins, as Jackson's default),
 * arrays {@link List}s, strings {@link String}s, {@code true}/{@code false} {@link Boolean}s,
 * {@code null} a null value (so that a present {@code null} is a key of the map), numbers their
 * text as a {@link Number}-less {@link String} in a {@link JsonNumber}.
 *
 * <p>Why not Jackson, which image-store uses: the generator runs at every boot and daemon-reload,
 * and Jackson's ObjectMapper alone loads several hundred classes (docs/benchmarks-history.md, "Generator
 * and the image store" has the figures). This is about 30.
 */
final class MiniJson {

    /** Deeper nesting is refused rather than risking the stack: image configs nest 3-4 levels. */
    static final int MAX_DEPTH = 64;

    /** A number, kept as its text: the generator reads no number of an image config. */
    static final class JsonNumber {
        final String text;

        JsonNumber(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Malformed input; the message names the offset. */
    static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message);
        }
    }

    private final String s;
    private int i;

    private MiniJson(String s) {
        this.s = s;
    }

    /** Parses one JSON value, with nothing but whitespace around it. */
    static Object parse(String text) throws JsonException {
        MiniJson p = new MiniJson(text);
        p.skipSpace();
        Object value = p.value(0);
        p.skipSpace();
        if (p.i != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return value;
    }

    private Object value(int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        if (i >= s.length()) {
            throw error("unexpected end of input");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return number();
                }
                throw error("unexpected character " + UnitConversionException.quote(String.valueOf(c)));
        }
    }

    private Map<String, Object> object(int depth) throws JsonException {
        Map<String, Object> map = new HashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a key in quotes");
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            map.put(key, value(depth + 1));
            skipSpace();
            char c = peek();
            i++;
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                i--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        List<Object> list = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            i++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                i--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        i++; // the opening quote
        StringBuilder sb = null;
        int start = i;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                String tail = s.substring(start, i);
                i++;
                return sb == null ? tail : sb.append(tail).toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                i++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(s, start, i);
            i++;
            char e = peek();
            i++;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = hexDigit(s.charAt(i + k));
                        if (d < 0) {
                            throw error("invalid \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    i += 4;
                    sb.append((char) code);
                }
                default -> {
                    i--;
                    throw error("invalid escape");
                }
            }
            start = i;
        }
    }

    /**
     * An ASCII hex digit's value, else -1. Not {@link Character#digit}: it also takes other scripts' digits
     * (ARABIC-INDIC FOUR), which RFC 8259's HEXDIG does not (found by fuzzing).
     */
    private static int hexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private JsonNumber number() throws JsonException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (!digits()) {
            throw error("invalid number");
        }
        if (peek() == '.') {
            i++;
            if (!digits()) {
                throw error("invalid number");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!digits()) {
                throw error("invalid number");
            }
        }
        return new JsonNumber(s.substring(start, i));
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > start;
    }

    private void literal(String word) throws JsonException {
        if (!s.startsWith(word, i)) {
            throw error("unexpected character " + UnitConversionException.quote(String.valueOf(s.charAt(i))));
        }
        i += word.length();
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    /** The current character, or NUL at the end (never valid where a peek looks). */
    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private JsonException error(String what) {
        return new JsonException("invalid JSON at offset " + i + ": " + (i >= s.length() ? "unexpected end of input" : what));
    }
}
