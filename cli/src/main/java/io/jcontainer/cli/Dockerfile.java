package io.jcontainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of the Dockerfile syntax {@code jcontainer build} reads: instructions one per logical line, {@code \}
 * continuations, {@code #} comments (also inside a continuation), exec form ({@code ["a","b"]}) and shell form, and
 * {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:+alt}} substitution with shell-like quoting.
 * Every syntax error names {@code FILE:LINE}; the whole file is checked before any step runs.
 */
final class Dockerfile {
    /** What {@code build} runs. */
    static final Set<String> SUPPORTED = Set.of("FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "CMD",
            "ENTRYPOINT", "EXPOSE", "LABEL", "STOPSIGNAL", "HEALTHCHECK");
    /** Instructions of the Dockerfile reference this subset leaves out: named, so the error says "not supported". */
    static final Set<String> KNOWN_UNSUPPORTED = Set.of("ONBUILD", "SHELL", "VOLUME", "MAINTAINER");
    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One instruction.
     *
     * @param where {@code FILE:LINE} of its first line
     * @param keyword upper-cased ({@code RUN})
     * @param args the text after the keyword, continuation lines joined, trimmed
     */
    record Instruction(String where, String keyword, String args) {
        CliException error(String message) {
            return new CliException(where + ": " + message);
        }

        /** The exec form's words, or null for the shell form. */
        List<String> execForm() {
            return Dockerfile.execForm(args);
        }

        @Override
        public String toString() {
            return keyword + " " + args;
        }
    }

    private Dockerfile() {
    }

    /** Reads and checks a Dockerfile; {@code shown} is how errors name it. */
    static List<Instruction> read(Path file, String shown) throws CliException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("Failed to read '" + shown + "': " + ContainerFiles.reason(e), e);
        }
        List<Instruction> out = parse(text, shown);
        check(out, shown);
        return out;
    }

    static List<Instruction> parse(String text, String shown) throws CliException {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        StringBuilder pending = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String stripped = line.strip();
            if (stripped.startsWith("#") || (stripped.isEmpty() && pending != null)) {
                continue; // comments, also inside a continuation (Docker drops them there too)
            }
            if (stripped.isEmpty()) {
                continue;
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = i + 1;
            }
            String body = stripTrailing(line);
            if (body.endsWith("\\")) {
                pending.append(body, 0, body.length() - 1);
                continue;
            }
            pending.append(body);
            out.add(instruction(pending.toString(), shown + ":" + start));
            pending = null;
        }
        if (pending != null) {
            out.add(instruction(pending.toString(), shown + ":" + start));
        }
        return out;
    }

    private static Instruction instruction(String text, String where) throws CliException {
        String t = text.strip();
        int sp = 0;
        while (sp < t.length() && !Character.isWhitespace(t.charAt(sp))) {
            sp++;
        }
        String keyword = t.substring(0, sp).toUpperCase(Locale.ROOT);
        String args = t.substring(sp).strip();
        if (KNOWN_UNSUPPORTED.contains(keyword)) {
            throw new CliException(where + ": '" + keyword + "' is not supported by jcontainer build (see docs/build.md).");
        }
        if (!SUPPORTED.contains(keyword)) {
            throw new CliException(where + ": unknown instruction '" + t.substring(0, sp) + "'.");
        }
        if (args.isEmpty()) {
            throw new CliException(where + ": " + keyword + " needs an argument.");
        }
        return new Instruction(where, keyword, args);
    }

    /** The checks that need no variables: the shape of each instruction and the single FROM. */
    static void check(List<Instruction> all, String shown) throws CliException {
        boolean from = false;
        for (Instruction in : all) {
            switch (in.keyword()) {
                case "FROM" -> {
                    if (from) {
                        throw in.error("a second FROM: multi-stage builds are not supported.");
                    }
                    from = true;
                    List<String> w = words(in.args(), Map.of(), true);
                    if (w.isEmpty() || w.get(0).startsWith("--")) {
                        throw in.error("FROM " + (w.isEmpty() ? "needs an image" : "option '" + w.get(0) + "' is not supported") + ".");
                    }
                    if (!(w.size() == 1 || w.size() == 3 && w.get(1).equalsIgnoreCase("AS"))) {
                        throw in.error("expected 'FROM IMAGE [AS NAME]'.");
                    }
                }
                case "ARG" -> {
                    if (words(in.args(), Map.of(), true).size() != 1) {
                        throw in.error("expected 'ARG NAME[=DEFAULT]'.");
                    }
                    String name = in.args().split("=", 2)[0];
                    if (!NAME.matcher(name).matches()) {
                        throw in.error("invalid ARG name '" + name + "'.");
                    }
                }
                default -> {
                    if (!from) {
                        throw in.error(in.keyword() + " before FROM (only ARG may come first).");
                    }
                    checkShape(in);
                }
            }
        }
        if (!from) {
            throw new CliException(shown + ": no FROM instruction.");
        }
    }

    private static void checkShape(Instruction in) throws CliException {
        switch (in.keyword()) {
            case "COPY", "ADD" -> {
                List<String> w = in.execForm() != null ? in.execForm() : words(in.args(), Map.of(), true);
                if (!w.isEmpty() && w.get(0).startsWith("--")) {
                    throw in.error(in.keyword() + " option '" + w.get(0).split("=", 2)[0] + "' is not supported.");
                }
                if (w.size() < 2) {
                    throw in.error("expected '" + in.keyword() + " SRC... DEST'.");
                }
            }
            case "ENV", "LABEL" -> keyValues(in, Map.of());
            case "RUN", "CMD", "ENTRYPOINT" -> {
                if (in.args().startsWith("--")) {
                    throw in.error(in.keyword() + " option '" + in.args().split("[\\s=]", 2)[0] + "' is not supported.");
                }
                if (in.args().startsWith("[") && in.execForm() == null && !in.keyword().equals("RUN")) {
                    throw in.error("malformed exec form (expected a JSON array of strings): " + in.args());
                }
            }
            case "HEALTHCHECK" -> DockerHealthcheck.parse(in);
            case "STOPSIGNAL" -> {
                if (words(in.args(), Map.of(), true).size() != 1) {
                    throw in.error("expected one value for " + in.keyword() + ".");
                }
            }
            default -> {
                // EXPOSE: checked once substituted
            }
        }
    }

    /** ENV and LABEL: {@code K=V K2="v 2"}, or the legacy {@code K V...} (one pair, the rest of the line the value). */
    static List<String[]> keyValues(Instruction in, Map<String, String> vars) throws CliException {
        List<String> w = words(in.args(), vars, true);
        List<String[]> out = new ArrayList<>();
        if (!w.isEmpty() && !w.get(0).contains("=")) {
            if (w.size() < 2 || in.keyword().equals("LABEL")) {
                throw in.error("expected " + in.keyword() + " KEY=VALUE....");
            }
            String key = w.get(0);
            String rest = in.args().strip().substring(in.args().strip().indexOf(key) + key.length()).strip();
            out.add(new String[] {key, substitute(rest, vars)});
        } else {
            for (String kv : w) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw in.error("expected KEY=VALUE, got '" + kv + "'.");
                }
                out.add(new String[] {kv.substring(0, eq), kv.substring(eq + 1)});
            }
        }
        if (in.keyword().equals("ENV")) {
            for (String[] kv : out) {
                if (!NAME.matcher(kv[0]).matches()) {
                    throw in.error("invalid environment variable name '" + kv[0] + "'.");
                }
            }
        }
        return out;
    }

    /** {@code ["a", "b"]} as words; null when the text is not a JSON array of strings (then it is the shell form). */
    static List<String> execForm(String args) {
        if (!args.startsWith("[")) {
            return null;
        }
        try {
            String[] w = JSON.readValue(args, String[].class);
            for (String s : w) {
                if (s == null) {
                    return null;
                }
            }
            return List.of(w);
        } catch (IOException e) {
            return null;
        }
    }

    /** The whole text, substituted and unquoted, blanks kept (WORKDIR, USER, the legacy ENV value). */
    static String substitute(String text, Map<String, String> vars) {
        return String.join("", process(text, vars, false));
    }

    /**
     * Splits on unquoted blanks (when {@code split}), removing quotes and backslash escapes and expanding variables
     * (none inside single quotes).
     */
    static List<String> words(String text, Map<String, String> vars, boolean split) {
        return process(text, vars, split);
    }

    private static List<String> process(String text, Map<String, String> vars, boolean split) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (split && Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < text.length()) {
                word.append(text.charAt(i + 1));
                i += 2;
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                end = end < 0 ? text.length() : end;
                word.append(text, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    char d = text.charAt(i);
                    if (d == '\\' && i + 1 < text.length() && "\"\\$".indexOf(text.charAt(i + 1)) >= 0) {
                        word.append(text.charAt(i + 1));
                        i += 2;
                    } else if (d == '$') {
                        i = variable(text, i, vars, word);
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                i++;
            } else if (c == '$') {
                i = variable(text, i, vars, word);
            } else {
                word.append(c);
                i++;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    /** Expands the variable at {@code text[i] == '$'}; returns the index after it. */
    private static int variable(String text, int i, Map<String, String> vars, StringBuilder to) {
        if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
            int end = text.indexOf('}', i + 2);
            if (end < 0) {
                to.append(text.substring(i));
                return text.length();
            }
            String expr = text.substring(i + 2, end);
            int op = expr.indexOf(":-");
            int alt = expr.indexOf(":+");
            if (op > 0) {
                String v = vars.get(expr.substring(0, op));
                to.append(v == null || v.isEmpty() ? expr.substring(op + 2) : v);
            } else if (alt > 0) {
                String v = vars.get(expr.substring(0, alt));
                to.append(v == null || v.isEmpty() ? "" : expr.substring(alt + 2));
            } else {
                to.append(vars.getOrDefault(expr, ""));
            }
            return end + 1;
        }
        int j = i + 1;
        while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
            j++;
        }
        if (j == i + 1) {
            to.append('$');
            return j;
        }
        to.append(vars.getOrDefault(text.substring(i + 1, j), ""));
        return j;
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }
}
