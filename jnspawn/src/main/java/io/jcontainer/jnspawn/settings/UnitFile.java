package io.jcontainer.jnspawn.settings;

import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A file in systemd's INI syntax (systemd.syntax(7)), read into sections and entries in order,
 * with no idea what the keys mean.
 *
 * <p>Knowing nothing of containers keeps this reusable for the generator's output and keeps
 * {@link ContainerFile} about meaning only. Differences from systemd's own parser: an assignment
 * outside a section, a line without {@code =}, an empty key and a bad section header are errors
 * here where systemd logs and ignores them, because a container file is written for us and a
 * silently dropped line is a misconfigured container. Comments are not kept.
 */
public final class UnitFile {

    /** Larger files are refused: systemd limits a line to 1 MiB, and no real unit comes near. */
    public static final int MAX_SIZE = 1024 * 1024;

    /** systemd's WHITESPACE set; Java's strip() would also eat Unicode spaces systemd keeps. */
    private static final String WHITESPACE = " \t\n\r";

    /**
     * One {@code Key=Value} assignment. An entry that {@link #format()} could not write so that it
     * reads back the same (a newline in the value, a trailing backslash, padding) is refused with
     * an {@link IllegalArgumentException} when it is made, not when it is written.
     *
     * @param section the section name, without brackets
     * @param key     the key, trimmed
     * @param value   the value, trimmed; continuation lines already joined
     * @param line    the line the assignment starts on (1-based); 0 for entries not read from a file
     */
    public record Entry(String section, String key, String value, int line) {
        public Entry {
            Objects.requireNonNull(section, "section");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (section.isEmpty() || containsAny(section, "[]\n")) {
                throw new IllegalArgumentException("Invalid section name " + SettingsException.quote(section));
            }
            if (key.isEmpty() || containsAny(key, "=\n") || !strip(key).equals(key)
                    || "#;[".indexOf(key.charAt(0)) >= 0) {
                throw new IllegalArgumentException("Invalid key " + SettingsException.quote(key));
            }
            if (value.indexOf('\n') >= 0 || !strip(value).equals(value) || endsInEscape(value)) {
                // A trailing lone backslash would turn into a continuation when read back.
                throw new IllegalArgumentException("Value " + SettingsException.quote(value)
                        + " for key " + SettingsException.quote(key) + " cannot be written in unit file syntax");
            }
            if (line < 0) {
                throw new IllegalArgumentException("Negative line " + line);
            }
        }
    }

    private final String displayName;
    private final List<Entry> entries;

    private UnitFile(String displayName, List<Entry> entries) {
        this.displayName = displayName;
        this.entries = List.copyOf(entries);
    }

    /** A unit file made in memory, for writing with {@link #format()}. */
    public static UnitFile of(String displayName, List<Entry> entries) {
        return new UnitFile(Objects.requireNonNull(displayName, "displayName"), entries);
    }

    /**
     * Reads and parses a file; error messages name it by its path.
     *
     * @throws SettingsException when it cannot be read, is larger than {@link #MAX_SIZE}, is not
     *                           UTF-8, or has a syntax error ({@code FILE:LINE: ...})
     */
    public static UnitFile parse(Path file) throws SettingsException {
        String name = file.toString();
        byte[] bytes;
        // At most one byte past the limit: FileInputStream.readNBytes reads what fstat() gave as
        // the size at open, capped at the limit, and a file reported empty (/proc-like) to its end.
        // java.io, not Files.newInputStream(): a FileChannel's set-up and reads run many times
        // the code, which the generator pays per file at boot, mostly interpreted
        // (docs/benchmarks-history.md, "Generator speed, 2026-11-30").
        try {
            bytes = PlanInputs.readBytes(file, MAX_SIZE + 1);
        } catch (FileNotFoundException e) {
            // Opening failed (a directory too: java.io refuses to open one).
            throw new SettingsException("Failed to read " + name + ": " + openFailure(e), e);
        } catch (IOException e) {
            throw new SettingsException("Failed to read " + name + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        if (bytes.length > MAX_SIZE) {
            throw tooLarge(name);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SettingsException(name + ": File is not valid UTF-8, refusing.", e);
        }
        return parse(name, text);
    }

    /**
     * Parses text; {@code displayName} is what error messages call it.
     *
     * @throws SettingsException on a syntax error, {@code NAME:LINE: ...}
     */
    public static UnitFile parse(String displayName, String text) throws SettingsException {
        if (text.length() > MAX_SIZE) {
            throw tooLarge(displayName);
        }
        return new Parser(displayName).parse(text);
    }

    /**
     * The reason of a failed open: java.io says {@code NAME (REASON)} with REASON the C library's
     * text for errno, the text NIO's exceptions give as {@link java.nio.file.FileSystemException#getReason}.
     */
    public static String openFailure(FileNotFoundException e) {
        String message = e.getMessage();
        if (message == null) {
            return e.toString();
        }
        int open = message.lastIndexOf(" (");
        if (open < 0 || !message.endsWith(")")) {
            return message;
        }
        return message.substring(open + 2, message.length() - 1);
    }

    private static SettingsException tooLarge(String name) {
        return new SettingsException(name + ": File is larger than " + MAX_SIZE + " bytes, refusing.");
    }

    public String displayName() {
        return displayName;
    }

    /** All entries in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The entries of one section in file order, including those of repeated headers. */
    public List<Entry> section(String name) {
        // A loop, not a stream: this runs on jnspawn's start path, where the first lambda costs
        // tens of milliseconds of bootstrap.
        List<Entry> result = new ArrayList<>();
        for (Entry e : entries) {
            if (e.section().equals(name)) {
                result.add(e);
            }
        }
        return List.copyOf(result);
    }

    /**
     * Writes the entries back in systemd syntax: a header whenever the section changes, then
     * {@code Key=Value} lines. Parsing the result gives the same entries (lines aside).
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        String current = null;
        for (Entry e : entries) {
            if (!e.section().equals(current)) {
                if (current != null) {
                    sb.append('\n');
                }
                sb.append('[').append(e.section()).append("]\n");
                current = e.section();
            }
            sb.append(e.key()).append('=').append(e.value()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** The line-by-line state of one parse. */
    private static final class Parser {
        private final String name;
        private final List<Entry> entries = new ArrayList<>();
        private String section;

        Parser(String name) {
            this.name = name;
        }

        UnitFile parse(String text) throws SettingsException {
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            String[] lines = text.split("\n", -1);
            StringBuilder continuation = null;
            int start = 0;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                String stripped = strip(line);
                // Comment lines are skipped even in the middle of a continuation (systemd.syntax(7)).
                if (!stripped.isEmpty() && (stripped.charAt(0) == '#' || stripped.charAt(0) == ';')) {
                    continue;
                }
                String joined;
                if (continuation == null) {
                    joined = line;
                    start = i + 1;
                } else {
                    joined = continuation.append(' ').append(stripLeading(line)).toString();
                }
                if (endsInEscape(joined)) {
                    // An odd number of trailing backslashes continues the line; an even number is
                    // an escaped backslash and does not (systemd's config_parse() counts the same way).
                    continuation = new StringBuilder(stripTrailing(joined.substring(0, joined.length() - 1)));
                    continue;
                }
                continuation = null;
                line(strip(joined), start);
            }
            if (continuation != null) {
                // A backslash on the last line continues into nothing: systemd takes the line as is.
                line(strip(continuation.toString()), start);
            }
            return new UnitFile(name, entries);
        }

        private void line(String l, int lineNo) throws SettingsException {
            if (l.isEmpty()) {
                return;
            }
            if (l.charAt(0) == '[') {
                String inner = l.length() >= 2 && l.endsWith("]") ? l.substring(1, l.length() - 1) : null;
                if (inner == null || inner.isEmpty() || containsAny(inner, "[]")) {
                    throw SettingsException.atLine(name, lineNo,
                            "Invalid section header " + SettingsException.quote(l));
                }
                section = inner;
                return;
            }
            int eq = l.indexOf('=');
            if (eq < 0) {
                throw SettingsException.atLine(name, lineNo,
                        "Missing '=' in " + SettingsException.quote(l));
            }
            String key = strip(l.substring(0, eq));
            if (key.isEmpty()) {
                throw SettingsException.atLine(name, lineNo, "Empty key in " + SettingsException.quote(l));
            }
            if (section == null) {
                throw SettingsException.atLine(name, lineNo, "Assignment " + SettingsException.quote(l)
                        + " to key " + SettingsException.quote(key) + " is outside of any section");
            }
            String value = strip(l.substring(eq + 1));
            if (endsInEscape(value)) {
                // "k=v\ ": the backslash does not continue the line (whitespace follows it), and the value could
                // not be written back (found by fuzzing). Almost surely a continuation meant: say so.
                throw SettingsException.atLine(name, lineNo, "Value " + SettingsException.quote(value) + " for key "
                        + SettingsException.quote(key) + " ends in a backslash followed by whitespace; remove the"
                        + " whitespace to continue the line, or write \\\\ for a backslash");
            }
            entries.add(new Entry(section, key, value, lineNo));
        }
    }

    private static boolean endsInEscape(String s) {
        int n = 0;
        for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    static String strip(String s) {
        return stripTrailing(stripLeading(s));
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && WHITESPACE.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && WHITESPACE.indexOf(s.charAt(i - 1)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }
}
