package io.jcontainer.image.internal.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream to its end on a thread of its own and hands its bytes over in chunks: the reading
 * side (gunzip, the layer's DiffID SHA-256, the blob's SHA-256) runs on one CPU while the caller, the
 * tar applier, spends its time in file-creating syscalls on the other.
 *
 * <p>In the unpack profile (docs/benchmarks-history.md, "Follow-up") the file-creating syscalls and the
 * reading side (zlib, SHA-256) are each a large share; this overlaps them when a CPU is free, and saves
 * no CPU (on a saturated machine it measured the same as before). The thread always reads
 * {@code source} to its end, even after the caller has seen the end of the archive, so that whatever
 * digest the source computes covers the whole stream; {@link #finish} waits for that and rethrows its failure. {@link #close}
 * without {@code finish} (the caller failed) stops the thread.
 */
public final class DecompressingReader extends InputStream {
    private static final int CHUNK = 256 * 1024;
    /** 4 MiB in flight at most. */
    private static final int DEPTH = 16;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] data, int length) {
    }

    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(DEPTH);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean stopped;
    private byte[] current;
    private int currentLength;
    private int pos;
    private boolean eof;

    public DecompressingReader(InputStream source, String name) {
        thread = new Thread(() -> pump(source), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(InputStream source) {
        try {
            while (!stopped) {
                byte[] chunk = new byte[CHUNK];
                int n = source.readNBytes(chunk, 0, CHUNK);
                if (n == 0) {
                    break;
                }
                queue.put(new Chunk(chunk, n));
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || pos == currentLength) {
            if (eof) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, currentLength - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            if (current == null || pos == currentLength) {
                if (eof) {
                    break;
                }
                next();
                continue;
            }
            int step = (int) Math.min(n - done, currentLength - pos);
            pos += step;
            done += step;
        }
        return done;
    }

    private void next() throws IOException {
        try {
            Chunk chunk = queue.take();
            if (chunk == END) {
                eof = true;
                current = null;
                rethrow();
                return;
            }
            current = chunk.data();
            currentLength = chunk.length();
            pos = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while unpacking");
        }
    }

    /** Waits until the source was read to its end; rethrows what reading it threw. */
    public void finish() throws IOException {
        while (!eof) {
            current = null;
            next();
        }
        join();
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable t = failure;
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IOException(t);
        }
    }

    private void join() throws InterruptedIOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while unpacking");
        }
    }

    /** Stops the reading thread (if {@link #finish} was not reached) and waits for it. */
    @Override
    public void close() throws IOException {
        if (thread.isAlive()) {
            stopped = true;
            // unblock a producer waiting for room; it sees stopped after at most one more chunk
            while (thread.isAlive()) {
                queue.clear();
                try {
                    thread.join(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }
}
