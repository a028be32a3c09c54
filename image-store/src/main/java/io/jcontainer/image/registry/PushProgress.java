package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.io.PrintStream;

/**
 * What a push reports while it runs ({@link ImagePusher}). Blob callbacks come from the upload threads,
 * concurrently for different blobs; implementations synchronize. Every method has an empty default.
 */
public interface PushProgress {
    /** Reports nothing. */
    PushProgress NONE = new PushProgress() {
    };

    /** The push starts: {@code blobs} (config and layers) and then the manifest go to {@code target}. */
    default void started(ImageReference source, ImageReference target, int blobs) {
    }

    /** The registry has the blob in the target repository already; nothing is sent. */
    default void blobExists(Descriptor blob) {
    }

    /** The registry mounted the blob from another of its repositories; nothing is sent. */
    default void blobMounted(Descriptor blob, String fromRepository) {
    }

    /** An upload starts. */
    default void blobStarted(Descriptor blob) {
    }

    /** {@code bytes} of {@code blob.size()} are sent; called often, renderers throttle. */
    default void blobProgress(Descriptor blob, long bytes) {
    }

    /** The registry has the blob and agrees on its digest. */
    default void blobDone(Descriptor blob) {
    }

    /** The manifest is stored under the target name. */
    default void finished(ImageReference target, Digest manifestDigest) {
    }

    /** Plain lines, one per event: for logs and pipes. */
    static PushProgress plain(PrintStream out) {
        return new PlainPushProgress(out);
    }

    /** One line per blob, redrawn in place: for a terminal. */
    static PushProgress terminal(PrintStream out) {
        return new TerminalPushProgress(out);
    }

    /** {@link #terminal} when this process has a console, else {@link #plain}. */
    static PushProgress forConsole(PrintStream out) {
        return System.console() != null ? terminal(out) : plain(out);
    }
}
