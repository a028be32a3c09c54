package io.jcontainer.image;

/** One line of {@code jcontainer images}: a name, its manifest digest and its size in the store. */
public record ImageSummary(ImageReference reference, Digest manifestDigest, long size, String created) {
}
