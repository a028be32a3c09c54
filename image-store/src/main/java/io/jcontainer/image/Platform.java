package io.jcontainer.image;

import java.util.Objects;

/** An OS/architecture[/variant] pair as in an image index; {@link #DEFAULT} is linux/amd64. */
public record Platform(String os, String architecture, String variant) {
    public static final Platform DEFAULT = new Platform("linux", "amd64", null);

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        if (variant != null && variant.isEmpty()) {
            variant = null;
        }
    }

    /** Parses {@code os/arch} or {@code os/arch/variant}, as {@code --platform} takes it. */
    public static Platform parse(String text) throws ImageStoreException {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new ImageStoreException("Invalid platform '" + text + "': expected 'os/arch[/variant]', refusing.");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** Whether an index entry for {@code other} runs here: os and arch equal, variant equal when this one names one. */
    public boolean matches(Platform other) {
        return other != null && os.equals(other.os) && architecture.equals(other.architecture)
                && (variant == null || variant.equals(other.variant));
    }

    @Override
    public String toString() {
        return os + '/' + architecture + (variant == null ? "" : '/' + variant);
    }
}
