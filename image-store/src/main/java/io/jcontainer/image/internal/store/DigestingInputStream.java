package io.jcontainer.image.internal.store;

import io.jcontainer.image.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Counts and sha256-hashes every byte that passes through; {@link #digest()} once the stream is drained. */
public class DigestingInputStream extends FilterInputStream {
    private final MessageDigest sha = Digest.newSha256();
    private long count;
    private boolean eof;

    public DigestingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            atEof();
        } else {
            sha.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n < 0) {
            atEof();
        } else {
            sha.update(buf, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Called once when the underlying stream ends; subclasses verify here. */
    protected void atEof() throws IOException {
        eof = true;
    }

    /** Reads whatever is left, so that {@link #digest()} covers the whole stream. */
    public void drain() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // discard
        }
    }

    public boolean atEnd() {
        return eof;
    }

    public long count() {
        return count;
    }

    /** The digest of what was read so far; call once, after the end. */
    public Digest digest() {
        return Digest.ofSha256(sha.digest());
    }
}
