package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.io.PrintStream;

/** Push progress as plain lines, one per event and none per chunk: what a log or a pipe wants. */
public final class PlainPushProgress implements PushProgress {
    private final PrintStream out;

    public PlainPushProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(ImageReference source, ImageReference target, int blobs) {
        out.println("Pushing " + source + " to " + target + " (" + blobs + " blobs)");
    }

    @Override
    public synchronized void blobExists(Descriptor blob) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": already in the registry");
    }

    @Override
    public synchronized void blobMounted(Descriptor blob, String fromRepository) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": mounted from " + fromRepository);
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": uploading " + PullProgress.humanSize(blob.size()));
    }

    @Override
    public synchronized void blobDone(Descriptor blob) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": done");
    }

    @Override
    public synchronized void finished(ImageReference target, Digest manifestDigest) {
        out.println("Pushed " + target + " (" + manifestDigest + ")");
        out.flush();
    }
}
