package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Manifest;
import java.io.PrintStream;

/**
 * What a pull reports while it runs. Blob callbacks come from the download threads, concurrently for different
 * blobs; implementations synchronize. Every method has an empty default.
 */
public interface PullProgress {
    /** Reports nothing. */
    PullProgress NONE = new PullProgress() {
    };

    /** The manifest to pull is known (after platform selection). */
    default void resolved(ImageReference image, Digest manifestDigest, Manifest manifest) {
    }

    /** The blob is in the store already; nothing is downloaded. */
    default void blobSkipped(Descriptor blob) {
    }

    /** A download starts; {@code offset} > 0 when it resumes a partial file of an earlier pull. */
    default void blobStarted(Descriptor blob, long offset) {
    }

    /** {@code bytes} of {@code blob.size()} are in; called often, renderers throttle. */
    default void blobProgress(Descriptor blob, long bytes) {
    }

    /** The connection dropped (or the registry failed) and the download goes on from {@code offset}. */
    default void blobResumed(Descriptor blob, long offset, String reason) {
    }

    /** The blob is downloaded and verified. */
    default void blobDone(Descriptor blob) {
    }

    /** The image is in the store under its name. */
    default void finished(Image image) {
    }

    /** Plain lines, one per event: for logs and pipes. */
    static PullProgress plain(PrintStream out) {
        return new PlainPullProgress(out);
    }

    /** One line per blob, redrawn in place: for a terminal. */
    static PullProgress terminal(PrintStream out) {
        return new TerminalPullProgress(out);
    }

    /** {@link #terminal} when this process has a console, else {@link #plain}. */
    static PullProgress forConsole(PrintStream out) {
        return System.console() != null ? terminal(out) : plain(out);
    }

    /** {@code 1.5 MB}: sizes as people read them (decimal units, as registries and skopeo print them). */
    static String humanSize(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** The first 12 hex digits of a digest, as {@code docker pull} shows layers. */
    static String shortDigest(Digest d) {
        return d.hex().substring(0, 12);
    }
}
