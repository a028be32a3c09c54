package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code logs --since/--until/--timestamps}: the times are checked before anything runs, and what they become is
 * run by the real journalctl over a real journal file (written by systemd-journal-remote, {@link TestJournal}).
 */
class LogsOptionsTest {
    private static final String UNIT = "jcontainer@web.service";
    /** 2026-12-08T10:00:00Z, 10:30 and 11:00, in microseconds. */
    private static final long TEN = 1_796_724_000L * 1_000_000;
    private static final long HALF_PAST = TEN + 1_800L * 1_000_000;
    private static final long ELEVEN = TEN + 3_600L * 1_000_000;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10m|-10m", "1h 30min|-1h 30min", "yesterday|yesterday", "-1h|-1h", "2 days ago|2 days ago",
        "@1765000000|@1765000000", "2026-12-08 10:00|2026-12-08 10:00", "2026-12-08 10:00:00 UTC|2026-12-08 10:00:00 UTC",
        "2026-12-08|2026-12-08", "10:30|10:30", "+5min|+5min", "now|now"})
    void takesJournalctlsFormsAndDockersDurations(String given, String passed) throws Exception {
        assertEquals(passed, JournalTime.argument("--since", given));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "10 parsecs", "2026-12-08x", "--output=export", "1h;rm"})
    void refusesAnythingElseInOneLine(String given) {
        CliException e = assertThrows(CliException.class, () -> JournalTime.argument("--until", given));
        assertTrue(e.getMessage().startsWith("Invalid --until '" + given + "': expected a time as journalctl takes it"),
                e.getMessage());
    }

    @Test
    void aBadTimeIsOneLineBeforeTheContainerIsLookedFor() {
        var outcome = new Jcontainer(tmp).run("logs", "--since", "soon", "nosuch");

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().startsWith("jcontainer: Invalid --since 'soon':"), outcome.err());
    }

    @Test
    void sinceUntilAndTimestampsSelectAndStampTheEntries() throws Exception {
        TestJournal.assumeInstalled();
        TestJournal journal = new TestJournal(tmp);
        journal.append(UNIT, text("at ten"), TEN);
        journal.append("jcontainer@other.service", text("not ours"), HALF_PAST);
        journal.append(UNIT, text("half past"), HALF_PAST + 250);
        journal.append(UNIT, text("at eleven"), ELEVEN);
        LogsCommand logs = new LogsCommand();
        logs.since = "@" + (HALF_PAST / 1_000_000 - 1);
        logs.until = "@" + (ELEVEN / 1_000_000 - 1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int status = TimestampedJournal.print(List.of("--directory=" + tmp), UNIT, logs.options(), new PrintWriter(out),
                new PrintWriter(err));

        assertEquals(0, status, err.toString());
        assertEquals("2026-12-08T10:30:00.000250Z half past\n", out.toString(), err.toString());
    }

    @Test
    void aMessageThatIsNotTextIsStampedToo() {
        JournalFollower.Entry entry = JournalFollower.Entry.parse(
                "{\"__CURSOR\":\"c\",\"__REALTIME_TIMESTAMP\":\"" + TEN + "\",\"MESSAGE\":[104,255,105]}");
        assertEquals("2026-12-08T10:00:00.000000Z h\uFFFDi", TimestampedJournal.line(entry));
        assertEquals("- x", TimestampedJournal.line(JournalFollower.Entry.parse("{\"__CURSOR\":\"c\",\"MESSAGE\":\"x\"}")));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
