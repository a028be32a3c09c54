package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The build cache: {@code ROOT/build-cache/KEYHEX} holds the manifest digest of the image a step made, the key
 * being the sha256 of the parent image's manifest digest (which covers its ChainID and config), the instruction
 * and what it depends on (ARG values, the content of copied files). An entry whose image gc has collected is a miss.
 */
final class BuildCache {
    private final ImageStore store;
    private final Path dir;

    BuildCache(ImageStore store) {
        this.store = store;
        this.dir = store.root().resolve("build-cache");
    }

    static Digest key(Image parent, String text) {
        String p = parent == null ? "scratch" : parent.manifestDigest().toString();
        return Digest.sha256((p + "\n" + text).getBytes(StandardCharsets.UTF_8));
    }

    Optional<Image> lookup(Digest key) throws ImageStoreException {
        String text;
        try {
            text = Files.readString(dir.resolve(key.hex()), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // an unreadable entry is a miss; the step runs again
        }
        Digest manifest;
        try {
            manifest = Digest.parse(text);
        } catch (ImageStoreException | RuntimeException e) {
            return Optional.empty();
        }
        return store.inspect(manifest);
    }

    /** Records a step's image: a temporary file renamed over the entry. */
    void put(Digest key, Digest manifest) throws CliException {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tmp-", "");
            Files.writeString(tmp, manifest + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(key.hex()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException("Failed to write the build cache in '" + dir + "': " + ContainerFiles.reason(e), e);
        }
    }
}
