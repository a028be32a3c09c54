package io.jcontainer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Signs bytes as an inline OpenPGP signed message with {@code gpg --sign} and the key named by its fingerprint, as
 * skopeo signs through gpgme: the secret key stays with the user's gpg-agent ({@code GNUPGHOME} as the caller has
 * it), so jcontainer never reads it.
 */
final class GpgSigner {
    /** A simple signing message is under 1 kB; gpg writes nothing near this. */
    static final int MAX_OUTPUT_BYTES = 1 << 20;

    private GpgSigner() {
    }

    /**
     * Writes {@code file.asc}, a detached armored signature of {@code file} by the key {@code fingerprint}
     * ({@code gpg --armor --detach-sign}, what rkt checks beside an ACI): to a temporary file renamed over it.
     */
    static Path detachSign(Path file, String fingerprint, String gnupgHome) throws CliException {
        Path asc = file.toAbsolutePath().resolveSibling(file.getFileName() + ".asc");
        Path tmp = asc.resolveSibling("." + asc.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            run(List.of("gpg", "--batch", "--no-tty", "--quiet", "--yes", "--local-user", fingerprint, "--armor",
                    "--output", tmp.toString(), "--detach-sign", "--", file.toAbsolutePath().toString()), new byte[0],
                    fingerprint, gnupgHome);
            Files.move(tmp, asc, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return asc;
        } catch (IOException e) {
            throw new CliException("Failed to write '" + asc + "': " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Signs {@code payload} with the key {@code fingerprint} of the gpg home {@code gnupgHome} (null: gpg's default). */
    static byte[] sign(byte[] payload, String fingerprint, String gnupgHome) throws CliException {
        return run(List.of("gpg", "--batch", "--no-tty", "--quiet", "--local-user", fingerprint, "--sign",
                "--output", "-"), payload, fingerprint, gnupgHome);
    }

    /** Runs gpg {@code command} with {@code input} on its stdin; its stdout. */
    private static byte[] run(List<String> command, byte[] input, String fingerprint, String gnupgHome) throws CliException {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (gnupgHome != null) {
                pb.environment().put("GNUPGHOME", gnupgHome);
            }
            p = pb.start();
        } catch (IOException e) {
            throw new CliException("Failed to run gpg to sign with key '" + fingerprint + "': " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readNBytes(64 << 10);
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out;
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException closed) {
                // gpg may exit (an unknown key) before it reads its input: its status and stderr say why, below.
            }
            out = p.getInputStream().readNBytes(MAX_OUTPUT_BYTES);
            int status = p.waitFor();
            if (status != 0) {
                String why = new String(err.join(), StandardCharsets.UTF_8).strip().lines()
                        .reduce((a, b) -> b).orElse("exit status " + status);
                throw new CliException("Failed to sign with key '" + fingerprint + "': gpg: " + why.replaceFirst("^gpg: ", ""));
            }
        } catch (IOException e) {
            p.destroy();
            throw new CliException("Failed to sign with key '" + fingerprint + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while signing with key '" + fingerprint + "'.", e);
        }
        return out;
    }
}
