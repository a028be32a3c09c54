package io.jcontainer.generator;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.HealthSpec;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The health check of a container as systemd units, the way Podman runs its checks without a daemon: a timer,
 * {@code jcontainer-healthcheck@NAME.timer}, bound to the container's unit (it starts with it, through the drop-in's
 * {@code Wants=}, and stops with it), starts a oneshot, {@code jcontainer-healthcheck@NAME.service}, that runs
 * {@code jcontainer healthcheck run NAME}: one check, its result recorded under /run, and
 * {@code HealthOnFailure=} applied through systemd. No I/O, as {@link ContainerUnitConverter}.
 */
final class HealthUnits {
    /** Image config keys, flattened by {@link ImageConfigReader}: {@code Healthcheck.Test} holds NUL-separated words. */
    static final String IMAGE_HEALTHCHECK = "Healthcheck";
    static final String IMAGE_TEST = "Healthcheck.Test";
    static final List<String> IMAGE_NUMBERS = List.of("Healthcheck.Interval", "Healthcheck.Timeout",
            "Healthcheck.StartPeriod", "Healthcheck.Retries");
    /** The command the oneshot runs (packaging installs /usr/bin/jcontainer). */
    static final String JCONTAINER = "/usr/bin/jcontainer";
    /** How long the oneshot may take beyond the check's own timeout: a JVM's start and the exec into the container. */
    static final long SERVICE_MARGIN_MILLIS = 30_000;

    private HealthUnits() {
    }

    /** {@code jcontainer-healthcheck@NAME.timer}. */
    static String timerName(String machine) {
        return "jcontainer-healthcheck@" + machine + ".timer";
    }

    /** {@code jcontainer-healthcheck@NAME.service}. */
    static String serviceName(String machine) {
        return "jcontainer-healthcheck@" + machine + ".service";
    }

    /** The image's check from the flattened config, or null. */
    static HealthSpec imageCheck(String source, ContainerFile file, Map<String, String> imageConfig)
            throws UnitConversionException {
        if (imageConfig == null || imageConfig.get(IMAGE_TEST) == null) {
            return null;
        }
        long[] n = new long[IMAGE_NUMBERS.size()];
        for (int i = 0; i < n.length; i++) {
            String text = imageConfig.get(IMAGE_NUMBERS.get(i));
            n[i] = text == null ? 0 : Long.parseLong(text);
        }
        String test = imageConfig.get(IMAGE_TEST);
        try {
            return HealthSpec.fromImage(test.isEmpty() ? List.of() : List.of(test.split("\0", -1)), n[0], n[1], n[2],
                    (int) Math.min(Integer.MAX_VALUE, n[3]));
        } catch (SettingsException e) {
            throw UnitConversionException.at(source, file.lineOf("Image"), e.getMessage() + " in the image config of "
                    + UnitConversionException.quote(String.valueOf(file.image())));
        }
    }

    /** The timer and the oneshot of {@code check}, in that order; none when its interval is {@code disable}. */
    static List<GeneratedUnit.File> units(String machine, String source, HealthSpec check) {
        List<GeneratedUnit.File> out = new ArrayList<>();
        String container = ContainerUnitConverter.unitName(machine);
        String description = "Health check of container " + machine;
        if (check.intervalMillis() > 0) {
            List<UnitFile.Entry> timer = new ArrayList<>();
            timer.add(entry("Unit", "Description", description));
            timer.add(entry("Unit", "SourcePath", source));
            timer.add(entry("Unit", "BindsTo", container));
            timer.add(entry("Unit", "After", container));
            // The first check one interval after the start; then one interval after each check ended, so that a slow
            // check never overlaps the next.
            timer.add(entry("Timer", "OnActiveSec", check.intervalMillis() + "ms"));
            timer.add(entry("Timer", "OnUnitInactiveSec", check.intervalMillis() + "ms"));
            timer.add(entry("Timer", "AccuracySec", "1s"));
            out.add(new GeneratedUnit.File(timerName(machine), text(source, timer)));
        }
        List<UnitFile.Entry> service = new ArrayList<>();
        service.add(entry("Unit", "Description", description));
        service.add(entry("Unit", "SourcePath", source));
        service.add(entry("Unit", "After", container));
        // A check every second must not hit systemd's start rate limit (5 starts in 10 s by default).
        service.add(entry("Unit", "StartLimitIntervalSec", "0"));
        service.add(entry("Service", "Type", "oneshot"));
        service.add(entry("Service", "ExecStart", JCONTAINER + " healthcheck run " + machine));
        service.add(entry("Service", "TimeoutStartSec", (check.timeoutMillis() + SERVICE_MARGIN_MILLIS) + "ms"));
        out.add(new GeneratedUnit.File(serviceName(machine), text(source, service)));
        return out;
    }

    private static String text(String source, List<UnitFile.Entry> entries) {
        return ContainerUnitConverter.HEADER + '\n' + UnitFile.of(source, entries).format();
    }

    private static UnitFile.Entry entry(String section, String key, String value) {
        return new UnitFile.Entry(section, key, value, 0);
    }
}
