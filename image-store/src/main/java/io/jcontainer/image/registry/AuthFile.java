package io.jcontainer.image.registry;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.internal.registry.AuthJson;
import io.jcontainer.image.internal.registry.CredentialHelper;
import io.jcontainer.image.internal.store.FsUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registry credentials from docker-style auth files ({@code {"auths":{"host:port":{"auth":"base64(user:pass)"}}}}),
 * searched in order as Podman and skopeo do: {@code $REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * {@code ~/.docker/config.json}. The first file with an entry for the registry wins; within a file a
 * repository-scoped key ({@code host/namespace}) wins over the registry's own. Missing files are skipped.
 *
 * <p>Credential helpers as Docker runs them: a registry listed in {@code credHelpers} asks that
 * {@code docker-credential-NAME get}; else an {@code auths} entry with credentials answers; else a
 * {@code credsStore} helper is asked. Helpers are looked up in {@code $PATH}. Identity tokens are not supported.
 */
public final class AuthFile {
    /** auth.json keys that all mean Docker Hub. */
    private static final Set<String> DOCKER_HUB_KEYS = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private static final long MAX_BYTES = 1024 * 1024;

    private final List<Path> files;
    private final List<Path> helperPath;

    private AuthFile(List<Path> files) {
        this(files, pathDirs(System.getenv("PATH")));
    }

    private AuthFile(List<Path> files, List<Path> helperPath) {
        this.files = List.copyOf(files);
        this.helperPath = List.copyOf(helperPath);
    }

    /** The same files, with credential helpers looked up in {@code dirs} instead of {@code $PATH}. */
    public AuthFile withHelperPath(List<Path> dirs) {
        return new AuthFile(files, dirs);
    }

    private static List<Path> pathDirs(String path) {
        List<Path> out = new ArrayList<>();
        for (String d : (path == null || path.isEmpty() ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            if (!d.isEmpty()) {
                out.add(Path.of(d));
            }
        }
        return out;
    }

    /** Exactly these files, in this order (e.g. {@code --authfile}). */
    public static AuthFile of(Path... files) {
        return new AuthFile(List.of(files));
    }

    /** The default search path of this process's environment. */
    public static AuthFile defaults() {
        return new AuthFile(searchPath(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /** No credentials at all (anonymous pulls). */
    public static AuthFile none() {
        return new AuthFile(List.of());
    }

    /** The default search path for an environment and home directory. */
    public static List<Path> searchPath(Map<String, String> env, Path home) {
        List<Path> out = new ArrayList<>();
        String explicit = env.get("REGISTRY_AUTH_FILE");
        if (explicit != null && !explicit.isEmpty()) {
            out.add(Path.of(explicit));
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            out.add(Path.of(runtime, "containers", "auth.json"));
        }
        out.add(home.resolve(".docker").resolve("config.json"));
        return out;
    }

    public List<Path> files() {
        return files;
    }

    /** The credentials for an image's registry (and repository), if any file has them. */
    public Optional<Credentials> find(String registry, String repository) throws RegistryException {
        for (Path file : files) {
            AuthJson json = read(file);
            if (json == null) {
                continue;
            }
            if (json.credHelpers != null) {
                for (Map.Entry<String, String> e : json.credHelpers.entrySet()) {
                    if (matches(normalize(e.getKey()), registry, repository) && e.getKey().indexOf('/') < 0) {
                        return helper(e.getValue(), file, registry);
                    }
                }
            }
            String bestKey = null;
            AuthJson.Entry best = null;
            for (Map.Entry<String, AuthJson.Entry> e : json.auths == null ? Map.<String, AuthJson.Entry>of().entrySet()
                    : json.auths.entrySet()) {
                String key = normalize(e.getKey());
                if (matches(key, registry, repository) && (bestKey == null || key.length() > bestKey.length())) {
                    bestKey = key;
                    best = e.getValue();
                }
            }
            if (best != null) {
                Credentials c = credentials(best, file, bestKey);
                if (c != null) {
                    return Optional.of(c);
                }
            }
            if (json.credsStore != null && !json.credsStore.isEmpty()) {
                Optional<Credentials> c = helper(json.credsStore, file, registry);
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        return Optional.empty();
    }

    /** Asks {@code docker-credential-NAME}; the server is named as docker names it (Docker Hub by its v1 URL). */
    private Optional<Credentials> helper(String name, Path file, String registry) throws RegistryException {
        String server = ImageReference.DOCKER_HUB.equals(registry) ? "https://index.docker.io/v1/" : registry;
        return new CredentialHelper(name, file, helperPath).get(server);
    }

    public Optional<Credentials> find(ImageReference image) throws RegistryException {
        return find(image.registry(), image.repository());
    }

    private static boolean matches(String key, String registry, String repository) {
        int slash = key.indexOf('/');
        String host = slash < 0 ? key : key.substring(0, slash);
        boolean hostMatches = host.equals(registry)
                || (ImageReference.DOCKER_HUB.equals(registry) && DOCKER_HUB_KEYS.contains(host));
        if (!hostMatches) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String prefix = key.substring(slash + 1);
        return repository.equals(prefix) || repository.startsWith(prefix + "/");
    }

    /** {@code https://index.docker.io/v1/} -> {@code index.docker.io}; {@code host:port/ns/} -> {@code host:port/ns}. */
    static String normalize(String key) {
        String k = key.trim();
        if (k.startsWith("https://")) {
            k = k.substring("https://".length());
        } else if (k.startsWith("http://")) {
            k = k.substring("http://".length());
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        if (k.endsWith("/v1") || k.endsWith("/v2")) {
            k = k.substring(0, k.length() - 3);
        }
        return k;
    }

    private static Credentials credentials(AuthJson.Entry entry, Path file, String key) throws RegistryException {
        if (entry == null) {
            return null;
        }
        if (entry.auth != null && !entry.auth.isEmpty()) {
            try {
                return Credentials.fromBase64(entry.auth);
            } catch (RegistryException e) {
                throw new RegistryException("Failed to read credentials for '" + key + "' from '" + file + "': "
                        + e.getMessage(), e);
            }
        }
        if (entry.username != null && entry.password != null) {
            return new Credentials(entry.username, entry.password);
        }
        return null;
    }

    private static AuthJson read(Path file) throws RegistryException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new RegistryException("Auth file '" + file + "' is larger than " + MAX_BYTES + " bytes, refusing.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException("Failed to read auth file '" + file + "': " + FsUtil.describe(e), e);
        }
        try {
            return Json.read(bytes, AuthJson.class, "auth file '" + file + "'");
        } catch (io.jcontainer.image.ImageStoreException e) {
            throw new RegistryException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "AuthFile" + files;
    }
}
