package io.jcontainer.image.registry;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.MediaType;

/**
 * A manifest or index as the registry sent it: the exact bytes (what the digest covers), their verified
 * digest and the media type the registry declared.
 */
public record PulledManifest(byte[] bytes, Digest digest, MediaType mediaType) {
    /** A descriptor of these bytes, for {@code BlobStore.put}. */
    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, bytes.length);
    }
}
