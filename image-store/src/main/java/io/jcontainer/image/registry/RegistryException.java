package io.jcontainer.image.registry;

import io.jcontainer.image.ImageStoreException;

/**
 * A failed registry call, in one line that names the call and the image:
 * {@code Failed to pull manifest for 'localhost:5000/web:1.2': 401 Unauthorized}.
 */
public class RegistryException extends ImageStoreException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public RegistryException(String message) {
        this(message, 0, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    public RegistryException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the registry answered with, or 0 when the failure was no HTTP answer (network, digest). */
    public int status() {
        return status;
    }
}
