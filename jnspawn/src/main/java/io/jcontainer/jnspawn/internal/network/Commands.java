package io.jcontainer.jnspawn.internal.network;

import io.jcontainer.jnspawn.HostProgram;
import io.jcontainer.jnspawn.LaunchException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs iproute2, nft and nsenter: a script on stdin, the output back, the first error line on failure. */
final class Commands {
    private static final List<String> DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Commands() {
    }

    /**
     * The absolute path of {@code name} in the system directories (else the bare name, for $PATH). The name must be a
     * {@link HostProgram}, whose list the packages' dependencies are checked against.
     */
    static String tool(String name) {
        HostProgram.of(name);
        for (String dir : DIRS) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return name;
    }

    /** Runs {@code command} with {@code stdin}; returns stdout and stderr together. */
    static String run(String what, String stdin, String... command) throws LaunchException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LaunchException(what + ": cannot run '" + command[0] + "': " + e.getMessage(), e);
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it exited early; its output says why
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                String line = out.strip();
                int nl = line.indexOf('\n');
                throw new LaunchException(what + ": " + (line.isEmpty() ? command[0] + " exited with status " + code
                        : nl > 0 ? line.substring(0, nl) : line));
            }
            return out;
        } catch (IOException e) {
            throw new LaunchException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(what + ": interrupted", e);
        }
    }
}
