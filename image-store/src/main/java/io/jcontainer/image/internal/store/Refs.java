package io.jcontainer.image.internal.store;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Image names to manifest digests: one file per reference under {@code ROOT/refs/}, named by the URL-encoded
 * reference and holding the digest; replaced atomically (write a temp file, rename over).
 */
public final class Refs {
    private final Path dir;

    public Refs(Path dir) {
        this.dir = dir;
    }

    public void put(ImageReference ref, Digest manifest) throws ImageStoreException {
        Path target = file(ref);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.writeString(tmp, manifest + "\n");
            // Readable by every member of the store's group whatever the writer's umask.
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            FsUtil.fsyncDirectory(dir);
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
            throw new ImageStoreException("Failed to write ref '" + target + "': " + FsUtil.describe(e), e);
        }
    }

    /** The manifest digest of {@code ref}, or null. */
    public Digest get(ImageReference ref) throws ImageStoreException {
        Path f = file(ref);
        try {
            // Not through a symlink a member of group jcontainer planted, and no more than a digest's worth.
            if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageStoreException("Ref '" + f + "' is not a regular file, refusing.");
            }
            try (java.io.InputStream in = Files.newInputStream(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return Digest.parse(new String(in.readNBytes(256), StandardCharsets.UTF_8).strip());
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (ImageStoreException e) {
            throw new ImageStoreException("Corrupt ref '" + f + "': " + e.getMessage());
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read ref '" + f + "': " + FsUtil.describe(e), e);
        }
    }

    public boolean remove(ImageReference ref) throws ImageStoreException {
        try {
            boolean removed = Files.deleteIfExists(file(ref));
            if (removed) {
                FsUtil.fsyncDirectory(dir);
            }
            return removed;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to remove ref '" + file(ref) + "': " + FsUtil.describe(e), e);
        }
    }

    public Map<ImageReference, Digest> all() throws ImageStoreException {
        Map<ImageReference, Digest> out = new TreeMap<>(java.util.Comparator.comparing(ImageReference::toString));
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                ImageReference ref = ImageReference.parse(URLDecoder.decode(name, StandardCharsets.UTF_8));
                Digest d = get(ref);
                if (d != null) {
                    out.put(ref, d);
                }
            }
        } catch (IOException e) {
            throw new ImageStoreException("Failed to list '" + dir + "': " + FsUtil.describe(e), e);
        }
        return out;
    }

    /** The file that holds {@code ref}'s digest (present or not). */
    public Path file(ImageReference ref) {
        return dir.resolve(URLEncoder.encode(ref.toString(), StandardCharsets.UTF_8));
    }
}
