package io.jcontainer.image;

import io.jcontainer.image.internal.store.DigestingInputStream;
import io.jcontainer.image.internal.store.FsUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Content-addressed blobs under {@code ROOT/blobs/sha256/HEX}.
 *
 * <p>{@link #put} streams into {@code ROOT/tmp/}, hashing and counting as it goes, fsyncs, checks digest
 * and size against what the caller expected, and only then renames the file into place: a partial or
 * wrong blob is never visible under {@code blobs/}, and a crash leaves at most a file in {@code tmp/}
 * (removed by gc). Putting a blob that is already there is a no-op. {@link #open} verifies the digest again
 * while the blob is read back and fails loudly on a mismatch (Jib's {@code CacheStorageWriter}, pull-oci.c).
 */
public final class BlobStore {
    /** A manifest, index or config larger than this is refused before it is parsed. */
    public static final int MAX_METADATA_BYTES = 8 * 1024 * 1024;
    private static final int BUFFER = 128 * 1024;

    private final Path blobDir;
    private final Path tmpDir;

    /** A blob store whose blobs live in {@code root/blobs/sha256} and whose partial files live in {@code root/tmp}. */
    public BlobStore(Path root) {
        this.blobDir = root.resolve("blobs").resolve(Digest.SHA256);
        this.tmpDir = root.resolve("tmp");
    }

    /** Where the blob with this digest lives (whether or not it is there). */
    public Path path(Digest digest) {
        return blobDir.resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Stores what {@code in} yields, verifying it against {@code expected} (digest and size) when given.
     *
     * @param expected what the bytes must be, e.g. a manifest's layer descriptor; null to accept any content
     * @return the stored blob's descriptor (media type from {@code expected}, else application/octet-stream)
     * @throws ImageStoreException on a digest or size mismatch or a write failure; nothing is left behind
     */
    public Descriptor put(InputStream in, Descriptor expected) throws ImageStoreException {
        MediaType type = expected == null ? MediaType.OCTET_STREAM : expected.mediaType();
        if (expected != null && contains(expected.digest())) {
            long have = sizeOf(expected.digest());
            if (have != expected.size()) {
                throw new ImageStoreException("Blob " + expected.digest() + " is " + have + " bytes but its descriptor says "
                        + expected.size() + ", refusing.");
            }
            return new Descriptor(type, expected.digest(), have);
        }
        Path tmp = null;
        try {
            Files.createDirectories(tmpDir);
            Files.createDirectories(blobDir);
            tmp = tmpDir.resolve("blob-" + UUID.randomUUID() + ".partial");
            DigestingInputStream digesting = new DigestingInputStream(in);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buf = new byte[BUFFER];
                int n;
                while ((n = digesting.read(buf, 0, buf.length)) >= 0) {
                    out.write(buf, 0, n);
                    if (expected != null && digesting.count() > expected.size()) {
                        throw new ImageStoreException("Blob " + expected.digest() + " is larger than the " + expected.size()
                                + " bytes its descriptor says, refusing.");
                    }
                }
                ch.force(true);
            }
            Digest actual = digesting.digest();
            long size = digesting.count();
            if (expected != null) {
                if (size != expected.size()) {
                    throw new ImageStoreException("Blob " + expected.digest() + " is " + size + " bytes but its descriptor says "
                            + expected.size() + ", refusing.");
                }
                if (!actual.equals(expected.digest())) {
                    throw new ImageStoreException("Digest mismatch: expected " + expected.digest() + ", got " + actual + ", refusing.");
                }
            }
            Path target = path(actual);
            if (Files.isRegularFile(target)) {
                Files.delete(tmp);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                FsUtil.fsyncDirectory(blobDir);
            }
            tmp = null;
            return new Descriptor(type, actual, size);
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to store blob" + (expected == null ? "" : " " + expected.digest())
                    + " in '" + blobDir + "': " + FsUtil.describe(e), e);
        } finally {
            if (tmp != null) {
                FsUtil.deleteQuietly(tmp);
            }
        }
    }

    /** Stores {@code bytes} (a manifest or config this program wrote). */
    public Descriptor put(byte[] bytes, MediaType type) throws ImageStoreException {
        Descriptor expected = new Descriptor(type, Digest.sha256(bytes), bytes.length);
        return put(new java.io.ByteArrayInputStream(bytes), expected);
    }

    /**
     * Opens a blob for reading. The stream verifies the digest when it reaches the end and throws
     * {@link ImageStoreException} there if the file was changed; read it to the end before trusting it.
     */
    public InputStream open(Digest digest) throws ImageStoreException {
        Path file = path(digest);
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ImageStoreException("Blob " + digest + " is not in the store ('" + file + "' missing).");
        } catch (IOException e) {
            throw new ImageStoreException("Failed to open blob '" + file + "': " + FsUtil.describe(e), e);
        }
        return new DigestingInputStream(raw) {
            private boolean checked;

            @Override
            protected void atEof() throws IOException {
                super.atEof();
                if (!checked) {
                    checked = true;
                    Digest actual = digest();
                    if (!actual.equals(digest)) {
                        throw new ImageStoreException("Blob '" + file + "' is corrupt: its content has digest " + actual
                                + ", not " + digest + ", refusing.");
                    }
                }
            }
        };
    }

    /**
     * Opens a blob for reading without hashing it again: for a layer blob about to be unpacked, whose digest
     * {@link #put} verified when it entered the store (or the staging area of an import). The unpacker still
     * checks what matters for the layer's content, its DiffID, on the uncompressed stream; a blob changed on
     * disk since then fails that check or the decompressor. The SHA-256 of a 30 MB layer was 17 % of an
     * import's CPU when every layer blob was hashed twice (docs/benchmarks.md).
     */
    public InputStream openStored(Digest digest) throws ImageStoreException {
        Path file = path(digest);
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ImageStoreException("Blob " + digest + " is not in the store ('" + file + "' missing).");
        } catch (IOException e) {
            throw new ImageStoreException("Failed to open blob '" + file + "': " + FsUtil.describe(e), e);
        }
    }

    /** Reads a whole (small) blob, verified; refuses anything above {@code maxBytes}. */
    public byte[] read(Digest digest, int maxBytes) throws ImageStoreException {
        long size = sizeOf(digest);
        if (size > maxBytes) {
            throw new ImageStoreException("Blob " + digest + " is " + size + " bytes, more than the " + maxBytes + " allowed, refusing.");
        }
        try (InputStream in = open(digest)) {
            return in.readAllBytes();
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read blob " + digest + ": " + FsUtil.describe(e), e);
        }
    }

    /** The size of a stored blob. */
    public long sizeOf(Digest digest) throws ImageStoreException {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw new ImageStoreException("Blob " + digest + " is not in the store ('" + path(digest) + "' missing).");
        } catch (IOException e) {
            throw new ImageStoreException("Failed to stat blob '" + path(digest) + "': " + FsUtil.describe(e), e);
        }
    }

    /** Every blob in the store. */
    public Set<Digest> list() throws ImageStoreException {
        Set<Digest> out = new TreeSet<>(java.util.Comparator.comparing(Digest::hex));
        if (!Files.isDirectory(blobDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9a-f]{64}")) {
                    out.add(new Digest(Digest.SHA256, name));
                }
            }
        } catch (IOException e) {
            throw new ImageStoreException("Failed to list '" + blobDir + "': " + FsUtil.describe(e), e);
        }
        return out;
    }

    /** Removes a blob; callers hold the store's exclusive lock (see {@link ImageStore#gc}). */
    void delete(Digest digest) throws ImageStoreException {
        try {
            Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new ImageStoreException("Failed to remove blob '" + path(digest) + "': " + FsUtil.describe(e), e);
        }
    }

    /** Moves a blob from another store on the same file system into this one (idempotent). */
    void adopt(BlobStore from, Digest digest) throws ImageStoreException {
        Path source = from.path(digest);
        Path target = path(digest);
        try {
            Files.createDirectories(blobDir);
            if (Files.isRegularFile(target)) {
                Files.deleteIfExists(source);
            } else {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new ImageStoreException("Failed to move blob " + digest + " into '" + blobDir + "': " + FsUtil.describe(e), e);
        }
    }

    /** fsyncs the blob directory after {@link #adopt}. */
    void sync() throws ImageStoreException {
        try {
            if (Files.isDirectory(blobDir)) {
                FsUtil.fsyncDirectory(blobDir);
            }
        } catch (IOException e) {
            throw new ImageStoreException("Failed to sync '" + blobDir + "': " + FsUtil.describe(e), e);
        }
    }
}
