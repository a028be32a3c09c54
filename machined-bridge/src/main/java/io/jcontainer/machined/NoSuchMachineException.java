package io.jcontainer.machined;

/**
 * machined knows no machine of the given name ({@code org.freedesktop.machine1.NoSuchMachine}).
 */
public class NoSuchMachineException extends MachinedException {
    private static final long serialVersionUID = 1L;

    public NoSuchMachineException(String message, String errorName, Throwable cause) {
        super(message, errorName, cause);
    }
}
