package io.jcontainer.jnspawn.internal.rootfs;

import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import io.jcontainer.jnspawn.LaunchException;
import io.jcontainer.jnspawn.LaunchPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Read-only questions about a container's root as its layers define it, asked from the host
 * before the container exists: which file a path names, and whether a mount target is safe.
 */
public final class RootFs {
    private final List<Path> searchOrder;

    public RootFs(LaunchPlan.Root root) {
        this.searchOrder = root.searchOrder();
    }

    /** The host path of the top-most layer's {@code path} (absolute in the container), if any. */
    public Optional<Path> find(String path) {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        for (Path layer : searchOrder) {
            Path p = layer.resolve(rel);
            if (PlanInputs.existsNoFollow(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code path} is a regular file (following no symlink) in the container's root. */
    public boolean isFile(String path) {
        Optional<Path> p = find(path);
        return p.isPresent() && PlanInputs.isRegularFileNoFollow(p.get());
    }

    /** Lines of a text file of the root, or an empty list when it has none. */
    public List<String> readLines(String path) throws LaunchException {
        Optional<Path> p = find(path);
        if (!isFile(path)) {
            return List.of();
        }
        try {
            return PlanInputs.readAllLines(p.get());
        } catch (IOException e) {
            throw new LaunchException("Failed to read " + p.get() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a mount target whose path passes through a symlink of the image.
     *
     * <p>Mounts are made from the host's view before pivot_root, so a symlink in the image (say
     * {@code /mnt -> /etc}) would send the mount to the host's {@code /etc}. nspawn resolves such
     * links inside the root; we refuse them, which is simpler and loses nothing a sane image needs.
     */
    public void checkMountTarget(String target) throws LaunchException {
        String rel = target.startsWith("/") ? target.substring(1) : target;
        if (rel.isEmpty()) {
            return;
        }
        StringBuilder prefix = new StringBuilder();
        for (String component : rel.split("/")) {
            if (component.isEmpty()) {
                continue;
            }
            if (component.equals("..") || component.equals(".")) {
                throw new LaunchException("Mount target '" + target + "' contains '" + component + "', refusing.");
            }
            prefix.append('/').append(component);
            for (Path layer : searchOrder) {
                Path p = layer.resolve(prefix.substring(1));
                if (PlanInputs.isSymbolicLink(p)) {
                    throw new LaunchException("Mount target '" + target + "' passes through symlink '" + prefix
                            + "' of the container's root, refusing.");
                }
                if (PlanInputs.existsNoFollow(p)) {
                    break; // the top-most layer that has it decides
                }
            }
        }
    }
}
