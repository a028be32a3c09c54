package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real journal file in a test's directory, for {@code journalctl --directory}: entries are written by
 * {@code systemd-journal-remote} (journal files from the export format, without journald, which this build machine
 * does not run).
 */
final class TestJournal {
    static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final String BOOT_ID = "0123456789abcdef0123456789abcdef";

    private final Path journal;

    TestJournal(Path dir) {
        this.journal = dir.resolve("remote.journal");
    }

    /** Skips the test where systemd-journal-remote is missing; fails it under CI=true. */
    static void assumeInstalled() {
        if (!Files.isExecutable(JOURNAL_REMOTE)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + JOURNAL_REMOTE + " is missing: scripts/setup-deps installs it");
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, JOURNAL_REMOTE + " is not installed");
        }
    }

    /** One entry of {@code unit} with {@code message}, written now. */
    void append(String unit, byte[] message) throws Exception {
        append(unit, message, System.currentTimeMillis() * 1000);
    }

    /** One entry of {@code unit} with {@code message} at {@code realtimeMicros} (binary-safe export format). */
    void append(String unit, byte[] message, long realtimeMicros) throws Exception {
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        export.write(("__REALTIME_TIMESTAMP=" + realtimeMicros + "\n__MONOTONIC_TIMESTAMP=" + System.nanoTime() / 1000
                + "\n_BOOT_ID=" + BOOT_ID + "\n_SYSTEMD_UNIT=" + unit + "\nMESSAGE\n").getBytes(StandardCharsets.UTF_8));
        export.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(message.length).array());
        export.write(message);
        export.write("\n\n".getBytes(StandardCharsets.UTF_8));
        Process p = new ProcessBuilder(JOURNAL_REMOTE.toString(), "--output=" + journal, "-")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            export.writeTo(in);
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("systemd-journal-remote failed: " + said);
        }
    }
}
