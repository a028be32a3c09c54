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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
    private static final Set<PosixFilePermission> BLOB_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

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
            // Readable by every member of the store's group whatever the writer's umask; nobody's to write.
            Files.setPosixFilePermissions(tmp, BLOB_PERMISSIONS);
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
            // Not through a symlink, and nothing but a regular file: in a store that group jcontainer may write
            // (polkit/README.md), a member could plant a link to a file of root's, a FIFO or a device.
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                throw new ImageStoreException("Blob '" + file + "' is " + (attrs.isSymbolicLink() ? "a symbolic link" : "not a regular file")
                        + ", refusing.");
            }
            raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (ImageStoreException e) {
            throw e;
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
     * import's CPU when every layer blob was hashed twice (docs/benchmarks-history.md).
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
            // At most maxBytes + 1, whatever the size said: the file may have grown since.
            byte[] b = in.readNBytes(maxBytes + 1);
            if (b.length > maxBytes) {
                throw new ImageStoreException("Blob " + digest + " is more than the " + maxBytes + " bytes allowed, refusing.");
            }
            in.transferTo(OutputStream.nullOutputStream()); // at the end: the digest is checked
            return b;
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read blob " + digest + ": " + FsUtil.describe(e), e);
        }
    }

    /**
     * Whether others than this store's owner may write its blob directory: group {@code jcontainer}'s store
     * (polkit/README.md, "Images"), whose blobs a member may have written, and may rewrite or replace.
     */
    public boolean writableByOthers() {
        return FsUtil.writableByOthers(blobDir);
    }

    /**
     * Opens a private, verified copy of a blob: the blob is copied into {@code privateDir} (a directory only this
     * process's user may write, on any file system) while its digest is computed, and the copy is opened only if
     * the digest matches. What the stream yields can no longer change: root unpacks a layer of a store that group
     * members write from such a copy, so that a member who rewrites a blob cannot make root unpack anything but
     * what the digest names. The copy is removed when the stream is closed.
     */
    public InputStream openVerifiedCopy(Digest digest, Path privateDir) throws ImageStoreException {
        Path copy = privateDir.resolve("tmp-blob-" + UUID.randomUUID());
        boolean ok = false;
        try {
            try (InputStream in = open(digest);
                 FileChannel ch = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                in.transferTo(out); // open's stream checks the digest at the end and throws on a mismatch
            }
            InputStream verified = Files.newInputStream(copy, LinkOption.NOFOLLOW_LINKS);
            ok = true;
            return new java.io.FilterInputStream(verified) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        FsUtil.deleteQuietly(copy);
                    }
                }
            };
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to copy blob " + digest + " into '" + privateDir + "': " + FsUtil.describe(e), e);
        } finally {
            if (!ok) {
                FsUtil.deleteQuietly(copy);
            }
        }
    }

    /** The size of a stored blob. */
    public long sizeOf(Digest digest) throws ImageStoreException {
        try {
            return Files.readAttributes(path(digest), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
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
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && !writableByOthers()) {
                Files.deleteIfExists(source);
            } else {
                // In a store group members write, the verified copy replaces what is there: that may have been
                // rewritten, or be a symlink.
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
