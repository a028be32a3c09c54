package io.jcontainer.machined;

/**
 * systemd knows no unit of the given name ({@code org.freedesktop.systemd1.NoSuchUnit}).
 *
 * <p>{@code GetUnit} raises it for a unit that is not loaded; {@code LoadUnit} loads the unit instead.
 */
public class NoSuchUnitException extends MachinedException {
    private static final long serialVersionUID = 1L;

    public NoSuchUnitException(String message, String errorName, Throwable cause) {
        super(message, errorName, cause);
    }
}
