package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.trust.AciCheck;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.TrustException;
import io.jcontainer.image.trust.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * An ACI entering the store, for {@code import} and {@code run ./app.aci}: copied into the store's scratch
 * directory first, so that the bytes verified are the bytes imported (the user's file may change meanwhile); its
 * manifest's name selects the keys ({@link AciCheck}); the {@code .asc} beside the user's file is checked against
 * the copy; then the copy is imported. A refusal imports nothing.
 */
final class AciImport {
    private AciImport() {
    }

    /** The image imported and what accepted it (null when {@code policy} is null: unverified, as asked). */
    record Result(Image image, Verification verified) {
    }

    static Result importChecked(ImageStore store, Path file, Policy policy) throws CliException, ImageStoreException {
        Path copy = store.scratchDir().resolve("aci-" + UUID.randomUUID() + ".aci");
        try {
            try {
                Files.copy(file, copy);
            } catch (IOException e) {
                throw new CliException("Failed to read the ACI '" + file + "': " + e.getMessage(), e);
            }
            Verification verified = null;
            if (policy != null) {
                ImageReference name = AciManifest.read(AciArchive.manifest(copy, file), file.toString()).name();
                try {
                    verified = AciCheck.check(policy, name, file, copy, AciCheck.signatureOf(file), Instant.now());
                } catch (TrustException e) {
                    throw new CliException(e.getMessage(), e);
                }
            }
            return new Result(AciArchive.importAci(store, copy, file), verified);
        } finally {
            ImageBuild.deleteQuietly(copy);
        }
    }
}
