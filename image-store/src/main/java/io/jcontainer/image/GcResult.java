package io.jcontainer.image;

import java.util.List;

/** What {@link ImageStore#gc} removed. */
public record GcResult(List<Digest> removedBlobs, List<Digest> removedLayers, long bytesFreed) {
}
