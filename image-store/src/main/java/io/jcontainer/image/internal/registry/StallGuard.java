package io.jcontainer.image.internal.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body that fails when the server stops sending: a registry (or a proxy) that sent its headers and
 * then nothing would otherwise hold a pull forever, since {@link java.net.http.HttpClient}'s request timeout
 * ends with the headers and its body streams have no read timeout. A watchdog looks at the stream every quarter
 * of the timeout; when a read has waited the whole timeout without a byte, it closes the stream, which wakes the
 * blocked read, and the read throws {@link StalledException} ("no data for 30 s after 1.2 MB").
 */
final class StallGuard extends FilterInputStream {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jcontainer-stall-guard");
        t.setDaemon(true);
        return t;
    });

    /** A read that got nothing within the read timeout. */
    static final class StalledException extends IOException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean reading;
    private volatile boolean stalled;
    private volatile boolean closed;
    private long bytes;

    private StallGuard(InputStream in, Duration timeout) {
        super(in);
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(10, timeout.toMillis() / 4);
        this.check = WATCHDOG.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    static InputStream watch(InputStream in, Duration timeout) {
        return timeout.isZero() || timeout.isNegative() ? in : new StallGuard(in, timeout);
    }

    private void check() {
        if (closed) {
            check.cancel(false);
            return;
        }
        if (reading && System.nanoTime() - lastProgress >= timeoutNanos) {
            stalled = true;
            check.cancel(false);
            try {
                in.close(); // wakes the blocked read
            } catch (IOException ignored) {
                // closed either way
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
        if (stalled) {
            throw stalledException();
        }
        lastProgress = System.nanoTime();
        reading = true;
        try {
            int n = in.read(b, off, len);
            if (n > 0) {
                bytes += n;
            }
            return n;
        } catch (IOException e) {
            if (stalled) {
                throw stalledException();
            }
            throw e;
        } finally {
            reading = false;
            lastProgress = System.nanoTime();
        }
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(left, buf.length));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    private StalledException stalledException() {
        long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        String seconds = ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
        return new StalledException("no data for " + seconds + " s (read timeout) after " + bytes + " bytes of the answer");
    }

    @Override
    public void close() throws IOException {
        closed = true;
        check.cancel(false);
        super.close();
    }
}
