package io.jcontainer.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code logs --timestamps}: each message of the unit's journal after its time, as {@code docker logs -t} prints it
 * ({@code 2026-12-08T01:29:25.123456Z hello}). journalctl has no output mode with the time and the message alone
 * ({@code short-iso} adds the host and the process), so the entries come as JSON ({@code __REALTIME_TIMESTAMP},
 * {@code MESSAGE}) and are formatted here, line by line, which keeps {@code -f} live.
 */
final class TimestampedJournal {
    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private TimestampedJournal() {
    }

    /**
     * Runs journalctl over {@code unit}'s processes with {@code options}; its exit status.
     *
     * @param source journalctl options naming the journal to read ({@code --directory=DIR}); empty for the system's
     */
    static int print(List<String> source, String unit, List<String> options, PrintWriter out, PrintWriter err)
            throws CliException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("journalctl", "--output=json", "--output-fields=MESSAGE",
                "--all", "--quiet", "--no-pager"));
        command.addAll(source);
        command.add("_SYSTEMD_UNIT=" + unit);
        command.addAll(options);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new CliException("Failed to run 'journalctl': " + ContainerFiles.reason(e), e);
        }
        Thread errors = ChildProcess.pump(p.getErrorStream(), err);
        copy(p.getInputStream(), out);
        int status = p.waitFor();
        errors.join();
        return status;
    }

    /** Each JSON entry of {@code json} as one line, {@link #line}. */
    static void copy(InputStream json, PrintWriter out) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(json, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JournalFollower.Entry entry = JournalFollower.Entry.parse(line);
                if (entry != null) {
                    out.print(line(entry));
                    out.print('\n');
                    out.flush();
                }
            }
        } catch (IOException e) {
            // journalctl ended (or was stopped): nothing more to print
        }
    }

    /** {@code TIME MESSAGE}; an entry without a time gets {@code -} in its place. */
    static String line(JournalFollower.Entry entry) {
        if (entry.realtimeMicros < 0) {
            return "- " + entry.message;
        }
        Instant when = Instant.ofEpochSecond(entry.realtimeMicros / 1_000_000, entry.realtimeMicros % 1_000_000 * 1000);
        return RFC3339_MICROS.format(when) + " " + entry.message;
    }
}
