package io.jcontainer.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Docker's resource flags of {@code run} and {@code create} in systemd's words (systemd.resource-control(5)):
 * {@code --memory} to {@code MemoryMax=}, {@code --cpus} to {@code CPUQuota=}, {@code --pids-limit} to
 * {@code TasksMax=}. Each value is checked here, so that a bad one is one line naming the flag.
 */
final class ResourceFlags {
    /** Docker refuses a memory limit below 6 MiB (the container would not get started); so does this. */
    static final long MIN_MEMORY_BYTES = 6L * 1024 * 1024;
    /** CPUQuota= is a percentage of one CPU; 1/100 of a CPU is its smallest step (1%). */
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private ResourceFlags() {
    }

    /**
     * {@code --memory}: a whole number of bytes with an optional {@code b}, {@code k}, {@code m} or {@code g} (base
     * 1024, either case), as Docker reads it; as systemd's {@code MemoryMax=} value ({@code 512M}).
     */
    static String memory(String value) throws CliException {
        String v = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        String suffix = "";
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'b' -> v = v.substring(0, v.length() - 1);
                case 'k' -> { unit = 1L << 10; suffix = "K"; }
                case 'm' -> { unit = 1L << 20; suffix = "M"; }
                case 'g' -> { unit = 1L << 30; suffix = "G"; }
                default -> { }
            }
            if (!suffix.isEmpty()) {
                v = v.substring(0, v.length() - 1);
            }
        }
        if (v.isEmpty() || !v.chars().allMatch(Character::isDigit) || v.length() > 15) {
            throw new CliException("Invalid --memory '" + value + "': expected a number of bytes with an optional "
                    + "b, k, m or g suffix (512m).");
        }
        long number = Long.parseLong(v);
        if (BigInteger.valueOf(number).multiply(BigInteger.valueOf(unit)).compareTo(BigInteger.valueOf(MIN_MEMORY_BYTES)) < 0) {
            throw new CliException("Invalid --memory '" + value + "': the minimum is 6m.");
        }
        return number + suffix;
    }

    /** {@code --cpus}: a positive decimal number of CPUs, in steps of 0.01; as {@code CPUQuota=} ({@code 150%}). */
    static String cpus(String value) throws CliException {
        BigDecimal cpus;
        try {
            if (!value.matches("[0-9]*\\.?[0-9]+")) {
                throw new NumberFormatException();
            }
            cpus = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new CliException("Invalid --cpus '" + value + "': expected a number of CPUs (1.5).", e);
        }
        BigDecimal percent = cpus.multiply(HUNDRED);
        if (percent.signum() <= 0 || percent.stripTrailingZeros().scale() > 0) {
            throw new CliException("Invalid --cpus '" + value + "': must be at least 0.01, in steps of 0.01.");
        }
        if (percent.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            throw new CliException("Invalid --cpus '" + value + "': more than 10000 CPUs.");
        }
        return percent.toBigIntegerExact() + "%";
    }

    /** {@code --pids-limit}: a positive number of tasks, or 0 or -1 for none (Docker's forms); as {@code TasksMax=}. */
    static String pidsLimit(String value) throws CliException {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CliException("Invalid --pids-limit '" + value + "': expected a number of tasks, or -1 for no "
                    + "limit.", e);
        }
        if (n < -1) {
            throw new CliException("Invalid --pids-limit '" + value + "': expected a number of tasks, or -1 for no "
                    + "limit.");
        }
        return n <= 0 ? "infinity" : Long.toString(n);
    }
}
