package io.jcontainer.jnspawn.settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A tmpfs mounted in the container, as systemd-nspawn's {@code --tmpfs=PATH[:OPTIONS]}
 * (tmpfs_mount_parse() in src/nspawn/nspawn-mount.c).
 *
 * @param target  where in the container, absolute and normalized
 * @param options the mount options passed to the kernel as they are
 */
public record TmpfsSpec(Path target, String options) {

    /** nspawn's default: without a mode, a tmpfs root would be 1777 like /tmp. */
    public static final String DEFAULT_OPTIONS = "mode=0755";

    public TmpfsSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
    }

    /**
     * Parses {@code PATH[:OPTIONS]}; options default to {@value #DEFAULT_OPTIONS}. A backslash
     * escapes a colon in PATH.
     *
     * @throws SettingsException {@code Invalid tmpfs 'tmp': path must be an absolute path}
     */
    public static TmpfsSpec parse(String spec) throws SettingsException {
        List<String> fields = BindSpec.splitEscaped("tmpfs", spec, 2);
        Path target = PathRules.absolute("tmpfs", spec, "path", fields.get(0));
        String options = fields.size() > 1 && !fields.get(1).isEmpty() ? fields.get(1) : DEFAULT_OPTIONS;
        return new TmpfsSpec(target, options);
    }

    /** The spec in nspawn syntax, {@code PATH:OPTIONS}. */
    @Override
    public String toString() {
        return BindSpec.escape(target) + ':' + options;
    }
}
