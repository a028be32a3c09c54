package io.jcontainer.cli;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.Words;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The container file {@code run} writes to the transient directory ({@code /run/jcontainer/NAME.container}):
 * its lines in systemd syntax, written so that the name is either absent or a complete file.
 */
final class TransientContainer {
    private static final String[] ADJECTIVES = {
        "admiring", "brave", "busy", "calm", "clever", "eager", "elegant", "focused", "gentle", "happy", "jolly",
        "keen", "kind", "lucid", "modest", "nifty", "quiet", "relaxed", "sharp", "stoic", "tender", "vibrant",
        "wizardly", "zealous"};
    private static final String[] NOUNS = {
        "babbage", "bohr", "curie", "darwin", "dijkstra", "einstein", "euler", "gauss", "hopper", "kepler",
        "knuth", "lamport", "lovelace", "mccarthy", "newton", "noether", "pascal", "ritchie", "shannon", "thompson",
        "torvalds", "turing", "wirth", "wozniak"};
    /** Characters a value keeps unquoted: those that neither split nor escape in systemd's syntax. */
    private static final String PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+@%-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<String> lines = new ArrayList<>();
    /** The {@code [Service]} lines, written after {@code [Container]}'s. */
    private final List<String> serviceLines = new ArrayList<>();

    TransientContainer() {
        lines.add("# Written by 'jcontainer run' or 'create'; removed by 'jcontainer rm'.");
        lines.add("[" + ContainerFile.SECTION_CONTAINER + "]");
    }

    /** {@code KEY=VALUE} as written: the value must be a single line (a path, a user, a network mode). */
    TransientContainer set(String key, String value) throws CliException {
        lines.add(line(key, value));
        return this;
    }

    /** {@code KEY=VALUE} in {@code [Service]}, for the unit ({@code MemoryMax=512M}); a single line as for {@link #set}. */
    TransientContainer service(String key, String value) throws CliException {
        serviceLines.add(line(key, value));
        return this;
    }

    private static String line(String key, String value) throws CliException {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || !value.strip().equals(value) || value.isEmpty()) {
            throw new CliException("Invalid " + key + " '" + value.replace("\n", "\\n")
                    + "': must be one line without leading or trailing blanks.");
        }
        return key + "=" + value;
    }

    /** {@code KEY=WORD...}: each word quoted so that {@link Words#split} gives it back. */
    TransientContainer setWords(String key, List<String> words) {
        List<String> quoted = new ArrayList<>();
        for (String w : words) {
            quoted.add(quote(w));
        }
        lines.add(key + "=" + String.join(" ", quoted));
        return this;
    }

    String text() {
        if (serviceLines.isEmpty()) {
            return String.join("\n", lines) + "\n";
        }
        return String.join("\n", lines) + "\n[" + ContainerFile.SECTION_SERVICE + "]\n" + String.join("\n", serviceLines)
                + "\n";
    }

    /**
     * Writes {@code dir/NAME.container}: a temporary file first, checked by the container file parser, then
     * linked to its name, which fails rather than replace a file of the same name.
     *
     * @throws CliException {@code name in use}, or the file cannot be written or would not parse
     */
    Path write(Path dir, String name) throws CliException {
        Path target = dir.resolve(name + ContainerFile.SUFFIX);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + name + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.writeString(temp, text(), StandardCharsets.UTF_8);
            ContainerFile.parse(temp);
            Files.createLink(target, temp);
            return target;
        } catch (FileAlreadyExistsException e) {
            throw nameInUse(name, target);
        } catch (SettingsException e) {
            throw new CliException("Refusing to write a container file for '" + name + "': " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException("Failed to write '" + target + "': " + ContainerFiles.reason(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // a leftover dot file is harmless: no '*.container' name
                }
            }
        }
    }

    static CliException nameInUse(String name, Path file) {
        return new CliException("Container name '" + name + "' is in use by '" + file
                + "'; remove it ('jcontainer rm " + name + "') or choose another --name.");
    }

    /** A docker-like name, {@code brave_turing_3f2a}: an adjective, a noun and four random hex digits. */
    static String generateName() {
        return ADJECTIVES[RANDOM.nextInt(ADJECTIVES.length)] + "_" + NOUNS[RANDOM.nextInt(NOUNS.length)] + "_"
                + String.format("%04x", RANDOM.nextInt(0x10000));
    }

    /** {@code word} in systemd's syntax: as is when plain, else double-quoted with C escapes ({@link Words}). */
    static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> PLAIN.indexOf(c) >= 0)) {
            return word;
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
