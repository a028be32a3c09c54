package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Manifest;
import java.io.PrintStream;

/** Progress as plain lines, one per event and none per chunk: what a log or a pipe wants. */
public final class PlainPullProgress implements PullProgress {
    private final PrintStream out;

    public PlainPullProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void resolved(ImageReference image, Digest manifestDigest, Manifest manifest) {
        out.println("Pulling " + image + " (" + manifestDigest + ", " + manifest.layers().size() + " layers)");
    }

    @Override
    public synchronized void blobSkipped(Descriptor blob) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": already present");
    }

    @Override
    public synchronized void blobStarted(Descriptor blob, long offset) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": downloading " + PullProgress.humanSize(blob.size())
                + (offset > 0 ? " (resuming at " + PullProgress.humanSize(offset) + ")" : ""));
    }

    @Override
    public synchronized void blobResumed(Descriptor blob, long offset, String reason) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": " + reason + ", resuming at "
                + PullProgress.humanSize(offset));
    }

    @Override
    public synchronized void blobDone(Descriptor blob) {
        out.println("Blob " + PullProgress.shortDigest(blob.digest()) + ": done");
    }

    @Override
    public synchronized void finished(Image image) {
        out.println("Pulled " + image.reference() + " (" + image.manifestDigest() + ")");
        out.flush();
    }
}
