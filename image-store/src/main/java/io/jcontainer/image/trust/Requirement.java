package io.jcontainer.image.trust;

import java.nio.file.Path;
import java.util.List;

/**
 * One policy requirement of containers-policy.json(5); an image must satisfy every requirement of the list its
 * scope selects.
 */
public sealed interface Requirement {
    /** The {@code type} as the policy file spells it. */
    String type();

    /** {@code insecureAcceptAnything}: any image, signed or not. */
    record InsecureAcceptAnything() implements Requirement {
        @Override
        public String type() {
            return "insecureAcceptAnything";
        }
    }

    /** {@code reject}: no image. */
    record Reject() implements Requirement {
        @Override
        public String type() {
            return "reject";
        }
    }

    /**
     * {@code signedBy}: a simple signing signature by one of the keys (keyType {@code GPGKeys}) in
     * {@code keyPaths} (one or several keyrings) or {@code keyData} (a keyring, binary or armored, as bytes).
     */
    record SignedBy(String keyType, List<Path> keyPaths, byte[] keyData, SignedIdentity signedIdentity)
            implements Requirement {
        public SignedBy {
            keyPaths = List.copyOf(keyPaths);
        }

        @Override
        public String type() {
            return "signedBy";
        }

        /** Where the keys come from, for messages: the key paths, else "keyData". */
        public String keySource() {
            return keyPaths.isEmpty() ? "keyData" : keyPaths.stream().map(Path::toString)
                    .collect(java.util.stream.Collectors.joining(", "));
        }
    }

    /**
     * {@code sigstoreSigned}: a cosign-style signature verified with the PEM public key at {@code keyPath} or in
     * {@code keyData} ({@link Cosign}).
     */
    record SigstoreSigned(Path keyPath, byte[] keyData, SignedIdentity signedIdentity) implements Requirement {
        @Override
        public String type() {
            return "sigstoreSigned";
        }
    }
}
