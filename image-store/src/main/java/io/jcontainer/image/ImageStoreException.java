package io.jcontainer.image;

import java.io.IOException;

/**
 * The one exception of the image store: a one-line message naming the file, digest or value at fault.
 *
 * <p>It is an {@link IOException} so that a verifying stream can raise it from {@code read()}; callers
 * that want the store's own failures catch this type, print {@link #getMessage()} and choose an exit code.
 */
public class ImageStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageStoreException(String message) {
        super(message);
    }

    public ImageStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
