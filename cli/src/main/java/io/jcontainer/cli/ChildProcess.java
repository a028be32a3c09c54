package io.jcontainer.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A process jcontainer runs in the foreground (jnspawn, journalctl, systemctl): with the terminal when jcontainer
 * runs as a command, or with its output copied to the verb's writers when it runs in-process (tests).
 */
final class ChildProcess {
    private final Process process;
    private final List<Thread> pumps;

    private ChildProcess(Process process, List<Thread> pumps) {
        this.process = process;
        this.pumps = pumps;
    }

    /**
     * Starts {@code builder}; {@code stdin}: whether the child reads jcontainer's stdin (else /dev/null).
     *
     * @throws CliException the program cannot be started (missing, not executable)
     */
    static ChildProcess start(ProcessBuilder builder, boolean inheritStdio, boolean stdin, PrintWriter out,
            PrintWriter err) throws CliException {
        builder.redirectInput(stdin && inheritStdio ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (inheritStdio) {
            out.flush();
            err.flush();
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CliException("Failed to run '" + builder.command().get(0) + "': " + ContainerFiles.reason(e), e);
        }
        if (inheritStdio) {
            return new ChildProcess(process, List.of());
        }
        return new ChildProcess(process, List.of(pump(process.getInputStream(), out), pump(process.getErrorStream(), err)));
    }

    /** Waits for the exit and for the copies of its output; returns the exit status. */
    int waitFor() throws InterruptedException {
        int status = process.waitFor();
        for (Thread pump : pumps) {
            pump.join();
        }
        return status;
    }

    /** Waits at most {@code seconds} for the exit; whether it exited. */
    boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Ends the process (SIGTERM) and waits for it. */
    void stop() throws InterruptedException {
        process.destroy();
        waitFor();
    }

    /** Copies {@code in} to {@code to} on a daemon thread until its end. */
    static Thread pump(InputStream in, PrintWriter to) {
        Thread t = new Thread(() -> {
            char[] buffer = new char[8192];
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = reader.read(buffer)) > 0) {
                    synchronized (to) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the process is gone: nothing more to copy
            }
        }, "jcontainer-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
