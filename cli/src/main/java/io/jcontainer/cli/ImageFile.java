package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Platform;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * An IMAGE argument of {@code run} that is a file, as rkt runs one ({@code rkt run ./hello.aci}): an ACI, an OCI
 * archive or a {@code docker save} tar, imported into the store under the name it carries, then run as that image.
 * A path is told from a name by its look: it starts with {@code /}, {@code ./} or {@code ../}, or ends in {@code .aci}.
 */
final class ImageFile {
    /** rkt's {@code --insecure-options} value that accepts an unverified image file. */
    static final String INSECURE_IMAGE = "image";

    private ImageFile() {
    }

    static boolean isPath(String text) {
        return text.startsWith("/") || text.startsWith("./") || text.startsWith("../") || text.endsWith(".aci");
    }

    /** Verifies and imports the file {@code text}; the result names the imported image. */
    static ImageArgument importForRun(ImageStore store, String text, boolean insecure, PrintWriter err)
            throws CliException, ImageStoreException {
        Path file = Path.of(text);
        ImageSource src = ImageSource.detect(file);
        verify(src, insecure, err);
        Image image = switch (src.kind()) {
            case ACI -> AciArchive.importAci(store, file);
            case DOCKER_ARCHIVE -> store.importDockerArchive(file, null);
            case OCI_LAYOUT_TAR, OCI_LAYOUT_DIRECTORY -> {
                if (src.suggestedName() == null) {
                    throw new CliException("'" + text + "' is " + src.kind().description + " that names no image: "
                            + "'jcontainer import --name NAME' it, then run NAME.");
                }
                yield store.importOciLayout(file, ImageReference.parse(src.suggestedName()), Platform.DEFAULT);
            }
            case ROOTFS_TARBALL, DIRECTORY -> throw new CliException("'" + text + "' is " + src.kind().description
                    + ", not an image: 'jcontainer import --name NAME' it, then run NAME.");
        };
        return new ImageArgument(text, image, true);
    }

    /**
     * The one place where an image file is verified before it is run. Signature verification of files belongs to
     * the trust policy (policy.json), which is not there yet: until it is, a file runs only with
     * {@code --insecure-options=image}, and the output says it is unverified.
     */
    static void verify(ImageSource src, boolean insecure, PrintWriter err) throws CliException {
        if (!insecure) {
            throw new CliException("Cannot verify '" + src.path() + "': verification of image files (the trust "
                    + "policy) is not implemented yet; --insecure-options=image runs it unverified, refusing.");
        }
        err.println("jcontainer: warning: running '" + src.path() + "' unverified (--insecure-options=image).");
        err.flush();
    }
}
