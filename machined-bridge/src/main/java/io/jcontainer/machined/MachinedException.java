package io.jcontainer.machined;

/**
 * The one exception of machined-bridge: a failed call to systemd-machined or systemd over D-Bus.
 *
 * <p>The message is one line naming the machine or unit, for example
 * {@code Failed to register machine 'web': Machine 'web' already exists}. {@link #errorName()} keeps the
 * remote D-Bus error name ({@code org.freedesktop.machine1.MachineExists}) where the bus gave one. The errors
 * callers act on have subclasses: {@link MachineExistsException}, {@link NoSuchMachineException},
 * {@link NoSuchUnitException}, {@link AccessDeniedException}.
 */
public class MachinedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String errorName;

    public MachinedException(String message) {
        this(message, null, null);
    }

    public MachinedException(String message, String errorName, Throwable cause) {
        super(message, cause);
        this.errorName = errorName;
    }

    /**
     * The remote D-Bus error name, or {@code null} when the failure was local (no bus, bad reply) or the
     * remote error is one dbus-java could not name.
     */
    public String errorName() {
        return errorName;
    }
}
