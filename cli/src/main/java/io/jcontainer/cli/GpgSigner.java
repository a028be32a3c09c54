package io.jcontainer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

    /** Signs {@code payload} with the key {@code fingerprint} of the gpg home {@code gnupgHome} (null: gpg's default). */
    static byte[] sign(byte[] payload, String fingerprint, String gnupgHome) throws CliException {
        List<String> command = List.of("gpg", "--batch", "--no-tty", "--quiet", "--local-user", fingerprint, "--sign",
                "--output", "-");
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
                in.write(payload);
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
