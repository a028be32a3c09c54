package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.ImageSummary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An IMAGE argument resolved against the store, as docker resolves one: a name ({@code busybox},
 * {@code example.org/web:1.2}, {@code web@sha256:...}) first, else an image ID or a unique prefix of one
 * ({@code 3f57d9401f8d}, {@code sha256:3f57...}).
 *
 * @param text   what the user typed, for messages
 * @param image  the image, its reference being the name typed or, for an ID, its first name
 * @param byId   whether the text was an ID rather than a name
 */
record ImageArgument(String text, Image image, boolean byId) {
    private static final Pattern ID = Pattern.compile("(?:sha256:)?([0-9a-f]{1,64})");
    private static final String NO_SUCH_IMAGE = "No such image";

    static ImageArgument resolve(ImageStore store, String text) throws CliException, ImageStoreException {
        ImageStoreException byName;
        try {
            return new ImageArgument(text, store.inspect(ImageReference.parse(text)), false);
        } catch (ImageStoreException e) {
            byName = e;
        }
        var id = ID.matcher(text);
        if (id.matches()) {
            Set<Digest> found = new LinkedHashSet<>();
            ImageReference first = null;
            for (ImageSummary s : store.list()) {
                if (s.manifestDigest().hex().startsWith(id.group(1)) && found.add(s.manifestDigest()) && first == null) {
                    first = s.reference();
                }
            }
            if (found.size() > 1) {
                throw new CliException("Image ID '" + text + "' is ambiguous: it starts " + found.size()
                        + " images' IDs, refusing.");
            }
            if (first != null) {
                return new ImageArgument(text, store.inspect(first), true);
            }
        }
        if (byName.getMessage() != null && byName.getMessage().startsWith(NO_SUCH_IMAGE)) {
            throw new CliException(NO_SUCH_IMAGE + " '" + text + "'.");
        }
        throw byName; // an invalid name or a damaged store: the store's own words
    }

    /** Every name of this image's manifest in the store (tags of other repositories too). */
    List<ImageReference> allNames(ImageStore store) throws ImageStoreException {
        List<ImageReference> out = new ArrayList<>();
        for (ImageSummary s : store.list()) {
            if (s.manifestDigest().equals(image.manifestDigest())) {
                out.add(s.reference());
            }
        }
        return out;
    }
}
