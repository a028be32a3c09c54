package io.jcontainer.image;

/**
 * A layer this program wrote into the blob store ({@link ImageStore#writeLayer}), not yet part of an image.
 *
 * @param blob   the compressed layer's descriptor (tar+gzip)
 * @param diffId the sha256 of the uncompressed tar, for {@code rootfs.diff_ids}
 */
public record NewLayer(Descriptor blob, Digest diffId) {
}
