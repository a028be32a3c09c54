package io.jcontainer.jnspawn;

/** A container cannot be launched; the message is one line for the user, naming what is wrong. */
public class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
