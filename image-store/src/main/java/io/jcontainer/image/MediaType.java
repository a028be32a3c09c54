package io.jcontainer.image;

import java.util.Objects;
import java.util.Optional;

/**
 * A media type of a manifest, index, config or layer, with the constants of the OCI image spec and
 * Docker's image manifest v2 schema 2.
 */
public record MediaType(String value) {
    public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
    public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
    public static final MediaType OCI_CONFIG = new MediaType("application/vnd.oci.image.config.v1+json");
    public static final MediaType OCI_LAYER_TAR = new MediaType("application/vnd.oci.image.layer.v1.tar");
    public static final MediaType OCI_LAYER_GZIP = new MediaType("application/vnd.oci.image.layer.v1.tar+gzip");
    public static final MediaType OCI_LAYER_ZSTD = new MediaType("application/vnd.oci.image.layer.v1.tar+zstd");
    /** Deprecated by the OCI spec but still found in old images; the content is the same tar. */
    public static final MediaType OCI_NONDIST_TAR = new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar");
    public static final MediaType OCI_NONDIST_GZIP = new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
    public static final MediaType OCI_NONDIST_ZSTD = new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    public static final MediaType DOCKER_MANIFEST = new MediaType("application/vnd.docker.distribution.manifest.v2+json");
    public static final MediaType DOCKER_MANIFEST_LIST = new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
    public static final MediaType DOCKER_CONFIG = new MediaType("application/vnd.docker.container.image.v1+json");
    public static final MediaType DOCKER_LAYER_GZIP = new MediaType("application/vnd.docker.image.rootfs.diff.tar.gzip");
    public static final MediaType DOCKER_FOREIGN_LAYER_GZIP = new MediaType("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    public static final MediaType OCTET_STREAM = new MediaType("application/octet-stream");

    /** How a layer blob is compressed. */
    public enum Compression { NONE, GZIP, ZSTD }

    public MediaType {
        Objects.requireNonNull(value, "value");
    }

    public boolean isManifest() {
        return equals(OCI_MANIFEST) || equals(DOCKER_MANIFEST);
    }

    public boolean isIndex() {
        return equals(OCI_INDEX) || equals(DOCKER_MANIFEST_LIST);
    }

    public boolean isConfig() {
        return equals(OCI_CONFIG) || equals(DOCKER_CONFIG);
    }

    /** The compression of a layer of this type, or empty when this is not a layer type the store knows. */
    public Optional<Compression> layerCompression() {
        if (equals(OCI_LAYER_TAR) || equals(OCI_NONDIST_TAR)) {
            return Optional.of(Compression.NONE);
        }
        if (equals(OCI_LAYER_GZIP) || equals(OCI_NONDIST_GZIP) || equals(DOCKER_LAYER_GZIP) || equals(DOCKER_FOREIGN_LAYER_GZIP)) {
            return Optional.of(Compression.GZIP);
        }
        if (equals(OCI_LAYER_ZSTD) || equals(OCI_NONDIST_ZSTD)) {
            return Optional.of(Compression.ZSTD);
        }
        return Optional.empty();
    }

    /** The OCI layer type for a compression. */
    public static MediaType ociLayer(Compression compression) {
        return switch (compression) {
            case NONE -> OCI_LAYER_TAR;
            case GZIP -> OCI_LAYER_GZIP;
            case ZSTD -> OCI_LAYER_ZSTD;
        };
    }

    @Override
    public String toString() {
        return value;
    }
}
