package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Push progress on a terminal: one line per blob, redrawn in place, as {@link TerminalPullProgress} draws a pull. */
public final class TerminalPushProgress implements PushProgress {
    private static final int BAR = 24;

    private final PrintStream out;
    private final List<Digest> lines = new ArrayList<>();
    private final Map<Digest, Long> lastDraw = new HashMap<>();

    public TerminalPushProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(ImageReference source, ImageReference target, int blobs) {
        out.println("Pushing " + source + " to " + target);
    }

    @Override
    public synchronized void blobExists(Descriptor blob) {
        draw(blob.digest(), PullProgress.shortDigest(blob.digest()) + "  Layer already exists");
    }

    @Override
    public synchronized void blobMounted(Descriptor blob, String fromRepository) {
        draw(blob.digest(), PullProgress.shortDigest(blob.digest()) + "  Mounted from " + fromRepository);
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        draw(blob.digest(), line(blob, 0));
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytes) {
        long now = System.nanoTime();
        Long last = lastDraw.get(blob.digest());
        if (last != null && now - last < TerminalPullProgress.REDRAW_NANOS && bytes < blob.size()) {
            return;
        }
        lastDraw.put(blob.digest(), now);
        draw(blob.digest(), line(blob, bytes));
    }

    @Override
    public synchronized void blobDone(Descriptor blob) {
        draw(blob.digest(), PullProgress.shortDigest(blob.digest()) + "  Pushed " + PullProgress.humanSize(blob.size()));
    }

    @Override
    public synchronized void finished(ImageReference target, Digest manifestDigest) {
        out.println("Pushed " + target + " (" + manifestDigest + ")");
        out.flush();
    }

    private static String line(Descriptor blob, long bytes) {
        long total = Math.max(1, blob.size());
        int filled = (int) Math.min(BAR, bytes * BAR / total);
        return PullProgress.shortDigest(blob.digest()) + "  Pushing [" + "=".repeat(filled)
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
