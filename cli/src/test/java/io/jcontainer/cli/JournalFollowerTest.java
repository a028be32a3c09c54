package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JournalFollower} against a real journal: the entries are written by {@code systemd-journal-remote} (which
 * writes journal files from the export format without journald, which this build machine does not run) into a
 * directory that {@code journalctl --directory} reads, as it reads the system's journal under systemd.
 */
class JournalFollowerTest {
    private static final String UNIT = "jcontainer@follow.service";

    @TempDir
    Path dir;
    private TestJournal journal;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void needsJournalRemote() {
        TestJournal.assumeInstalled();
        journal = new TestJournal(dir);
    }

    @Test
    void printsEachMessageOfTheUnitWrittenAfterItsStartOnceInOrder() throws Exception {
        append(UNIT, text("from an earlier run"));
        JournalFollower follower = start();
        append(UNIT, text("one"));
        append("jcontainer@other.service", text("not ours"));
        awaitOutput("one\n");
        append(UNIT, text("two"));
        append(UNIT, "bin\u0001ary".getBytes(StandardCharsets.UTF_8));
        follower.finish();
        assertEquals("one\ntwo\nbin\u0001ary\n", out.toString(), "stderr: " + err);
    }

    @Test
    void anEntryWrittenBeforeTheFollowerRunsIsPrinted() throws Exception {
        // journalctl --follow shows the current boot only (here: the journal's last), so the journal has one.
        append("jcontainer@other.service", text("not ours"));
        JournalFollower follower = start();
        // journalctl has barely been started: a follower that began at the journal's tail once it got going
        // (-n 0) could count this line as old.
        append(UNIT, text("early"));
        awaitOutput("early\n");
        follower.finish();
        assertEquals("early\n", out.toString(), "stderr: " + err);
    }

    @Test
    void finishPrintsWhatTheFollowerDidNotPrint() throws Exception {
        append(UNIT, text("old"));
        JournalFollower follower = start();
        append(UNIT, text("seen live"));
        awaitOutput("seen live\n");
        // The live journalctl gone before it printed the last lines, as when it is stopped with output unflushed.
        follower.process().destroy();
        follower.process().waitFor(10, TimeUnit.SECONDS);
        append(UNIT, text("last words"));
        append(UNIT, text("really last"));
        follower.finish();
        assertEquals("seen live\nlast words\nreally last\n", out.toString(), "stderr: " + err);
    }

    @Test
    void aUnitWithoutEntriesBeforeItsStartShowsAllOfItsEntries() throws Exception {
        append("jcontainer@other.service", text("not ours"));
        JournalFollower follower = start();
        follower.process().destroy();
        append(UNIT, text("first ever"));
        follower.finish();
        assertEquals("first ever\n", out.toString(), "stderr: " + err);
    }

    @Test
    void parsesJournalctlJsonLines() {
        JournalFollower.Entry text = JournalFollower.Entry.parse("{\"__CURSOR\":\"s=1;i=2\",\"MESSAGE\":\"hi\"}");
        assertEquals("s=1;i=2", text.cursor);
        assertEquals("hi", text.message);
        JournalFollower.Entry bytes = JournalFollower.Entry.parse("{\"__CURSOR\":\"c\",\"MESSAGE\":[104,255,105]}");
        assertEquals("h\uFFFDi", bytes.message);
        assertEquals("", JournalFollower.Entry.parse("{\"__CURSOR\":\"c\",\"MESSAGE\":null}").message);
        assertNull(JournalFollower.Entry.parse("{\"__CURSOR\":\"c\",\"MESS"), "a line cut short");
        assertNull(JournalFollower.Entry.parse("{\"MESSAGE\":\"no cursor\"}"));
        assertNull(JournalFollower.Entry.parse("-- No entries --"));
    }

    private JournalFollower start() throws CliException {
        return JournalFollower.start(List.of("--directory=" + dir), UNIT, new PrintWriter(out), new PrintWriter(err));
    }

    private void awaitOutput(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!out.toString().equals(expected)) {
            if (System.nanoTime() > deadline) {
                fail("follower printed '" + out + "', expected '" + expected + "'; stderr: " + err);
            }
            Thread.sleep(20);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void append(String unit, byte[] message) throws Exception {
        journal.append(unit, message);
    }
}
