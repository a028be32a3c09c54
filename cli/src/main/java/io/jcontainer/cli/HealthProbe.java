package io.jcontainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a health check: {@code jnspawn --exec -M NAME -- ARGV} (as {@code jcontainer exec} enters the
 * container), its stdout and stderr together kept up to {@value #MAX_OUTPUT_BYTES} bytes (Docker's limit; the rest is
 * read and dropped, so that a check that prints 10 MB neither blocks nor fills memory), ended when it runs past its
 * timeout.
 */
final class HealthProbe {
    /** What a result keeps of the check's output (Docker's maxOutputLen). */
    static final int MAX_OUTPUT_BYTES = 4096;
    /** After the timeout: SIGTERM (jnspawn passes it to the command), then this long before SIGKILL. */
    private static final long KILL_GRACE_MILLIS = 2_000;

    /**
     * What one check did.
     *
     * @param exitCode the command's status; -1 when it was ended at its timeout
     * @param output   its output, cut at {@value #MAX_OUTPUT_BYTES} bytes (then {@code truncated} says so)
     */
    record Result(Instant start, Instant end, int exitCode, String output, boolean timedOut, boolean truncated) {
        boolean passed() {
            return exitCode == 0;
        }
    }

    private HealthProbe() {
    }

    static Result run(Host host, String name, List<String> argv, long timeoutMillis)
            throws CliException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(host.jnspawn().toString(), "-q", "--exec", "-M", name,
                "--console=pipe", "--"));
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        host.passRuntimeDir(builder);
        Instant start = Instant.now();
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new CliException("Failed to run '" + command.get(0) + "': " + ContainerFiles.reason(e), e);
        }
        CappedOutput output = new CappedOutput(p.getInputStream());
        Thread reader = new Thread(output, "jcontainer-healthcheck");
        reader.setDaemon(true);
        reader.start();
        boolean timedOut = !p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
        if (timedOut) {
            p.destroy();
            if (!p.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
        }
        reader.join(KILL_GRACE_MILLIS);
        Instant end = Instant.now();
        String text = output.text();
        if (timedOut) {
            text = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "Health check timed out after "
                    + timeoutMillis + " ms";
            return new Result(start, end, -1, text, true, output.truncated());
        }
        return new Result(start, end, p.exitValue(), text, false, output.truncated());
    }

    /** Reads a stream to its end, keeping its first {@value #MAX_OUTPUT_BYTES} bytes. */
    private static final class CappedOutput implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean truncated;

        CappedOutput(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    synchronized (this) {
                        int room = MAX_OUTPUT_BYTES - kept.size();
                        kept.write(buffer, 0, Math.min(room, n));
                        truncated |= n > room;
                    }
                }
            } catch (IOException e) {
                // the check was ended: what was read so far is its output
            }
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }

        synchronized boolean truncated() {
            return truncated;
        }
    }
}
