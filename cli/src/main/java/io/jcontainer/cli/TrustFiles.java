package io.jcontainer.cli;

import io.jcontainer.image.trust.Cosign;
import io.jcontainer.image.trust.Keyring;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.Requirement;
import io.jcontainer.image.trust.TrustException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * What the {@code jcontainer trust} verbs share: reading the policy, importing a key into the trust directory (one
 * file per scope, {@code URL-ENCODED-SCOPE.gpg} or {@code .pub}) and writing both atomically (temp file, rename).
 */
final class TrustFiles {
    static final int MAX_KEY_FILE_BYTES = Keyring.MAX_BYTES;

    private final Path policyPath;
    private final Path trustDir;

    TrustFiles(Host host) {
        this.policyPath = host.policyPath();
        this.trustDir = host.trustDir();
    }

    Path policyPath() {
        return policyPath;
    }

    Policy policy() throws TrustException {
        return Policy.readOrBuiltIn(policyPath);
    }

    /** A key file as given: an OpenPGP keyring (binary or armored) or a PEM public key (cosign). */
    record Key(Keyring keyring, byte[] pem, String fingerprint, List<String> lines) {
        boolean openPgp() {
            return keyring != null;
        }
    }

    static Key readKey(Path file) throws CliException, TrustException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_KEY_FILE_BYTES) {
                throw new CliException("Key file '" + file + "' is larger than " + MAX_KEY_FILE_BYTES + " bytes, refusing.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException("Key file '" + file + "' does not exist.");
        } catch (IOException e) {
            throw new CliException("Failed to read key file '" + file + "': " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN PUBLIC KEY-----")) {
            return pem(bytes, file);
        }
        Keyring k = Keyring.parse(bytes, "'" + file + "'");
        List<String> lines = new ArrayList<>();
        List<String> fprs = k.fingerprints();
        List<String> uids = k.userIds();
        for (int i = 0; i < fprs.size(); i++) {
            lines.add(fprs.get(i) + (uids.get(i).isEmpty() ? "" : " " + uids.get(i)));
        }
        return new Key(k, null, String.join(",", fprs), lines);
    }

    /** A PEM {@code PUBLIC KEY} (an ECDSA P-256 key, as cosign makes), fingerprinted as {@link Cosign#fingerprint}. */
    private static Key pem(byte[] bytes, Path file) throws TrustException {
        java.security.PublicKey key = Cosign.readPem(bytes, "'" + file + "'");
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        String fpr = Cosign.fingerprint(key);
        return new Key(null, pem.getBytes(StandardCharsets.US_ASCII), fpr, List.of(fpr + " (" + key.getAlgorithm() + " public key)"));
    }

    /**
     * Stores {@code key} for {@code scope} in the trust directory; OpenPGP keys are added to what the scope's file
     * already holds (each key once). Returns the file's path.
     */
    Path store(String scope, Key key) throws CliException, TrustException {
        String name = URLEncoder.encode(scope, StandardCharsets.UTF_8);
        if (!key.openPgp()) {
            Path target = trustDir.resolve(name + ".pub");
            write(target, key.pem());
            return target;
        }
        Path target = trustDir.resolve(name + ".gpg");
        byte[] bytes = key.keyring().encoded();
        if (Files.exists(target)) {
            Keyring existing = Keyring.read(target);
            java.io.ByteArrayOutputStream merged = new java.io.ByteArrayOutputStream();
            merged.writeBytes(existing.encoded());
            List<String> have = existing.fingerprints();
            for (String f : key.keyring().fingerprints()) {
                if (have.contains(f)) {
                    continue;
                }
                merged.writeBytes(key.keyring().only(f).encoded());
            }
            bytes = merged.toByteArray();
            Keyring.parse(bytes, "'" + target + "'"); // still within the bounds
        }
        write(target, bytes);
        return target;
    }

    /** Checks {@code policy} as its reader will (strictly), then writes it atomically. */
    void writePolicy(Policy policy) throws CliException, TrustException {
        String json = policy.toJson();
        io.jcontainer.image.trust.Policy.parse(json.getBytes(StandardCharsets.UTF_8), policyPath.toString());
        write(policyPath, json.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path target, byte[] bytes) throws CliException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new CliException("Failed to write '" + target + "': " + e.getMessage(), e);
        }
    }

    /** The requirement that trusts {@code key} stored at {@code path}. */
    static Requirement requirement(Key key, Path path) {
        return key.openPgp()
                ? new Requirement.SignedBy("GPGKeys", List.of(path), null, new io.jcontainer.image.trust.SignedIdentity.MatchRepoDigestOrExact())
                : new Requirement.SigstoreSigned(path, null, new io.jcontainer.image.trust.SignedIdentity.MatchRepoDigestOrExact());
    }

    /** Refuses a scope that is no docker scope, with the policy's own wording. */
    static void checkScope(String scope) throws TrustException {
        Policy probe = Policy.builtIn().with(Policy.DOCKER, scope, List.of(new Requirement.Reject()));
        Policy.parse(probe.toJson().getBytes(StandardCharsets.UTF_8), "--prefix '" + scope + "'");
    }
}
