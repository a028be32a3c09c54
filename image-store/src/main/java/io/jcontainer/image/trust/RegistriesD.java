package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where simple signing signatures of registry images are stored, as containers-registries.d(5) configures it: every
 * {@code *.yaml} of the given directories, with a {@code docker:} map of scopes and a {@code default-docker:}, each
 * naming a {@code lookaside} (or the older {@code sigstore}) base URL and, for writers, a {@code lookaside-staging}
 * (or {@code sigstore-staging}; default: the {@code lookaside}). The YAML read is the subset those files use:
 * nested mappings of plain or quoted scalars, comments. The first directory wins a scope set in two.
 */
public final class RegistriesD {
    /** containers/image's directory, then jcontainer's own. */
    public static final List<Path> DEFAULT_DIRS = List.of(Path.of("/etc/jcontainer/registries.d"),
            Path.of("/etc/containers/registries.d"));
    static final int MAX_FILE_BYTES = 1 << 20;

    private final Map<String, String> lookaside;
    private final String defaultLookaside;
    private final Map<String, String> staging;
    private final String defaultStaging;

    private RegistriesD(Map<String, String> lookaside, String defaultLookaside, Map<String, String> staging,
                        String defaultStaging) {
        this.lookaside = lookaside;
        this.defaultLookaside = defaultLookaside;
        this.staging = staging;
        this.defaultStaging = defaultStaging;
    }

    /** Reads every {@code *.yaml} in {@code dirs} (a missing directory holds none). */
    public static RegistriesD read(List<Path> dirs) throws TrustException {
        Map<String, String> lookaside = new LinkedHashMap<>();
        Map<String, String> staging = new LinkedHashMap<>();
        String[] defaultLookaside = {null};
        String[] defaultStaging = {null};
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.yaml")) {
                ds.forEach(files::add);
            } catch (IOException e) {
                throw new TrustException("Failed to list '" + dir + "': " + e.getMessage(), e);
            }
            files.sort(null);
            Map<String, String> fromDir = new LinkedHashMap<>();
            Map<String, String> stagingFromDir = new LinkedHashMap<>();
            String dirDefault = null;
            String dirDefaultStaging = null;
            for (Path f : files) {
                Map<String, Object> yaml = parse(f);
                for (Map.Entry<String, Object> e : yaml.entrySet()) {
                    switch (e.getKey()) {
                        case "default-docker" -> {
                            if (dirDefault != null) {
                                throw new TrustException("'" + f + "': default-docker is set in two files of '" + dir + "', refusing.");
                            }
                            dirDefault = url(e.getValue(), f, "default-docker");
                            dirDefaultStaging = url(e.getValue(), f, "default-docker", true);
                        }
                        case "docker" -> {
                            if (!(e.getValue() instanceof Map<?, ?> scopes)) {
                                throw new TrustException("'" + f + "': docker is not a mapping of scopes, refusing.");
                            }
                            for (Map.Entry<?, ?> s : scopes.entrySet()) {
                                String scope = (String) s.getKey();
                                String u = url(s.getValue(), f, "docker." + scope);
                                if (fromDir.containsKey(scope)) {
                                    throw new TrustException("'" + f + "': scope '" + scope + "' is set in two files of '"
                                            + dir + "', refusing.");
                                }
                                fromDir.put(scope, u);
                                stagingFromDir.put(scope, url(s.getValue(), f, "docker." + scope, true));
                            }
                        }
                        default -> { } // containers-registries.d(5) has no other top-level keys we use
                    }
                }
            }
            for (String scope : fromDir.keySet()) {
                if (!lookaside.containsKey(scope)) {
                    lookaside.put(scope, fromDir.get(scope));
                    staging.put(scope, stagingFromDir.get(scope));
                }
            }
            if (defaultLookaside[0] == null && defaultStaging[0] == null) {
                defaultLookaside[0] = dirDefault;
                defaultStaging[0] = dirDefaultStaging;
            }
        }
        return new RegistriesD(lookaside, defaultLookaside[0], staging, defaultStaging[0]);
    }

    /** The lookaside base URL for {@code image} (most specific scope first), or null if none is configured. */
    public String lookasideFor(ImageReference image) {
        for (String scope : Scopes.candidates(image)) {
            if (lookaside.containsKey(scope)) {
                return lookaside.get(scope);
            }
        }
        return defaultLookaside;
    }

    /**
     * Where a signer of {@code image} writes its signatures (most specific scope first): the scope's
     * {@code lookaside-staging}, else its {@code lookaside}; null if none is configured.
     */
    public String stagingFor(ImageReference image) {
        for (String scope : Scopes.candidates(image)) {
            if (lookaside.containsKey(scope)) {
                return staging.get(scope) != null ? staging.get(scope) : lookaside.get(scope);
            }
        }
        return defaultStaging != null ? defaultStaging : defaultLookaside;
    }

    private static String url(Object value, Path f, String where) throws TrustException {
        return url(value, f, where, false);
    }

    /**
     * The {@code lookaside} (else {@code sigstore}) of a scope's mapping, or with {@code staging} its
     * {@code lookaside-staging} (else {@code sigstore-staging}); null if it names neither.
     */
    private static String url(Object value, Path f, String where, boolean staging) throws TrustException {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new TrustException("'" + f + "': " + where + " is not a mapping, refusing.");
        }
        String key = staging ? "lookaside-staging" : "lookaside";
        String old = staging ? "sigstore-staging" : "sigstore";
        Object u = m.containsKey(key) ? m.get(key) : m.get(old);
        if (u == null) {
            return null;
        }
        if (!(u instanceof String s) || !(s.startsWith("file://") || s.startsWith("http://") || s.startsWith("https://"))) {
            throw new TrustException("'" + f + "': " + where + "." + key + " '" + u + "' is not a file://, http:// or https:// URL, refusing.");
        }
        return s;
    }

    /** The YAML subset: {@code key: value} and {@code key:} followed by a more indented mapping. */
    static Map<String, Object> parse(Path f) throws TrustException {
        List<String> lines;
        try {
            if (Files.size(f) > MAX_FILE_BYTES) {
                throw new TrustException("'" + f + "' is larger than " + MAX_FILE_BYTES + " bytes, refusing.");
            }
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TrustException("Failed to read '" + f + "': " + e.getMessage(), e);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> stack = new ArrayList<>(List.of(root));
        List<Integer> indents = new ArrayList<>(List.of(-1));
        String pendingKey = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = stripComment(raw);
            if (line.isBlank() || line.strip().equals("---")) {
                continue;
            }
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
                indent++;
            }
            if (line.charAt(indent) == '\t') {
                throw new TrustException("'" + f + "':" + n + ": a tab indents this line, refusing.");
            }
            if (pendingKey != null) {
                Map<String, Object> parent = stack.get(stack.size() - 1);
                if (indent > indents.get(indents.size() - 1)) {
                    Map<String, Object> child = new LinkedHashMap<>();
                    parent.put(pendingKey, child);
                    stack.add(child);
                    indents.add(indent);
                } else {
                    parent.put(pendingKey, null);
                }
                pendingKey = null;
            }
            while (indent < indents.get(indents.size() - 1)) {
                stack.remove(stack.size() - 1);
                indents.remove(indents.size() - 1);
            }
            if (indent != indents.get(indents.size() - 1) && stack.size() > 1) {
                throw new TrustException("'" + f + "':" + n + ": unexpected indentation, refusing.");
            }
            if (stack.size() == 1) {
                indents.set(0, indent);
            }
            String text = line.strip();
            int colon = keyEnd(text);
            if (colon < 0) {
                throw new TrustException("'" + f + "':" + n + ": expected 'key: value', refusing.");
            }
            String key = unquote(text.substring(0, colon).strip());
            String value = text.substring(colon + 1).strip();
            Map<String, Object> current = stack.get(stack.size() - 1);
            if (current.containsKey(key)) {
                throw new TrustException("'" + f + "':" + n + ": key '" + key + "' repeated, refusing.");
            }
            if (value.isEmpty()) {
                pendingKey = key;
                current.put(key, null);
            } else {
                current.put(key, unquote(value));
            }
        }
        return root;
    }

    /** The colon ending a key: the first ': ' or a final ':' outside quotes (scopes hold host:port colons). */
    private static int keyEnd(String text) {
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
