package io.jcontainer.cli;

import io.jcontainer.image.ImageConfig;
import io.jcontainer.jnspawn.settings.HealthSpec;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile's {@code HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--retries=N] CMD command} or
 * {@code HEALTHCHECK NONE}, as the image config's {@code Healthcheck} (Dockerfile reference, HEALTHCHECK): the shell
 * form becomes {@code ["CMD-SHELL", TEXT]}, the exec form {@code ["CMD", ARG...]}; durations are Go's, as Docker's.
 */
final class DockerHealthcheck {
    private static final Pattern OPTION = Pattern.compile("--([a-z-]+)=(\\S+)\\s+");

    private DockerHealthcheck() {
    }

    /** The instruction as a config's {@code Healthcheck}; {@code FILE:LINE: ...} for anything malformed. */
    static ImageConfig.Healthcheck parse(Dockerfile.Instruction in) throws CliException {
        String rest = in.args().strip();
        if (rest.equals("NONE")) {
            return new ImageConfig.Healthcheck(List.of("NONE"), 0, 0, 0, 0);
        }
        long interval = 0;
        long timeout = 0;
        long startPeriod = 0;
        int retries = 0;
        Matcher m = OPTION.matcher(rest);
        while (m.lookingAt()) {
            String name = m.group(1);
            String value = m.group(2);
            try {
                switch (name) {
                    case "interval" -> interval = positive(in, name, HealthSpec.durationMillis("interval", value));
                    case "timeout" -> timeout = positive(in, name, HealthSpec.durationMillis("timeout", value));
                    case "start-period" -> startPeriod = HealthSpec.durationMillis("start period", value) * 1_000_000;
                    case "retries" -> {
                        try {
                            retries = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            retries = -1;
                        }
                        if (retries < 1) {
                            throw in.error("invalid HEALTHCHECK --retries '" + value + "' (expected a number above 0).");
                        }
                    }
                    default -> throw in.error("HEALTHCHECK option '--" + name + "' is not supported.");
                }
            } catch (SettingsException e) {
                throw in.error("HEALTHCHECK --" + name + ": " + e.getMessage() + ".");
            }
            rest = rest.substring(m.end());
            m = OPTION.matcher(rest);
        }
        if (!rest.startsWith("CMD ") && !rest.startsWith("CMD[") && !rest.startsWith("CMD\t")) {
            throw in.error("expected 'HEALTHCHECK [OPTIONS] CMD COMMAND' or 'HEALTHCHECK NONE'.");
        }
        String command = rest.substring(3).strip();
        if (command.isEmpty()) {
            throw in.error("HEALTHCHECK CMD needs a command.");
        }
        List<String> exec = Dockerfile.execForm(command);
        List<String> test;
        if (exec != null) {
            if (exec.isEmpty()) {
                throw in.error("HEALTHCHECK CMD needs a command.");
            }
            test = new java.util.ArrayList<>(List.of("CMD"));
            test.addAll(exec);
        } else if (command.startsWith("[")) {
            throw in.error("malformed exec form (expected a JSON array of strings): " + command);
        } else {
            test = List.of("CMD-SHELL", command);
        }
        return new ImageConfig.Healthcheck(test, interval, timeout, startPeriod, retries);
    }

    private static long positive(Dockerfile.Instruction in, String name, long millis) throws CliException {
        if (millis < 1) {
            throw in.error("invalid HEALTHCHECK --" + name + " (must be at least 1ms).");
        }
        return millis * 1_000_000;
    }
}
