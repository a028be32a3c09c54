package io.jcontainer.image.internal.store;

import io.jcontainer.image.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Counts and sha256-hashes every byte written through it: a blob's digest known the moment it is written. */
public class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest sha = Digest.newSha256();
    private long count;

    public DigestingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        sha.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        sha.update(b, off, len);
        count += len;
    }

    public long count() {
        return count;
    }

    /** The digest of what was written so far; call once, after the last write. */
    public Digest digest() {
        return new Digest(Digest.SHA256, java.util.HexFormat.of().formatHex(sha.digest()));
    }
}
