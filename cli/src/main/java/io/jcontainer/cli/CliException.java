package io.jcontainer.cli;

/**
 * An error of the {@code jcontainer} command itself (a refused removal, an unknown image, a source
 * that needs a name): its message is the one line {@link ExitCodePolicy} prints, with exit code 125.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
