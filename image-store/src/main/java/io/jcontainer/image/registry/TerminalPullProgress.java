package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Manifest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Progress on a terminal: one line per blob, redrawn in place as bytes arrive. Blobs download in parallel, so a
 * line other than the last is reached by moving the cursor up (ANSI CUU), rewritten after {@code \r} and
 * erase-line, and the cursor moved back down; redraws of one blob are throttled to {@link #REDRAW_NANOS}.
 */
public final class TerminalPullProgress implements PullProgress {
    static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintStream out;
    private final List<Digest> lines = new ArrayList<>();
    private final Map<Digest, Long> lastDraw = new HashMap<>();

    public TerminalPullProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void resolved(ImageReference image, Digest manifestDigest, Manifest manifest) {
        out.println("Pulling " + image + " (" + manifestDigest + ")");
    }

    @Override
    public synchronized void blobSkipped(Descriptor blob) {
        draw(blob.digest(), PullProgress.shortDigest(blob.digest()) + "  Already present");
    }

    @Override
    public synchronized void blobStarted(Descriptor blob, long offset) {
        draw(blob.digest(), line(blob, offset, "Downloading"));
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytes) {
        long now = System.nanoTime();
        Long last = lastDraw.get(blob.digest());
        if (last != null && now - last < REDRAW_NANOS && bytes < blob.size()) {
            return;
        }
        lastDraw.put(blob.digest(), now);
        draw(blob.digest(), line(blob, bytes, "Downloading"));
    }

    @Override
    public synchronized void blobResumed(Descriptor blob, long offset, String reason) {
        draw(blob.digest(), line(blob, offset, "Resuming   "));
    }

    @Override
    public synchronized void blobDone(Descriptor blob) {
        draw(blob.digest(), PullProgress.shortDigest(blob.digest()) + "  Done " + PullProgress.humanSize(blob.size()));
    }

    @Override
    public synchronized void finished(Image image) {
        out.println("Pulled " + image.reference() + " (" + image.manifestDigest() + ")");
        out.flush();
    }

    private static String line(Descriptor blob, long bytes, String what) {
        long total = Math.max(1, blob.size());
        int filled = (int) Math.min(BAR, bytes * BAR / total);
        return PullProgress.shortDigest(blob.digest()) + "  " + what + " [" + "=".repeat(filled)
                + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "") + "] "
                + PullProgress.humanSize(bytes) + " / " + PullProgress.humanSize(blob.size());
    }

    private void draw(Digest d, String text) {
        int index = lines.indexOf(d);
        if (index < 0) {
            lines.add(d);
            out.print(text + "\n");
        } else {
            int up = lines.size() - index;
            out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
        }
        out.flush();
    }
}
