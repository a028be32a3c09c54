package io.jcontainer.image.internal.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.registry.Credentials;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A docker credential helper ({@code credsStore} / {@code credHelpers} in an auth file): {@code docker-credential-NAME
 * get} with the server on stdin answers {@code {"ServerURL":..,"Username":..,"Secret":..}} on stdout, or exits
 * non-zero with "credentials not found" when it has none. Its stderr is passed on in errors, never the secret.
 */
public final class CredentialHelper {
    static final long TIMEOUT_SECONDS = 30;
    private static final int MAX_BYTES = 1024 * 1024;
    private static final String NOT_FOUND = "credentials not found";

    /** Wire form of the helper's answer. */
    public static class AnswerJson {
        @JsonProperty("ServerURL")
        public String serverUrl;
        @JsonProperty("Username")
        public String username;
        @JsonProperty("Secret")
        public String secret;
    }

    private final String name;
    private final Path configFile;
    private final List<Path> searchPath;

    /**
     * @param name       the NAME of {@code docker-credential-NAME}
     * @param configFile the auth file that names it, for errors
     * @param searchPath where to look for the program ({@code $PATH})
     */
    public CredentialHelper(String name, Path configFile, List<Path> searchPath) {
        this.name = name;
        this.configFile = configFile;
        this.searchPath = searchPath;
    }

    public String program() {
        return "docker-credential-" + name;
    }

    public String description(String server) {
        return "get credentials for '" + server + "' from '" + program() + "' (named in '" + configFile + "')";
    }

    /** The helper's credentials for {@code server}, or empty when it has none. */
    public Optional<Credentials> get(String server) throws RegistryException {
        if (name.isEmpty() || name.contains("/")) {
            throw new RegistryException("Failed to " + description(server) + ": invalid helper name '" + name + "', refusing.");
        }
        Path exe = searchPath.stream().map(d -> d.resolve(program())).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new RegistryException("Failed to " + description(server) + ": '" + program()
                        + "' is not installed (not in PATH)."));
        Process p;
        try {
            p = new ProcessBuilder(exe.toString(), "get").start();
        } catch (IOException e) {
            throw new RegistryException("Failed to " + description(server) + ": " + e.getMessage(), e);
        }
        byte[] out;
        byte[] err;
        try (OutputStream stdin = p.getOutputStream(); InputStream stdout = p.getInputStream(); InputStream stderr = p.getErrorStream()) {
            stdin.write(server.getBytes(StandardCharsets.UTF_8));
            stdin.close();
            out = stdout.readNBytes(MAX_BYTES);
            err = stderr.readNBytes(64 * 1024);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RegistryException("Failed to " + description(server) + ": no answer within " + TIMEOUT_SECONDS + " s.");
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new RegistryException("Failed to " + description(server) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RegistryException("Failed to " + description(server) + ": interrupted");
        }
        String said = firstLine(out) + " " + firstLine(err);
        if (p.exitValue() != 0) {
            if (said.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
                return Optional.empty();
            }
            String why = firstLine(err).isEmpty() ? firstLine(out) : firstLine(err);
            throw new RegistryException("Failed to " + description(server) + ": exit status " + p.exitValue()
                    + (why.isEmpty() ? "" : " (" + why + ")") + ".");
        }
        AnswerJson answer;
        try {
            answer = Json.read(out, AnswerJson.class, "its answer");
        } catch (ImageStoreException e) {
            throw new RegistryException("Failed to " + description(server) + ": " + e.getMessage(), e);
        }
        if (answer.username == null || answer.secret == null) {
            throw new RegistryException("Failed to " + description(server) + ": its answer lacks 'Username' or 'Secret', refusing.");
        }
        if (answer.username.equals("<token>")) {
            throw new RegistryException("Failed to " + description(server) + ": it holds an identity token, which jcontainer "
                    + "does not support; log in with a user name and password.");
        }
        return Optional.of(new Credentials(answer.username, answer.secret));
    }

    private static String firstLine(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8).strip();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
