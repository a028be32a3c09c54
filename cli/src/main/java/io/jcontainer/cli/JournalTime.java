package io.jcontainer.cli;

import java.util.regex.Pattern;

/**
 * The times {@code logs --since/--until} take: journalctl's forms (systemd.time(7)), checked here so that a typo is
 * one line naming the flag rather than journalctl's complaint; and Docker's bare duration ({@code 10m}: ten minutes
 * ago), which journalctl spells {@code -10m}.
 */
final class JournalTime {
    private static final String UNIT = "(?:usec|us|µs|msec|ms|seconds|second|sec|s|minutes|minute|min|m|hours|hour"
            + "|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)";
    /** A time span: {@code 1h 30min}, {@code 90s}, {@code 2.5h}. */
    private static final String SPAN = "(?:[0-9]+(?:\\.[0-9]+)?\\s*" + UNIT + "\\s*)+";
    private static final Pattern BARE_SPAN = Pattern.compile(SPAN.strip());
    private static final Pattern FORMS = Pattern.compile(String.join("|",
            "now|today|yesterday|tomorrow|epoch",
            "@[0-9]+(?:\\.[0-9]+)?",
            "[+-]\\s*" + SPAN,
            SPAN + "(?:ago|left)",
            // [WEEKDAY] YYYY-MM-DD [HH:MM[:SS[.frac]]] [ZONE], or HH:MM[:SS] today
            "(?:[A-Za-z]{3,9}\\s+)?(?:[0-9]{2,4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]+)?)?)?"
                    + "|[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]+)?)?)"
                    + "(?:\\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})|\\s+[A-Za-z][A-Za-z0-9_/+-]*)?"));

    private JournalTime() {
    }

    /**
     * {@code value} as journalctl's {@code --since=}/{@code --until=} takes it.
     *
     * @throws CliException {@code Invalid --since 'x': ...}
     */
    static String argument(String flag, String value) throws CliException {
        String v = value.strip();
        if (BARE_SPAN.matcher(v).matches()) {
            return "-" + v;
        }
        if (!FORMS.matcher(v).matches()) {
            throw new CliException("Invalid " + flag + " '" + value + "': expected a time as journalctl takes it "
                    + "('2026-12-08 10:00', 'yesterday', '-1h', '2 days ago', '@1765000000') or a duration (10m).");
        }
        return v;
    }
}
