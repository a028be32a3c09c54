package io.jcontainer.machined.internal;

import io.jcontainer.machined.AccessDeniedException;
import io.jcontainer.machined.MachineExistsException;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.NoSuchMachineException;
import io.jcontainer.machined.NoSuchUnitException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * The one place that turns dbus-java's exceptions into this module's.
 *
 * <p>dbus-java raises a remote error as the {@link DBusExecutionException} subclass named after it, with
 * {@code org.freedesktop.DBus.Error.X} looked up as {@code org.freedesktop.dbus.errors.X}; without such a
 * class the name is lost. The classes for machined's and systemd's names live in
 * {@code org.freedesktop.machine1} and {@code org.freedesktop.systemd1} of this module (from systemd's
 * {@code bus-common-errors.h}); {@link #remoteErrorName} reads the name back from the class.
 */
public final class DBusErrors {
    public static final String MACHINE_EXISTS = "org.freedesktop.machine1.MachineExists";
    public static final String NO_SUCH_MACHINE = "org.freedesktop.machine1.NoSuchMachine";
    public static final String NO_SUCH_UNIT = "org.freedesktop.systemd1.NoSuchUnit";
    public static final String ACCESS_DENIED = "org.freedesktop.DBus.Error.AccessDenied";
    public static final String INTERACTIVE_AUTHORIZATION_REQUIRED =
            "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired";

    private static final String DBUS_ERROR_PREFIX = "org.freedesktop.DBus.Error.";
    /** dbus-java's package for the {@code org.freedesktop.DBus.Error.*} names. */
    private static final String DBUS_JAVA_ERRORS_PACKAGE = "org.freedesktop.dbus.errors";
    private static final String MACHINE1_PACKAGE = "org.freedesktop.machine1";
    private static final String SYSTEMD1_PACKAGE = "org.freedesktop.systemd1";

    private DBusErrors() {
    }

    /**
     * Maps a failed call to the module's exception.
     *
     * @param action what was attempted, naming the machine or unit: {@code "register machine 'web'"}
     */
    public static MachinedException translate(String action, DBusExecutionException e) {
        String name = remoteErrorName(e);
        String detail = oneLine(e.getMessage());
        if (detail.isEmpty()) {
            detail = name != null ? name : e.getClass().getSimpleName();
        }
        String message = "Failed to " + action + ": " + detail;
        if (name == null) {
            return new MachinedException(message, null, e);
        }
        return switch (name) {
            case MACHINE_EXISTS -> new MachineExistsException(message, name, e);
            case NO_SUCH_MACHINE -> new NoSuchMachineException(message, name, e);
            case NO_SUCH_UNIT -> new NoSuchUnitException(message, name, e);
            case ACCESS_DENIED, INTERACTIVE_AUTHORIZATION_REQUIRED -> new AccessDeniedException(message, name, e);
            default -> new MachinedException(message, name, e);
        };
    }

    /** A failure before or after the call itself (connecting, building a proxy, an unexpected reply). */
    public static MachinedException local(String action, Exception e) {
        String detail = oneLine(e.getMessage());
        return new MachinedException("Failed to " + action + ": "
                + (detail.isEmpty() ? e.getClass().getSimpleName() : detail), null, e);
    }

    /**
     * The D-Bus error name behind {@code e}, or {@code null} when dbus-java could not name it (a bare
     * {@link DBusExecutionException}, or one raised locally by dbus-java itself).
     */
    public static String remoteErrorName(DBusExecutionException e) {
        Class<?> type = e.getClass();
        String pkg = type.getPackageName();
        if (pkg.equals(DBUS_JAVA_ERRORS_PACKAGE)) {
            return DBUS_ERROR_PREFIX + type.getSimpleName();
        }
        if (pkg.equals(MACHINE1_PACKAGE) || pkg.equals(SYSTEMD1_PACKAGE)) {
            return type.getName();
        }
        return null;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
