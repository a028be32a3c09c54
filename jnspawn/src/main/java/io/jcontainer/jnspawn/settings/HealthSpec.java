package io.jcontainer.jnspawn.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A container's health check, as Podman's Quadlet keys ({@code HealthCmd=}, {@code HealthInterval=},
 * {@code HealthTimeout=}, {@code HealthStartPeriod=}, {@code HealthRetries=}, {@code HealthOnFailure=}) or an image
 * config's {@code Healthcheck} (Docker's {@code HEALTHCHECK}) give it.
 *
 * @param test             Docker's form: {@code ["CMD-SHELL", TEXT]} (run by {@code /bin/sh -c}) or
 *                         {@code ["CMD", ARGV...]}
 * @param intervalMillis   between the end of one check and the start of the next; 0: no timer (checks run only when
 *                         asked, Podman's {@code disable})
 * @param timeoutMillis    a check running longer is killed and counts as failed
 * @param startPeriodMillis after the container's start, failures do not count (a success does)
 * @param retries          failures in a row that make the container unhealthy
 * @param onFailure        what systemd does to the unit when it becomes unhealthy
 */
public record HealthSpec(List<String> test, long intervalMillis, long timeoutMillis, long startPeriodMillis,
                         int retries, OnFailure onFailure) {

    /** Docker's and Podman's defaults. */
    public static final long DEFAULT_INTERVAL_MILLIS = 30_000;
    public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;
    public static final int DEFAULT_RETRIES = 3;

    /** The [Container] keys of a health check; {@link #KEY_CMD} must be there for the others. */
    public static final String KEY_CMD = "HealthCmd";
    public static final List<String> KEYS = List.of(KEY_CMD, "HealthInterval", "HealthTimeout", "HealthStartPeriod",
            "HealthRetries", "HealthOnFailure");

    /** Podman's {@code --health-on-failure}: what happens to the unit when the container becomes unhealthy. */
    public enum OnFailure {
        NONE, KILL, RESTART, STOP;

        static OnFailure parse(String value) throws SettingsException {
            for (OnFailure f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return f;
                }
            }
            throw SettingsException.invalid("health action", value, "expected none, kill, restart or stop");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public HealthSpec {
        test = List.copyOf(test);
    }

    /** The command to run in the container: {@code /bin/sh -c TEXT} for CMD-SHELL, the words after CMD for CMD. */
    public List<String> argv() {
        if (test.get(0).equals("CMD-SHELL")) {
            return List.of("/bin/sh", "-c", test.get(1));
        }
        return test.subList(1, test.size());
    }

    /**
     * The check an image config's {@code Healthcheck} object describes, or null for none ({@code Test} missing,
     * empty or {@code ["NONE"]}); durations in nanoseconds as Docker writes them, 0 or absent for the default.
     *
     * @throws SettingsException a {@code Test} that is neither CMD nor CMD-SHELL, a negative value
     */
    public static HealthSpec fromImage(List<String> test, long intervalNanos, long timeoutNanos, long startPeriodNanos,
            int retries) throws SettingsException {
        if (test == null || test.isEmpty() || test.get(0).equals("NONE")) {
            return null;
        }
        boolean shell = test.get(0).equals("CMD-SHELL") && test.size() == 2;
        boolean exec = test.get(0).equals("CMD") && test.size() >= 2;
        if (!shell && !exec) {
            throw SettingsException.invalid("Healthcheck.Test", String.join(" ", test),
                    "expected [\"CMD-SHELL\", COMMAND], [\"CMD\", ARG...] or [\"NONE\"]");
        }
        if (intervalNanos < 0 || timeoutNanos < 0 || startPeriodNanos < 0 || retries < 0) {
            throw SettingsException.invalid("Healthcheck", String.join(" ", test), "a duration or Retries is negative");
        }
        return new HealthSpec(test, intervalNanos == 0 ? DEFAULT_INTERVAL_MILLIS : Math.max(1, intervalNanos / 1_000_000),
                timeoutNanos == 0 ? DEFAULT_TIMEOUT_MILLIS : Math.max(1, timeoutNanos / 1_000_000),
                startPeriodNanos / 1_000_000, retries == 0 ? DEFAULT_RETRIES : retries, OnFailure.NONE);
    }

    /**
     * The container's check: the file's when it has {@code HealthCmd=} (none when that says {@code none}), else the
     * image's, else none.
     */
    public static HealthSpec effective(ContainerFile file, HealthSpec image) {
        Builder b = file.healthSettings();
        if (b.command == null) {
            return image;
        }
        if (b.command.equals("none")) {
            return null;
        }
        return b.build();
    }

    /** Go's durations, as Podman reads these keys: {@code 30s}, {@code 1m30s}, {@code 500ms}, {@code 2h}; {@code 0}. */
    public static long durationMillis(String what, String value) throws SettingsException {
        if (value.equals("0")) {
            return 0;
        }
        double total = 0;
        int i = 0;
        if (value.isEmpty()) {
            throw SettingsException.invalid(what, value, "must not be empty");
        }
        while (i < value.length()) {
            int start = i;
            while (i < value.length() && (Character.isDigit(value.charAt(i)) || value.charAt(i) == '.')) {
                i++;
            }
            int unitStart = i;
            while (i < value.length() && !Character.isDigit(value.charAt(i)) && value.charAt(i) != '.') {
                i++;
            }
            String number = value.substring(start, unitStart);
            Double factor = UNITS_MILLIS.get(value.substring(unitStart, i));
            if (number.isEmpty() || factor == null || number.indexOf('.') != number.lastIndexOf('.')
                    || number.equals(".")) {
                throw SettingsException.invalid(what, value, "expected a duration such as 30s, 1m30s or 500ms");
            }
            total += Double.parseDouble(number) * factor;
        }
        if (total > Long.MAX_VALUE / 2) {
            throw SettingsException.invalid(what, value, "too long");
        }
        return (long) total;
    }

    private static final Map<String, Double> UNITS_MILLIS = Map.of("ns", 1e-6, "us", 1e-3, "µs", 1e-3, "ms", 1.0,
            "s", 1e3, "m", 60e3, "h", 3600e3);

    /** The health keys of one container file as they are assigned (last one wins), checked as a whole at the end. */
    public static final class Builder {
        private static final Set<String> OPTIONAL = Set.copyOf(KEYS.subList(1, KEYS.size()));

        private String command;
        private long intervalMillis = DEFAULT_INTERVAL_MILLIS;
        private long timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
        private long startPeriodMillis;
        private int retries = DEFAULT_RETRIES;
        private OnFailure onFailure = OnFailure.NONE;
        private final List<String> assigned = new ArrayList<>();

        void apply(String key, String value) throws SettingsException {
            switch (key) {
                case KEY_CMD -> {
                    if (value.isBlank()) {
                        throw SettingsException.invalid("health command", value, "must not be empty ('none' disables "
                                + "the image's check)");
                    }
                    command = value;
                }
                case "HealthInterval" -> {
                    intervalMillis = value.equals("disable") ? 0 : durationMillis("interval", value);
                    if (intervalMillis == 0 && !value.equals("disable")) {
                        throw SettingsException.invalid("interval", value, "must be positive ('disable': no timer)");
                    }
                }
                case "HealthTimeout" -> {
                    timeoutMillis = durationMillis("timeout", value);
                    if (timeoutMillis < 1) {
                        throw SettingsException.invalid("timeout", value, "must be at least 1ms");
                    }
                }
                case "HealthStartPeriod" -> startPeriodMillis = durationMillis("start period", value);
                case "HealthRetries" -> {
                    try {
                        retries = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        retries = -1;
                    }
                    if (retries < 1) {
                        throw SettingsException.invalid("retries", value, "expected a number above 0");
                    }
                }
                case "HealthOnFailure" -> onFailure = OnFailure.parse(value);
                default -> throw new IllegalStateException("Key " + key + " in KEYS but not handled");
            }
            if (OPTIONAL.contains(key) && !assigned.contains(key)) {
                assigned.add(key);
            }
        }

        /** The first optional key assigned although {@code HealthCmd=} is not (or says {@code none}); null if none. */
        String keyWithoutCommand() {
            return (command == null || command.equals("none")) && !assigned.isEmpty() ? assigned.get(0) : null;
        }

        /** Whether the file disables any check ({@code HealthCmd=none}). */
        boolean disabled() {
            return "none".equals(command);
        }

        HealthSpec build() {
            return new HealthSpec(List.of("CMD-SHELL", command), intervalMillis, timeoutMillis, startPeriodMillis,
                    retries, onFailure);
        }
    }
}
