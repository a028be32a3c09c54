package io.jcontainer.cli;

/**
 * An error of the {@code jcontainer} command itself (a refused removal, an unknown image, a source
 * that needs a name): its message is the one line {@link ExitCodePolicy} prints, with exit code 125.
 * Control characters in it (from quoted user text: a Dockerfile line, an argument) are escaped here, so that it
 * stays one line (found by fuzzing the Dockerfile reader).
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        this(message, null);
    }

    CliException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
