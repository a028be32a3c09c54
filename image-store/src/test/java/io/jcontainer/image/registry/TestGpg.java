package io.jcontainer.image.registry;

import io.jcontainer.image.TestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away GnuPG home (under /tmp: the agent's socket path must stay short) that makes real keys with
 * {@code gpg --quick-gen-key} and runs skopeo's signing with it ({@code GNUPGHOME} set for the child).
 */
public final class TestGpg implements AutoCloseable {
    public final Path home;

    public TestGpg() throws IOException {
        TestSupport.requireCommand("gpg");
        home = Files.createTempDirectory(Path.of("/tmp"), "jc-gpg-");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /** Makes a signing key ({@code ed25519}, {@code rsa2048}...); {@code fakedTime} (gpg's format) or null. */
    public String generate(String uid, String algo, String expire, String fakedTime) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""));
        if (fakedTime != null) {
            cmd.addAll(List.of("--faked-system-time", fakedTime));
        }
        cmd.addAll(List.of("--quick-gen-key", uid, algo, "sign", expire));
        run(null, cmd.toArray(String[]::new));
        String colons = run(null, "gpg", "--with-colons", "--list-keys", uid);
        for (String line : colons.split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new IllegalStateException("no fingerprint for " + uid + ": " + colons);
    }

    public void export(String fingerprint, Path file, boolean armor) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--yes", "--output", file.toString()));
        if (armor) {
            cmd.add("--armor");
        }
        cmd.addAll(List.of("--export", fingerprint));
        run(null, cmd.toArray(String[]::new));
    }

    /** Runs {@code command} with this home as {@code GNUPGHOME}; returns stdout+stderr, fails on a non-zero exit. */
    public String run(Path cwd, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("GNUPGHOME", home.toString());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** The exit code of {@code command} run with this home; its output goes to {@code log}. */
    int exitCode(Path log, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GNUPGHOME", home.toString());
        return pb.start().waitFor();
    }

    @Override
    public void close() throws Exception {
        try {
            run(null, "gpgconf", "--kill", "gpg-agent");
        } finally {
            TestSupport.sh("rm", "-rf", home.toString());
        }
    }
}
