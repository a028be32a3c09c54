package io.jcontainer.image.internal.layer;

import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The few file operations the JDK cannot do, run through the Debian tools that do them.
 *
 * <p>Why processes: the JDK has no mknod(2) and its xattr view ({@code UserDefinedFileAttributeView}) is
 * limited to the {@code user.} namespace, while layers need {@code trusted.overlay.opaque} and
 * {@code security.capability}; setting times through NIO opens the file, which blocks on a FIFO and would open
 * a device node. This module takes no native dependency (no JNA), so: {@code mknod} (coreutils) once per
 * device, FIFO or whiteout, {@code touch -h} for their times, and one {@code setfattr --restore} (Debian's
 * {@code attr} package) per layer for every xattr at once.
 */
final class NativeTools {
    private static final long TIMEOUT_SECONDS = 120;

    private NativeTools() {
    }

    static void mknod(Path path, char kind, int major, int minor) throws IOException {
        if (kind == 'p') {
            run(List.of("mknod", "--", path.toString(), "p"), null);
        } else {
            run(List.of("mknod", "--", path.toString(), String.valueOf(kind), Integer.toString(major), Integer.toString(minor)), null);
        }
    }

    /** Sets atime and mtime without opening the file and without following a symlink. */
    static void touch(Path path, long seconds, int nanos) throws IOException {
        run(List.of("touch", "-h", "-c", "-d", "@" + seconds + "." + String.format("%09d", nanos), "--", path.toString()), null);
    }

    /** Applies {@code setfattr --restore} input, never following symlinks ({@code -h}). */
    static void setfattrRestore(byte[] dump) throws IOException {
        run(List.of("setfattr", "-h", "--restore=-"), dump);
    }

    private static void run(List<String> command, byte[] stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ImageStoreException("Failed to run '" + command.get(0) + "' (is it installed? scripts/setup-deps): "
                    + e.getMessage(), e);
        }
        if (stdin != null) {
            try (var out = p.getOutputStream()) {
                out.write(stdin);
            }
        }
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageStoreException("'" + String.join(" ", command) + "' timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new ImageStoreException("Interrupted while running '" + command.get(0) + "'");
        }
        if (p.exitValue() != 0) {
            List<String> shown = new ArrayList<>(command);
            throw new ImageStoreException("Failed to run '" + String.join(" ", shown) + "': "
                    + new String(output, StandardCharsets.UTF_8).strip().replace('\n', ' '));
        }
    }
}
