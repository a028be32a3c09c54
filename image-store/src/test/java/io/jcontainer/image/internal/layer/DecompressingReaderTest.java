package io.jcontainer.image.internal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The unpacker's reading thread: every byte in order, the whole source read, failures passed on. */
class DecompressingReaderTest {

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void passesEveryByteInOrderAcrossChunks() throws IOException {
        byte[] data = randomBytes(5 * 256 * 1024 + 777); // several chunks and a partial one
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DecompressingReader r = new DecompressingReader(new ByteArrayInputStream(data), "test")) {
            byte[] header = new byte[512];
            int n;
            // small reads (tar headers), skips (padding) and single bytes, mixed
            assertEquals(512, r.read(header, 0, 512));
            out.write(header);
            out.write(r.read());
            assertEquals(1000, r.skip(1000));
            out.write(data, 513, 1000);
            byte[] buf = new byte[100_000];
            while ((n = r.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
            r.finish();
        }
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void finishReadsTheSourceToItsEnd() throws IOException {
        byte[] data = randomBytes(3 * 256 * 1024);
        AtomicLong consumed = new AtomicLong();
        InputStream source = new ByteArrayInputStream(data);
        InputStream counting = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("not used");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = source.read(b, off, len);
                if (n > 0) {
                    consumed.addAndGet(n);
                }
                return n;
            }
        };
        try (DecompressingReader r = new DecompressingReader(counting, "test")) {
            assertEquals(512, r.read(new byte[512], 0, 512)); // the caller stops early (end of archive)
            r.finish();
        }
        assertEquals(data.length, consumed.get()); // so a digest over the source covers all of it
    }

    @Test
    void rethrowsTheSourceFailureToTheReader() {
        IOException failure = new EOFException("Unexpected end of ZLIB input stream");
        InputStream broken = new InputStream() {
            private int left = 300_000;

            @Override
            public int read() {
                throw new AssertionError("not used");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw failure;
                }
                int n = Math.min(len, left);
                left -= n;
                return n;
            }
        };
        DecompressingReader r = new DecompressingReader(broken, "test");
        IOException seen = assertThrows(IOException.class, () -> {
            byte[] buf = new byte[65536];
            while (r.read(buf, 0, buf.length) >= 0) {
                // read until the failure surfaces
            }
        });
        assertSame(failure, seen);
    }

    @Test
    void closeWithoutFinishStopsTheThread() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
        DecompressingReader r = new DecompressingReader(endless, "test-endless");
        r.read(new byte[10], 0, 10);
        r.close(); // the caller failed: the reading thread must not keep reading forever
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().equals("test-endless") || !t.isAlive(), "reading thread still alive");
        }
    }
}
