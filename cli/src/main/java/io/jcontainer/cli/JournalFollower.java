package io.jcontainer.cli;

import io.jcontainer.jnspawn.HostProgram;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the processes of one unit write to the journal from now on, each entry's message printed once: live while
 * the unit runs ({@code journalctl -f}), then, at {@link #finish}, every entry the live follower had not printed.
 * For the foreground {@code run} and {@code attach}.
 *
 * <p>Following alone lost output: under load a short container's line was in the journal, yet a
 * {@code journalctl -f -n 0} started before the unit printed nothing (issue 7). Either it had not reached the
 * journal's tail when the line came (so the line counted as old), or what it had was lost when it was stopped. So
 * "from now on" is a cursor taken before the unit starts (the unit's last entry, or none at all), the follower
 * starts after it whenever it gets going, and each printed entry's cursor is kept; {@link #finish} stops the
 * follower and prints the entries after the last cursor printed, from a journal that {@code journalctl --sync}
 * has brought up to date. The entries come as JSON ({@code -o json}: {@code __CURSOR} and {@code MESSAGE}).
 */
final class JournalFollower implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STOP_WAIT_SECONDS = 5;

    private final List<String> selection;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Object printLock = new Object();
    /** The cursor of the last entry printed (or of the unit's last entry before the start); null: none yet. */
    private String cursor;
    private Process process;
    private Thread reader;

    private JournalFollower(List<String> selection, PrintWriter out, PrintWriter err) {
        this.selection = selection;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts following what {@code unit}'s processes write from now on.
     *
     * @param source journalctl options naming the journal to read ({@code --directory=DIR}); empty for the system's
     */
    static JournalFollower start(List<String> source, String unit, PrintWriter out, PrintWriter err)
            throws CliException {
        List<String> selection = new ArrayList<>(source);
        selection.add("_SYSTEMD_UNIT=" + unit);
        JournalFollower follower = new JournalFollower(selection, out, err);
        follower.cursor = follower.lastCursor();
        follower.follow();
        return follower;
    }

    /**
     * Stops following and prints what the follower had not printed yet. Call it once the unit's processes are
     * gone and the journal is synced ({@link Systemctl#journalSync}).
     */
    void finish() throws CliException, InterruptedException {
        process.destroy();
        process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(STOP_WAIT_SECONDS));
        Process rest = journalctl(afterCursor(List.of()));
        copy(rest.getInputStream());
        rest.waitFor();
    }

    /** Stops following without printing more: after {@link #finish}, or when the command is failing or interrupted. */
    @Override
    public void close() {
        process.destroy();
    }

    /** The live journalctl (a test stops it early, as a follower that lost its last lines). */
    Process process() {
        return process;
    }

    /** The cursor of the unit's last entry so far; null when it has none. */
    private String lastCursor() throws CliException {
        Process p = journalctl(List.of("-n", "1"));
        String last = null;
        try (BufferedReader lines = reader(p.getInputStream())) {
            String line;
            while ((line = lines.readLine()) != null) {
                Entry entry = Entry.parse(line);
                if (entry != null) {
                    last = entry.cursor;
                }
            }
            p.waitFor();
        } catch (IOException e) {
            throw new CliException("Failed to read the journal: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while reading the journal", e);
        }
        return last;
    }

    private void follow() throws CliException {
        process = journalctl(afterCursor(List.of("--follow")));
        reader = new Thread(() -> copy(process.getInputStream()), "jcontainer-journal");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code options} plus where to begin: after the cursor, or the unit's first entry when it had none. */
    private List<String> afterCursor(List<String> options) {
        List<String> all = new ArrayList<>(options);
        synchronized (printLock) {
            all.add(cursor == null ? "--no-tail" : "--after-cursor=" + cursor);
        }
        return all;
    }

    /** Prints the message of each entry read from {@code json} but the one at the cursor (printed already). */
    private void copy(InputStream json) {
        try (BufferedReader lines = reader(json)) {
            String line;
            while ((line = lines.readLine()) != null) {
                Entry entry = Entry.parse(line);
                if (entry == null) {
                    continue;
                }
                synchronized (printLock) {
                    if (entry.cursor.equals(cursor)) {
                        continue;
                    }
                    out.print(entry.message);
                    out.print('\n');
                    out.flush();
                    cursor = entry.cursor;
                }
            }
        } catch (IOException e) {
            // journalctl was stopped: finish() prints the rest
        }
    }

    private Process journalctl(List<String> options) throws CliException {
        List<String> command = new ArrayList<>(List.of(HostProgram.JOURNALCTL.command(), "--output=json", "--output-fields=MESSAGE",
                "--all", "--quiet", "--no-pager"));
        command.addAll(selection);
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = builder.start();
            ChildProcess.pump(p.getErrorStream(), err); // its own complaints: no access, a corrupt file
            return p;
        } catch (IOException e) {
            throw new CliException("Failed to run 'journalctl': " + ContainerFiles.reason(e), e);
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** One line of {@code journalctl -o json}: the entry's cursor and its message as text. */
    static final class Entry {
        final String cursor;
        final String message;
        /** {@code __REALTIME_TIMESTAMP}: microseconds since the epoch; -1 when the entry has none. */
        final long realtimeMicros;

        private Entry(String cursor, String message, long realtimeMicros) {
            this.cursor = cursor;
            this.message = message;
            this.realtimeMicros = realtimeMicros;
        }

        /**
         * The entry on one line of JSON; null for anything else (a line cut short when journalctl was stopped). A
         * message that is not valid UTF-8 comes as an array of bytes, decoded here with replacement characters;
         * one without a MESSAGE field is an empty line.
         */
        static Entry parse(String line) {
            if (!line.startsWith("{")) {
                return null;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                return null;
            }
            JsonNode cursor = node.get("__CURSOR");
            if (cursor == null || !cursor.isTextual()) {
                return null;
            }
            JsonNode message = node.get("MESSAGE");
            String text;
            if (message == null || message.isNull()) {
                text = "";
            } else if (message.isArray()) {
                byte[] bytes = new byte[message.size()];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) message.get(i).asInt();
                }
                text = new String(bytes, StandardCharsets.UTF_8);
            } else {
                text = message.asText();
            }
            JsonNode realtime = node.get("__REALTIME_TIMESTAMP");
            long micros = -1;
            if (realtime != null) {
                try {
                    micros = Long.parseLong(realtime.asText());
                } catch (NumberFormatException e) {
                    // journalctl writes it as a decimal string; anything else counts as absent
                }
            }
            return new Entry(cursor.asText(), text, micros);
        }
    }
}
