package io.jcontainer.image;

import java.util.Objects;

/**
 * An image name: registry, repository and a tag and/or a digest, e.g. {@code registry.example.org/web:1.2}
 * or {@code busybox@sha256:...}.
 *
 * <p>Short names follow Docker's rules: the first component is a registry only if it contains a dot or
 * a colon or is {@code localhost}; otherwise the name goes to the default registry (by default
 * {@code docker.io}), where a single-component repository gets the {@code library/} prefix. No tag and no
 * digest means {@code :latest}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final int MAX_NAME_LENGTH = 255;

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("a reference needs a tag or a digest");
        }
    }

    /** Parses with {@code docker.io} as the registry of short names. */
    public static ImageReference parse(String text) throws ImageStoreException {
        return parse(text, DOCKER_HUB);
    }

    /** Parses {@code [registry/]repo[:tag][@sha256:hex]}; short names go to {@code defaultRegistry}. */
    public static ImageReference parse(String text, String defaultRegistry) throws ImageStoreException {
        if (text == null || text.isEmpty()) {
            throw new ImageStoreException("Empty image reference, refusing.");
        }
        if (text.length() > MAX_NAME_LENGTH + 200) {
            throw new ImageStoreException("Image reference '" + text.substring(0, 40) + "...' is too long, refusing.");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (ImageStoreException e) {
                throw new ImageStoreException("Invalid image reference '" + text + "': " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!isTag(tag)) {
                throw new ImageStoreException("Invalid tag '" + tag + "' in image reference '" + text + "', refusing.");
            }
        }
        String registry;
        String repository;
        int first = rest.indexOf('/');
        String head = first < 0 ? null : rest.substring(0, first);
        if (head != null && (head.contains(".") || head.contains(":") || head.equals("localhost") || !head.equals(head.toLowerCase()))) {
            registry = head;
            repository = rest.substring(first + 1);
        } else {
            registry = defaultRegistry;
            repository = rest;
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (!isRegistry(registry)) {
            throw new ImageStoreException("Invalid registry '" + registry + "' in image reference '" + text + "', refusing.");
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        if (repository.isEmpty() || repository.length() > MAX_NAME_LENGTH) {
            throw new ImageStoreException("Invalid repository in image reference '" + text + "', refusing.");
        }
        for (String component : repository.split("/", -1)) {
            if (!isComponent(component)) {
                throw new ImageStoreException("Invalid repository '" + repository + "' in image reference '" + text
                        + "': components are lowercase letters, digits and separators, refusing.");
            }
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    // The grammar's regexes as loops: the unit generator parses Image= at boot, where compiling
    // the first java.util.regex Pattern costs milliseconds of lambda bootstraps (docs/benchmarks-history.md,
    // "Generator speed, 2026-11-30"). ValuesTest checks each against its regex.

    /** {@code [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}}. */
    static boolean isTag(String s) {
        int n = s.length();
        if (n == 0 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(isAsciiLetterOrDigit(c) || c == '_' || i > 0 && (c == '.' || c == '-'))) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*}. */
    static boolean isComponent(String s) {
        int n = s.length();
        int i = 0;
        while (true) {
            int run = i;
            while (i < n && isLowerOrDigit(s.charAt(i))) {
                i++;
            }
            if (i == run) {
                return false; // empty, or a separator not followed by a letter or digit
            }
            if (i == n) {
                return true;
            }
            char c = s.charAt(i++);
            if (c == '_') {
                if (i < n && s.charAt(i) == '_') {
                    i++;
                }
            } else if (c == '-') {
                while (i < n && s.charAt(i) == '-') {
                    i++;
                }
            } else if (c != '.') {
                return false;
            }
        }
    }

    /** {@code [A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9A-Fa-f:]+\](?::[0-9]+)?}. */
    static boolean isRegistry(String s) {
        int n = s.length();
        int i = 0;
        if (n > 0 && s.charAt(0) == '[') {
            i = 1;
            while (i < n && (isHexDigit(s.charAt(i)) || s.charAt(i) == ':')) {
                i++;
            }
            if (i == 1 || i == n || s.charAt(i) != ']') {
                return false;
            }
            i++;
        } else {
            while (i < n && (isAsciiLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '-')) {
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        if (s.charAt(i) != ':') {
            return false;
        }
        int port = ++i;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > port && i == n;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    static boolean isLowerOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + '/' + repository;
    }

    /** The same name with another tag and no digest. */
    public ImageReference withTag(String newTag) {
        return new ImageReference(registry, repository, newTag, null);
    }

    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
