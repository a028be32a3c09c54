package io.jcontainer.image;

import java.nio.file.Path;

/** A container's overlayfs upperdir and workdir, under {@code ROOT/containers/NAME/}. */
public record ContainerDirs(Path upper, Path work) {
}
