package io.jcontainer.image;

import java.util.ArrayList;
import java.util.List;

/**
 * An image in the store: its name, manifest, config and the ChainID of each layer.
 *
 * <p>ChainIDs follow the OCI image spec ("Layer ChainID"): chain(L1) = diffid(L1),
 * chain(Ln) = sha256(chain(Ln-1) + " " + diffid(Ln)). An unpacked layer is keyed by its ChainID.
 */
public record Image(ImageReference reference, Digest manifestDigest, Manifest manifest, ImageConfig config) {
    public Image {
        if (manifest.layers().size() != config.diffIds().size()) {
            throw new IllegalArgumentException("layers and diff_ids differ in count");
        }
    }

    /** The ChainIDs of the layers, bottom first. */
    public List<Digest> chainIds() {
        return chainIds(config.diffIds());
    }

    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>();
        Digest chain = null;
        for (Digest diffId : diffIds) {
            chain = chain == null ? diffId
                    : Digest.sha256((chain + " " + diffId).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.add(chain);
        }
        return out;
    }

    /** Entrypoint, Cmd, Env, WorkingDir, User, StopSignal, ExposedPorts from the config. */
    public ImageConfig.Defaults defaults() {
        return config.defaults();
    }

    /** The sum of the compressed layer sizes and the config size. */
    public long size() {
        return config().diffIds().isEmpty() ? manifest.config().size()
                : manifest.layers().stream().mapToLong(Descriptor::size).sum() + manifest.config().size();
    }
}
