package io.jcontainer.jnspawn.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A bind mount of a host path into the container, as systemd-nspawn's
 * {@code --bind=SRC[:DST[:OPTIONS]]} and {@code --bind-ro=} (bind_mount_parse() in
 * src/nspawn/nspawn-mount.c).
 *
 * @param source    the host path, absolute and normalized
 * @param target    the path inside the container, absolute and normalized
 * @param readOnly  whether the mount is read-only ({@code --bind-ro}, {@code BindReadOnly=})
 * @param recursive whether submounts of the source come along ({@code rbind}, the default) or not
 *                  ({@code norbind})
 */
public record BindSpec(Path source, Path target, boolean readOnly, boolean recursive) {

    public BindSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    /**
     * Parses {@code SRC[:DST[:OPTIONS]]}. DST defaults to SRC; OPTIONS is a comma list of
     * {@code rbind} and {@code norbind} (the last wins). A backslash escapes the next character,
     * so {@code \:} puts a colon into a path, as in nspawn. Unlike nspawn, an empty SRC (nspawn: a
     * temporary directory) and a {@code +} prefix (nspawn: relative to the container) are refused.
     *
     * @throws SettingsException {@code Invalid bind 'foo': source must be an absolute path}
     */
    public static BindSpec parse(String spec, boolean readOnly) throws SettingsException {
        List<String> fields = splitEscaped("bind", spec, 3);
        String source = fields.get(0);
        if (source.isEmpty()) {
            throw SettingsException.invalid("bind", spec, "source must not be empty");
        }
        Path src = PathRules.absolute("bind", spec, "source", source);
        Path dst = fields.size() > 1 ? PathRules.absolute("bind", spec, "destination", fields.get(1)) : src;
        boolean recursive = true;
        if (fields.size() > 2) {
            for (String option : fields.get(2).split(",")) {
                switch (option) {
                    case "rbind" -> recursive = true;
                    case "norbind" -> recursive = false;
                    case "" -> { }
                    default -> throw SettingsException.invalid("bind", spec,
                            "unknown option " + SettingsException.quote(option) + ", expected rbind or norbind");
                }
            }
        }
        return new BindSpec(src, dst, readOnly, recursive);
    }

    /**
     * Splits on unescaped colons into at most {@code max} fields; the last field is kept raw, the
     * others have their backslash escapes removed.
     */
    static List<String> splitEscaped(String what, String spec, int max) throws SettingsException {
        List<String> fields = new ArrayList<>(max);
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < spec.length()) {
            if (fields.size() == max - 1) {
                field.append(spec, i, spec.length());
                break;
            }
            char c = spec.charAt(i++);
            if (c == '\\') {
                if (i == spec.length()) {
                    throw SettingsException.invalid(what, spec, "trailing backslash");
                }
                field.append(spec.charAt(i++));
            } else if (c == ':') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    /** Escapes a path for {@link #splitEscaped}. */
    static String escape(Path path) {
        return path.toString().replace("\\", "\\\\").replace(":", "\\:");
    }

    /** The spec in nspawn syntax, {@code SRC:DST} plus {@code :norbind}; read-only is not part of it. */
    @Override
    public String toString() {
        return escape(source) + ':' + escape(target) + (recursive ? "" : ":norbind");
    }
}
