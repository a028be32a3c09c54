package io.jcontainer.image.trust;

import io.jcontainer.image.ImageStoreException;

/** An image refused by the signature policy, or a policy, key or signature that cannot be read: one line. */
public class TrustException extends ImageStoreException {
    private static final long serialVersionUID = 1L;

    public TrustException(String message) {
        super(message);
    }

    public TrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
