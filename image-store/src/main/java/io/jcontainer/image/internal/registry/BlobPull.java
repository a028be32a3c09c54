package io.jcontainer.image.internal.registry;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.store.FsUtil;
import io.jcontainer.image.registry.PullProgress;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/NAME/blobs/DIGEST} into a {@link BlobStore}, verified by digest and size while it streams
 * ({@link BlobStore#put} with the expected descriptor), resumable.
 *
 * <p>What arrives is also appended to {@code PARTIAL_DIR/pull-HEX.partial}. A dropped connection is resumed
 * with {@code Range: bytes=N-} within this call ({@link #MAX_ATTEMPTS} tries in a row without progress); a pull that failed or was
 * killed leaves the partial file, and the next pull of the blob sends it first and asks only for the rest. A
 * registry that ignores Range (200, not 206) is read from 0 again. The partial file is locked while in use (two
 * pulls of one blob, in one or two processes, take turns) and removed once the blob is stored (or found stored
 * already, by the pull it waited for) or found corrupt:
 * a resumed download that fails verification is retried once from 0, since the old partial may be at fault.
 */
public final class BlobPull {
    public static final int MAX_ATTEMPTS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Map<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();

    private final RegistryHttp http;
    private final ImageReference image;
    private final Descriptor blob;
    private final Path partialDir;
    private final PullProgress progress;

    public BlobPull(RegistryHttp http, ImageReference image, Descriptor blob, Path partialDir, PullProgress progress) {
        this.http = http;
        this.image = image;
        this.blob = blob;
        this.partialDir = partialDir;
        this.progress = progress;
    }

    public String description() {
        return "pull blob " + blob.digest() + " for '" + image + "'";
    }

    /** Where a partial download of {@code digest} is kept between attempts and pulls. */
    public static Path partialFile(Path partialDir, Digest digest) {
        return partialDir.resolve("pull-" + digest.hex() + ".partial");
    }

    /** Downloads the blob into {@code target} (nothing when it is there already) and returns its descriptor. */
    public Descriptor call(BlobStore target) throws RegistryException {
        return call(target, null);
    }

    /**
     * As {@link #call(BlobStore)}, but nothing is downloaded either when {@code elsewhere} has the blob once the
     * partial file's lock is ours (a concurrent pull of the same image staged it and moved it there).
     */
    public Descriptor call(BlobStore target, BlobStore elsewhere) throws RegistryException {
        Path partial = partialFile(partialDir, blob.digest());
        synchronized (IN_PROCESS.computeIfAbsent(partial, p -> new Object())) {
            try {
                Files.createDirectories(partialDir);
            } catch (IOException e) {
                throw failure("cannot create '" + partialDir + "': " + FsUtil.describe(e), e);
            }
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); FileLock lock = file.lock()) {
                Descriptor present = present(target, elsewhere);
                if (present != null) {
                    Files.deleteIfExists(partial); // ours while locked; an empty one if we just created it
                    return present;
                }
                for (int round = 0; ; round++) {
                    long have = file.size();
                    if (have > blob.size()) {
                        file.truncate(0);
                        have = 0;
                    }
                    ResumingStream in = new ResumingStream(file, have);
                    try {
                        Descriptor stored = target.put(in, blob);
                        Files.deleteIfExists(partial);
                        progress.blobDone(blob);
                        return stored;
                    } catch (RegistryException e) {
                        throw e; // the network gave up: the partial file stays for the next pull
                    } catch (ImageStoreException e) {
                        if (!in.delivered) {
                            throw failure(e.getMessage(), e); // the store failed (disk full): keep the partial
                        }
                        file.truncate(0);
                        if (round == 0 && in.prefix > 0) {
                            continue; // the partial of an earlier pull may be what is wrong
                        }
                        Files.deleteIfExists(partial);
                        throw failure(lowerFirst(e.getMessage()), e);
                    } finally {
                        in.closeNetwork();
                    }
                }
            } catch (RegistryException e) {
                throw e;
            } catch (IOException e) {
                throw failure("'" + partial + "': " + FsUtil.describe(e), e);
            }
        }
    }

    /** The blob's descriptor if {@code target} or {@code elsewhere} has it already (its size checked), else null. */
    private Descriptor present(BlobStore target, BlobStore elsewhere) throws ImageStoreException {
        if (target.contains(blob.digest())) {
            try {
                return target.put(InputStream.nullInputStream(), blob); // checks the size; a no-op otherwise
            } catch (ImageStoreException e) {
                // A concurrent pull of the same image (same staging dir) may have moved it into elsewhere between
                // the two looks: a rename, so it is in one of the two at every instant.
                if (elsewhere == null || !elsewhere.contains(blob.digest())) {
                    throw e;
                }
            }
        }
        if (elsewhere != null && elsewhere.contains(blob.digest())) {
            progress.blobSkipped(blob);
            return elsewhere.put(InputStream.nullInputStream(), blob);
        }
        return null;
    }

    private RegistryException failure(String why, Throwable cause) {
        return new RegistryException("Failed to " + description() + ": " + why, 0, cause);
    }

    private static String lowerFirst(String s) {
        return s == null || s.isEmpty() ? "" + s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    /** A transient answer (5xx, 429): worth another attempt. */
    private static final class TransientException extends IOException {
        private static final long serialVersionUID = 1L;

        TransientException(String message) {
            super(message);
        }
    }

    /**
     * The blob as one stream: first the bytes of the partial file, then the network, whose bytes are appended to
     * the partial file as they pass; a failed connection is reopened at the current offset. Delivers exactly
     * {@code blob.size()} bytes or throws {@link RegistryException}.
     */
    private final class ResumingStream extends InputStream {
        private final FileChannel file;
        /** Bytes of the partial file from before this stream (an earlier attempt or pull). */
        long prefix;
        private long position;
        private InputStream network;
        /** Connection attempts since the last one that brought bytes. */
        private int attempts;
        private long connectedAt;
        /** Whether the whole {@code blob.size()} went to the reader, so a failure after is the content's fault. */
        boolean delivered;

        ResumingStream(FileChannel file, long prefix) throws IOException {
            this.file = file;
            this.prefix = prefix;
            progress.blobStarted(blob, prefix);
            if (prefix < blob.size()) {
                connect(prefix);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position < prefix) {
                int n = file.read(ByteBuffer.wrap(buf, off, (int) Math.min(len, prefix - position)), position);
                if (n < 0) {
                    throw failure("'" + partialFile(partialDir, blob.digest()) + "' shrank while in use", null);
                }
                position += n;
                return n;
            }
            if (position >= blob.size()) {
                delivered = true;
                return -1;
            }
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw failure("cancelled", null);
                }
                int n;
                try {
                    n = network.read(buf, off, (int) Math.min(len, blob.size() - position));
                } catch (IOException e) {
                    if (Thread.currentThread().isInterrupted() || e instanceof InterruptedIOException) {
                        throw failure("cancelled", e);
                    }
                    reconnect(http.describe(e), e);
                    continue;
                }
                if (n < 0) {
                    reconnect("connection closed after " + position + " of " + blob.size() + " bytes", null);
                    continue;
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, off, n);
                long at = position;
                while (bb.hasRemaining()) {
                    at += file.write(bb, at);
                }
                position += n;
                progress.blobProgress(blob, position);
                return n;
            }
        }

        private void reconnect(String reason, Throwable cause) throws RegistryException {
            closeNetwork();
            if (position > connectedAt) {
                attempts = 0; // it got somewhere: a flaky network gets as many tries as the blob needs
            }
            if (attempts >= MAX_ATTEMPTS) {
                throw failure(reason + " (after " + attempts + " attempts)", cause);
            }
            progress.blobResumed(blob, position, reason);
            connect(position);
        }

        /** Opens the network at {@code offset}, retrying transient failures; {@link #MAX_ATTEMPTS} without progress end it. */
        private void connect(long offset) throws RegistryException {
            while (true) {
                attempts++;
                try {
                    network = open(offset);
                    connectedAt = offset;
                    return;
                } catch (RegistryException e) {
                    throw e;
                } catch (IOException e) {
                    if (attempts >= MAX_ATTEMPTS || e instanceof InterruptedIOException) {
                        throw failure((e instanceof TransientException ? e.getMessage() : http.describe(e))
                                + " (after " + attempts + " attempts)", e);
                    }
                    try {
                        Thread.sleep(200L * attempts);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw failure("cancelled", ie);
                    }
                }
            }
        }

        private InputStream open(long offset) throws IOException {
            Map<String, String> headers = new HashMap<>();
            headers.put("Accept", "*/*");
            if (offset > 0) {
                headers.put("Range", "bytes=" + offset + "-");
            }
            HttpResponse<InputStream> r = http.send("GET", "/v2/" + image.repository() + "/blobs/" + blob.digest(), headers,
                    RegistryHttp.pullScope(image.repository()));
            int status = r.statusCode();
            if (status >= 500 || status == 429 || status == 408) {
                throw new TransientException(RegistryHttp.describe(r));
            }
            if (status == 206 && offset > 0) {
                String range = r.headers().firstValue("Content-Range").orElse("");
                Matcher m = CONTENT_RANGE.matcher(range.trim());
                if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                    RegistryHttp.closeQuietly(r);
                    throw failure("asked for bytes " + offset + "- but got Content-Range '" + range + "', refusing.", null);
                }
                if (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != blob.size()) {
                    RegistryHttp.closeQuietly(r);
                    throw failure("the registry has " + m.group(3) + " bytes but the descriptor says " + blob.size()
                            + ", refusing.", null);
                }
                return http.body(r);
            }
            if (status != 200) {
                throw new RegistryException("Failed to " + description() + ": " + RegistryHttp.describe(r), status, null);
            }
            String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(blob.digest().toString()).trim();
            if (!claimed.equals(blob.digest().toString())) {
                RegistryHttp.closeQuietly(r);
                throw failure("the registry says its content is " + claimed + ", refusing.", null);
            }
            long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length >= 0 && length != blob.size()) {
                RegistryHttp.closeQuietly(r);
                throw failure("the registry sends " + length + " bytes but the descriptor says " + blob.size() + ", refusing.", null);
            }
            InputStream body = http.body(r);
            if (offset > 0) {
                if (position == 0) {
                    // nothing of the old partial went out yet: start over from 0, as the registry does
                    file.truncate(0);
                    prefix = 0;
                } else {
                    // Range ignored mid-stream: what the reader has is in the partial file; skip it in the body
                    long skip = offset;
                    while (skip > 0) {
                        long s = body.skip(skip);
                        if (s <= 0) {
                            if (body.read() < 0) {
                                throw new java.io.EOFException("connection closed while skipping to " + offset);
                            }
                            s = 1;
                        }
                        skip -= s;
                    }
                }
            }
            return body;
        }

        void closeNetwork() {
            if (network != null) {
                try {
                    network.close();
                } catch (IOException ignored) {
                    // dropped either way
                }
                network = null;
            }
        }

        @Override
        public void close() {
            closeNetwork();
        }
    }
}
