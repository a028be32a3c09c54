package io.jcontainer.image;

import java.util.Objects;
import java.util.regex.Pattern;

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
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9A-Fa-f:]+\\](?::[0-9]+)?");

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
            if (!TAG.matcher(tag).matches()) {
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
        if (!REGISTRY.matcher(registry).matches()) {
            throw new ImageStoreException("Invalid registry '" + registry + "' in image reference '" + text + "', refusing.");
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        if (repository.isEmpty() || repository.length() > MAX_NAME_LENGTH) {
            throw new ImageStoreException("Invalid repository in image reference '" + text + "', refusing.");
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new ImageStoreException("Invalid repository '" + repository + "' in image reference '" + text
                        + "': components are lowercase letters, digits and separators, refusing.");
            }
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, tag, digest);
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
