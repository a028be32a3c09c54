package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A signature policy in the containers-policy.json(5) format: the {@code default} requirements and, per transport,
 * requirements per scope. Read strictly ({@link PolicyParser}): an unknown key is an error, not a guess.
 *
 * @param source the file it was read from, for messages ("built-in" for {@link #builtIn()})
 */
public record Policy(List<Requirement> defaults, Map<String, Map<String, List<Requirement>>> transports, String source) {
    /** Where jcontainer reads its policy unless told otherwise. */
    public static final Path DEFAULT_PATH = Path.of("/etc/jcontainer/policy.json");
    /** The transport of registry images. */
    public static final String DOCKER = "docker";
    /** The transports of containers/image that a policy may name (an unknown one is a typo, refused). */
    static final Set<String> TRANSPORTS = Set.of("docker", "atomic", "containers-storage", "dir", "docker-archive",
            "docker-daemon", "oci", "oci-archive", "ostree", "sif", "tarball");
    /** A policy larger than this is not a policy, refusing. */
    static final int MAX_BYTES = 1 << 20;
    /**
     * The policy jcontainer ships (packaging installs the same text as {@link #DEFAULT_PATH}), rkt's default: a
     * registry image needs a signature by a key trusted for its name; local imports are accepted.
     */
    public static final String BUILT_IN_JSON = """
            {
              "default": [{"type": "insecureAcceptAnything"}],
              "transports": {
                "docker": {"": [{"type": "reject"}]}
              }
            }
            """;

    public Policy {
        defaults = List.copyOf(defaults);
        Map<String, Map<String, List<Requirement>>> copy = new LinkedHashMap<>();
        transports.forEach((t, scopes) -> copy.put(t, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scopes))));
        transports = java.util.Collections.unmodifiableMap(copy);
    }

    /** The requirements a scope selected, and where they were written, for messages and the pull's record. */
    public record Selected(String where, String transport, String scope, List<Requirement> requirements) {
    }

    /** Reads {@code file} strictly. */
    public static Policy read(Path file) throws TrustException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new TrustException("Policy '" + file + "' is larger than " + MAX_BYTES + " bytes, refusing.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TrustException("Policy '" + file + "' does not exist.");
        } catch (IOException e) {
            throw new TrustException("Failed to read policy '" + file + "': " + e.getMessage(), e);
        }
        return PolicyParser.parse(bytes, file.toString());
    }

    /** Parses policy text strictly; {@code file} names it in errors. */
    public static Policy parse(byte[] json, String file) throws TrustException {
        return PolicyParser.parse(json, file);
    }

    /** Reads {@code file}, or the built-in policy when {@code file} does not exist (a host without the package). */
    public static Policy readOrBuiltIn(Path file) throws TrustException {
        return Files.exists(file) ? read(file) : builtIn();
    }

    /** {@link #BUILT_IN_JSON}. */
    public static Policy builtIn() {
        try {
            return PolicyParser.parse(BUILT_IN_JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8), "built-in policy");
        } catch (TrustException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The source of {@link #acceptAnything()}, as a verification record's policy names it. */
    public static final String INSECURE_SOURCE = "--insecure-policy";

    /** A policy that accepts everything ({@code --insecure-policy}). */
    public static Policy acceptAnything() {
        return new Policy(List.of(new Requirement.InsecureAcceptAnything()), Map.of(), INSECURE_SOURCE);
    }

    /** The requirements for a registry image: its most specific {@code docker} scope, else {@code ""}, else default. */
    public Selected forDocker(ImageReference image) {
        return select(DOCKER, Scopes.candidates(image));
    }

    /**
     * The requirements for a local import through {@code transport} (oci, oci-archive, docker-archive, tarball, dir)
     * of {@code file}: the absolute path, then each parent directory, then {@code ""}, then the default.
     */
    public Selected forLocal(String transport, Path file) {
        List<String> candidates = new java.util.ArrayList<>();
        for (Path p = file.toAbsolutePath().normalize(); p != null && p.getNameCount() > 0; p = p.getParent()) {
            candidates.add(p.toString());
        }
        return select(transport, candidates);
    }

    private Selected select(String transport, List<String> candidates) {
        Map<String, List<Requirement>> scopes = transports.getOrDefault(transport, Map.of());
        for (String scope : candidates) {
            List<Requirement> r = scopes.get(scope);
            if (r != null) {
                return new Selected(source + ": transports." + transport + "[\"" + scope + "\"]", transport, scope, r);
            }
        }
        List<Requirement> r = scopes.get("");
        if (r != null) {
            return new Selected(source + ": transports." + transport + "[\"\"]", transport, "", r);
        }
        return new Selected(source + ": default", transport, null, defaults);
    }

    /** This policy with {@code requirements} for {@code scope} of {@code transport} (null: the scope removed). */
    public Policy with(String transport, String scope, List<Requirement> requirements) {
        Map<String, Map<String, List<Requirement>>> t = new LinkedHashMap<>(transports);
        Map<String, List<Requirement>> scopes = new LinkedHashMap<>(t.getOrDefault(transport, Map.of()));
        if (requirements == null) {
            scopes.remove(scope);
        } else {
            scopes.put(scope, List.copyOf(requirements));
        }
        if (scopes.isEmpty()) {
            t.remove(transport);
        } else {
            t.put(transport, scopes);
        }
        return new Policy(defaults, t, source);
    }

    /** The policy as containers-policy.json(5) text (what {@code jcontainer trust} writes). */
    public String toJson() {
        return PolicyWriter.write(this);
    }
}
