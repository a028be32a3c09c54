package io.jcontainer.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image index or Docker manifest list: manifests per platform (or per tag, in an OCI layout). */
public record ImageIndex(MediaType mediaType, List<Descriptor> manifests, Map<String, String> annotations) {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public ImageIndex {
        manifests = List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * The entry for {@code platform}: the first manifest or index whose platform matches; an entry without a
     * platform is taken only when it is the only one (single-image indexes, OCI layouts).
     */
    public Optional<Descriptor> select(Platform platform) {
        for (Descriptor d : manifests) {
            if (d.platform() != null && platform.matches(d.platform())) {
                return Optional.of(d);
            }
        }
        if (manifests.size() == 1 && manifests.get(0).platform() == null) {
            return Optional.of(manifests.get(0));
        }
        return Optional.empty();
    }
}
