package io.jcontainer.image.trust;

import java.util.List;

/** Where the signatures of the image being checked come from; asked only when a requirement needs them. */
public interface SignatureSource {
    /** The simple signing signatures found, in order. */
    List<byte[]> signatures() throws TrustException;

    /** The cosign-style signatures found ({@code sha256-HEX.sig}); none by default. */
    default List<Cosign.Sig> cosignSignatures() throws TrustException {
        return List.of();
    }

    /** Where it looked, for the message when there is none (e.g. the lookaside URL, "the registry's signature API"). */
    String describe();

    SignatureSource NONE = new SignatureSource() {
        @Override
        public List<byte[]> signatures() {
            return List.of();
        }

        @Override
        public String describe() {
            return "nowhere (no signature source)";
        }
    };
}
