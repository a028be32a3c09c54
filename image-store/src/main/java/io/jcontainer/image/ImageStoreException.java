package io.jcontainer.image;

import java.io.IOException;

/**
 * The one exception of the image store: a one-line message naming the file, digest or value at fault.
 *
 * <p>It is an {@link IOException} so that a verifying stream can raise it from {@code read()}; callers
 * that want the store's own failures catch this type, print {@link #getMessage()} and choose an exit code.
 * Messages quote what the user, a file or a registry said; control characters in it are escaped here
 * ({@code \n}, {@code \x1b}), so that a message is always one line and cannot move a terminal's cursor.
 */
public class ImageStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageStoreException(String message) {
        super(oneLine(message));
    }

    public ImageStoreException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code message} with control characters as C escapes (found by fuzzing: a reference with a newline). */
    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && sb == null) {
                sb = new StringBuilder(message.length() + 8).append(message, 0, i);
            }
            if (sb != null) {
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (control) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
        }
        return sb == null ? message : sb.toString();
    }
}
