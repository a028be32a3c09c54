package io.jcontainer.image;

import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor: media type, digest and size; platform and annotations where an index gives them.
 *
 * @param platform null unless this descriptor is an index entry that names one
 */
public record Descriptor(MediaType mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + digest);
        }
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(MediaType mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of());
    }

    /** The same descriptor with other annotations. */
    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, platform, newAnnotations);
    }
}
