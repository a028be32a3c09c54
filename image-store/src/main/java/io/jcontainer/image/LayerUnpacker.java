package io.jcontainer.image;

import io.jcontainer.image.internal.layer.DecompressingReader;
import io.jcontainer.image.internal.layer.TarEntry;
import io.jcontainer.image.internal.layer.TarEntryApplier;
import io.jcontainer.image.internal.layer.TarReader;
import io.jcontainer.image.internal.store.DigestingInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Applies one layer (tar, tar+gzip or tar+zstd) to a directory, as the OCI image-spec layer section says:
 * whiteouts become overlayfs whiteouts, hostile entries are refused (see {@code TarEntryApplier}).
 *
 * <p>The directory is meant to be one overlayfs lowerdir; the store unpacks into a temporary directory and
 * renames it when this returns, so a failed or killed unpack is never visible.
 */
public final class LayerUnpacker {
    private static final int BUFFER = 256 * 1024;

    private LayerUnpacker() {
    }

    /**
     * Unpacks {@code layer} into {@code dir} (which must exist) and returns the DiffID: the sha256 of the
     * uncompressed tar stream, read to its end.
     */
    public static Digest unpack(InputStream layer, MediaType.Compression compression, Path dir) throws ImageStoreException {
        try {
            InputStream raw = decompress(new BufferedInputStream(layer, BUFFER), compression);
            DigestingInputStream tar = new DigestingInputStream(raw);
            // Decompression and both digests on a thread of their own, the file system work on this one.
            try (DecompressingReader pipe = new DecompressingReader(tar, "unpack " + dir.getFileName())) {
                TarReader reader = new TarReader(pipe);
                TarEntryApplier applier = new TarEntryApplier(dir);
                TarEntry entry;
                while ((entry = reader.next()) != null) {
                    try {
                        applier.apply(entry, reader.content());
                    } catch (ImageStoreException | ZipException | EOFException e) {
                        throw e; // named already, or the stream's fault (below)
                    } catch (IOException e) {
                        // a full disk, a quota, EIO: the entry it happened at, in one line
                        throw new ImageStoreException("Failed to write layer entry '" + entry.unsafePath() + "': " + describe(e), e);
                    }
                }
                applier.finish();
                pipe.finish(); // the DiffID covers the end-of-archive blocks and any padding after them
            }
            return tar.digest();
        } catch (ImageStoreException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            throw new ImageStoreException("Truncated or corrupt " + compression.name().toLowerCase() + " layer data ("
                    + e.getMessage() + "), refusing.", e);
        } catch (IOException e) {
            throw new ImageStoreException("Failed to unpack layer into '" + dir + "': " + describe(e), e);
        }
    }

    /** Wraps a layer stream in its decompressor. */
    public static InputStream decompress(InputStream in, MediaType.Compression compression) throws IOException {
        return switch (compression) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case ZSTD -> new ZstdCompressorInputStream(in);
        };
    }

    /** Guesses a tarball's compression from its magic bytes (for rootfs tarballs and docker archives). */
    public static MediaType.Compression sniff(Path file) throws ImageStoreException {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                return MediaType.Compression.GZIP;
            }
            if (n == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                    && (magic[3] & 0xff) == 0xfd) {
                return MediaType.Compression.ZSTD;
            }
            return MediaType.Compression.NONE;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read '" + file + "': " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        return io.jcontainer.image.internal.store.FsUtil.describe(e);
    }
}
