package io.jcontainer.cli;

import io.jcontainer.jnspawn.settings.HealthSpec;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Docker's and Podman's health flags of {@code run} and {@code create}, written as the container file's health keys
 * ({@code --health-cmd} to {@code HealthCmd=}, ...); each value is checked here, so that a bad one is one line
 * naming the flag.
 */
final class HealthOptions {
    @Option(names = "--health-cmd", paramLabel = "CMD",
            description = "The health check, run by /bin/sh -c in the container (HealthCmd=; 'none': no check).")
    String cmd;

    @Option(names = "--health-interval", paramLabel = "DURATION",
            description = "Between checks, as 30s or 1m30s (default 30s; 'disable': only 'healthcheck run').")
    String interval;

    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "A check's limit (default 30s).")
    String timeout;

    @Option(names = "--health-start-period", paramLabel = "DURATION",
            description = "After the start, failures do not count (default 0s).")
    String startPeriod;

    @Option(names = "--health-retries", paramLabel = "N", description = "Failures in a row that make it unhealthy "
            + "(default 3).")
    String retries;

    @Option(names = "--health-on-failure", paramLabel = "ACTION",
            description = "none (default), kill, restart or stop the unit when it becomes unhealthy.")
    String onFailure;

    @Option(names = "--no-healthcheck", description = "No health check, not even the image's (HealthCmd=none).")
    boolean none;

    /** Adds the health keys to {@code file}. */
    void describe(TransientContainer file) throws CliException {
        if (none && cmd != null) {
            throw new CliException("--no-healthcheck and --health-cmd contradict each other.");
        }
        String command = none ? "none" : cmd;
        String[][] keys = {{"HealthInterval", "--health-interval", interval}, {"HealthTimeout", "--health-timeout", timeout},
            {"HealthStartPeriod", "--health-start-period", startPeriod}, {"HealthRetries", "--health-retries", retries},
            {"HealthOnFailure", "--health-on-failure", onFailure}};
        for (String[] k : keys) {
            if (k[2] != null && (command == null || command.equals("none"))) {
                throw new CliException(k[1] + " needs --health-cmd (a container file's " + k[0] + "= needs HealthCmd=).");
            }
        }
        if (command == null) {
            return;
        }
        file.set(HealthSpec.KEY_CMD, command);
        check("--health-interval", interval, "disable");
        check("--health-timeout", timeout, null);
        check("--health-start-period", startPeriod, null);
        if (retries != null && !retries.matches("[1-9][0-9]{0,8}")) {
            throw new CliException("Invalid --health-retries '" + retries + "': expected a number above 0.");
        }
        if (onFailure != null && !List.of("none", "kill", "restart", "stop").contains(onFailure)) {
            throw new CliException("Invalid --health-on-failure '" + onFailure + "': expected none, kill, restart or "
                    + "stop.");
        }
        for (String[] k : keys) {
            if (k[2] != null) {
                file.set(k[0], k[2]);
            }
        }
    }

    private static void check(String flag, String value, String keyword) throws CliException {
        if (value == null || value.equals(keyword)) {
            return;
        }
        try {
            if (HealthSpec.durationMillis(flag, value) <= 0 && !flag.equals("--health-start-period")) {
                throw new CliException("Invalid " + flag + " '" + value + "': must be positive.");
            }
        } catch (SettingsException e) {
            throw new CliException("Invalid " + flag + " '" + value + "': expected a duration such as 30s, 1m30s or "
                    + "500ms.", e);
        }
    }
}
