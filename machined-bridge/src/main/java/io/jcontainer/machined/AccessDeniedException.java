package io.jcontainer.machined;

/**
 * The bus or polkit refused the call ({@code org.freedesktop.DBus.Error.AccessDenied}, or
 * {@code org.freedesktop.DBus.Error.InteractiveAuthorizationRequired} when polkit would have asked).
 *
 * <p>The CLI turns this into the hint to join group {@code jcontainer} or use root.
 */
public class AccessDeniedException extends MachinedException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String message, String errorName, Throwable cause) {
        super(message, errorName, cause);
    }
}
