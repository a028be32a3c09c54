package io.jcontainer.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A user name and password (or token) for a registry; {@link #toString()} never shows the password. */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** Parses the {@code auth} value of an auth.json entry: base64 of {@code user:password}. */
    public static Credentials fromBase64(String auth) throws RegistryException {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryException("Invalid 'auth' value: not base64, refusing.");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new RegistryException("Invalid 'auth' value: expected base64 of 'user:password', refusing.");
        }
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ':' + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ***]";
    }
}
