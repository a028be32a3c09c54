package io.jcontainer.image;

import java.util.List;
import java.util.Objects;

/** An image manifest (OCI, or Docker v2 schema 2): a config and the layers, bottom first. */
public record Manifest(MediaType mediaType, Descriptor config, List<Descriptor> layers) {
    /** overlayfs stacks at most about 500 lowerdirs; anything near this is hostile. */
    public static final int MAX_LAYERS = 4096;

    public Manifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
    }
}
