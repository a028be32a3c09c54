package io.jcontainer.machined;

/**
 * machined refused to register a machine because one of that name is already registered
 * ({@code org.freedesktop.machine1.MachineExists}).
 *
 * <p>A fast restart of the same container meets this while machined still holds the old machine; the
 * launcher can recover by unregistering it and registering again.
 */
public class MachineExistsException extends MachinedException {
    private static final long serialVersionUID = 1L;

    public MachineExistsException(String message, String errorName, Throwable cause) {
        super(message, errorName, cause);
    }
}
