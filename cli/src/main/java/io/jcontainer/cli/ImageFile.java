package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Platform;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.PolicyCheck;
import io.jcontainer.image.trust.TrustException;
import io.jcontainer.image.trust.Verification;
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
    static ImageArgument importForRun(Host host, ImageStore store, String text, boolean insecure, PrintWriter err)
            throws CliException, ImageStoreException {
        Path file = Path.of(text);
        ImageSource src = ImageSource.detect(file);
        Verification verified = verify(host, src, insecure, err);
        Image image = switch (src.kind()) {
            case ACI -> {
                AciImport.Result aci = AciImport.importChecked(store, file, insecure ? null : policy(host));
                verified = aci.verified();
                yield aci.image();
            }
            case DOCKER_ARCHIVE -> store.importDockerArchive(file, null);
            case OCI_LAYOUT_TAR, OCI_LAYOUT_DIRECTORY -> {
                if (src.suggestedName() == null) {
                    throw new CliException("'" + text + "' is " + src.kind().description + " that names no image: "
                            + "'jcontainer import --name NAME' it, then run NAME.");
                }
                yield store.importOciLayout(file, ImageReference.parse(src.suggestedName()), Platform.DEFAULT);
            }
            case CONTAINERS_DIR, ROOTFS_TARBALL, DIRECTORY -> throw new CliException("'" + text + "' is " + src.kind().description
                    + ", not an image: 'jcontainer import --name NAME' it, then run NAME.");
        };
        if (verified != null) {
            verified.write(store.root(), image.manifestDigest());
        }
        return new ImageArgument(text, image, true);
    }

    /**
     * The one place where an image file is verified before it is run, as {@code jcontainer import} verifies it: an
     * OCI archive or a {@code docker save} tar by the trust policy's local transport for its kind (oci-archive,
     * docker-archive), an ACI by the keys trusted for its name against its {@code .asc} ({@link AciImport}, which
     * checks the copy it imports, so this returns null for an ACI). {@code --insecure-options=image} skips the
     * policy for this one run, and the output says the image is unverified. Returns what accepted the file, or null.
     */
    static Verification verify(Host host, ImageSource src, boolean insecure, PrintWriter err) throws CliException {
        if (insecure) {
            err.println("jcontainer: warning: running '" + src.path() + "' unverified (--insecure-options=image).");
            err.flush();
            return null;
        }
        String transport = switch (src.kind()) {
            case OCI_LAYOUT_TAR -> "oci-archive";
            case OCI_LAYOUT_DIRECTORY -> "oci";
            case DOCKER_ARCHIVE -> "docker-archive";
            default -> null; // an ACI: AciImport; the others are not runnable as a file: importForRun says so
        };
        if (transport == null) {
            return null;
        }
        try {
            return PolicyCheck.checkLocal(policy(host), transport, src.path(), null, null, null);
        } catch (TrustException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    private static Policy policy(Host host) throws CliException {
        try {
            return Policy.readOrBuiltIn(host.policyPath());
        } catch (TrustException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
