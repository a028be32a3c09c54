package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The two renderers: plain lines for pipes, lines redrawn in place (ANSI) for a terminal. */
class PullProgressTest {
    private static final Descriptor A = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(new byte[] {1}), 2_500_000);
    private static final Descriptor B = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(new byte[] {2}), 800);

    @Test
    void plainPrintsOneLinePerEventAndNoneForChunks() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PullProgress p = PullProgress.plain(new PrintStream(out, true, StandardCharsets.UTF_8));
        p.blobStarted(A, 0);
        p.blobProgress(A, 1000);
        p.blobResumed(A, 1_200_000, "connection reset");
        p.blobDone(A);
        p.blobSkipped(B);
        String a = PullProgress.shortDigest(A.digest());
        assertEquals("Blob " + a + ": downloading 2.5 MB\n"
                + "Blob " + a + ": connection reset, resuming at 1.2 MB\n"
                + "Blob " + a + ": done\n"
                + "Blob " + PullProgress.shortDigest(B.digest()) + ": already present\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void terminalRedrawsEachBlobOnItsOwnLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PullProgress p = PullProgress.terminal(new PrintStream(out, true, StandardCharsets.UTF_8));
        p.blobStarted(A, 0);
        p.blobStarted(B, 0);
        p.blobDone(A); // two lines up from the cursor
        String s = out.toString(StandardCharsets.UTF_8);
        String[] lines = s.split("\n", -1);
        assertEquals(3, lines.length, s);
        assertTrue(lines[2].startsWith("\033[2A\r\033[2K" + PullProgress.shortDigest(A.digest()) + "  Done 2.5 MB\033[2B\r"), s);
        assertTrue(lines[0].contains("Downloading [>"), s);
    }

    @Test
    void sizesReadLikeSkopeos() {
        assertEquals("999 B", PullProgress.humanSize(999));
        assertEquals("1.0 kB", PullProgress.humanSize(1000));
        assertEquals("42 MB", PullProgress.humanSize(42_000_000));
    }
}
