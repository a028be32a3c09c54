package io.jcontainer.jnspawn.internal.security;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * Reads {@code #define}s from the installed Linux uapi headers, the reference the tables in
 * this package are checked against.
 *
 * <p>It ignores {@code #if}: a name defined in two branches keeps its last definition, which
 * for the headers read here (asm-generic/unistd.h's 32/64-bit aliases) names the same number.
 */
final class KernelHeaders {

    private static final Pattern DEFINE = Pattern.compile("^\\s*#\\s*define\\s+(\\w+)\\s+(.+)$");

    private final Map<String, String> defines = new LinkedHashMap<>();

    private KernelHeaders() {
    }

    /**
     * The header at {@code path}. Missing, the calling test is skipped with the reason; under
     * {@code CI=true} it fails instead, since CI must check the tables.
     */
    static Path require(String path) {
        Path header = Path.of(path);
        if (!Files.isReadable(header)) {
            String reason = "Kernel header " + path + " is missing; install it with 'apt-get install -y linux-libc-dev'";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        return header;
    }

    /** The defines of these headers, later files overriding earlier ones. */
    static KernelHeaders read(Path... headers) {
        KernelHeaders result = new KernelHeaders();
        for (Path header : headers) {
            String text;
            try {
                text = Files.readString(header);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            text = text.replaceAll("/\\*(?s:.*?)\\*/", " ").replaceAll("\\\\\\n", " ");
            for (String line : text.split("\n")) {
                Matcher m = DEFINE.matcher(line);
                if (m.matches()) {
                    result.defines.put(m.group(1), m.group(2).strip());
                }
            }
        }
        return result;
    }

    /**
     * The value of {@code name}: a decimal or hex number, another define, or a parenthesized
     * OR of those (as AUDIT_ARCH_* are); empty for anything else.
     */
    OptionalLong value(String name) {
        return evaluate(name, 0);
    }

    /** Every define named {@code prefix + something} that has a value, by the something. */
    Map<String, Long> valuesWithPrefix(String prefix) {
        Map<String, Long> values = new TreeMap<>();
        for (String name : defines.keySet()) {
            if (name.startsWith(prefix)) {
                OptionalLong value = value(name);
                if (value.isPresent()) {
                    values.put(name.substring(prefix.length()), value.getAsLong());
                }
            }
        }
        return values;
    }

    private OptionalLong evaluate(String expression, int depth) {
        String e = expression.strip();
        if (depth > 20) {
            return OptionalLong.empty();
        }
        if (e.startsWith("(") && e.endsWith(")")) {
            e = e.substring(1, e.length() - 1).strip();
        }
        if (e.contains("|")) {
            long result = 0;
            for (String part : e.split("\\|")) {
                OptionalLong v = evaluate(part, depth + 1);
                if (v.isEmpty()) {
                    return v;
                }
                result |= v.getAsLong();
            }
            return OptionalLong.of(result);
        }
        if (e.matches("0[xX][0-9a-fA-F]+[uUlL]*")) {
            return OptionalLong.of(Long.parseLong(e.substring(2).replaceAll("[uUlL]", ""), 16));
        }
        if (e.matches("[0-9]+[uUlL]*")) {
            return OptionalLong.of(Long.parseLong(e.replaceAll("[uUlL]", "")));
        }
        if (e.matches("\\w+") && defines.containsKey(e)) {
            return evaluate(defines.get(e), depth + 1);
        }
        return OptionalLong.empty();
    }
}
