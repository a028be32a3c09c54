package io.jcontainer.image.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies a containers-signature(5) "simple signing" signature: an inline OpenPGP signed message (optionally
 * compressed once: one-pass signature, literal JSON, signature), as skopeo and podman write it. Cryptography
 * first, with BouncyCastle's lightweight operators (never the JCA provider); then the JSON, strictly; then the
 * key's and the signature's expiry. The caller compares the manifest digest and the identity ({@link Verified}).
 */
public final class SimpleSigning {
    /** containers/image reads at most 4 MiB of a signature; a simple signing signature is well under 1 kB. */
    public static final int MAX_SIGNATURE_BYTES = 4 << 20;
    /** The signed JSON: a few hundred bytes. */
    static final int MAX_PAYLOAD_BYTES = 64 << 10;
    static final String TYPE = "atomic container signature";

    private SimpleSigning() {
    }

    /** What a signature vouches for, once its cryptography and JSON are checked. */
    public record Verified(String fingerprint, String keyId, Digest manifestDigest, ImageReference dockerReference,
                           String dockerReferenceText) {
    }

    /** A signature by a key not in the keyring: the caller may try other keyrings, then explain. */
    public static final class UnknownKey extends TrustException {
        private static final long serialVersionUID = 1L;
        public final String keyId;

        UnknownKey(String keyId, String what) {
            super(what + " is signed by key " + keyId + ", which is not trusted");
            this.keyId = keyId;
        }
    }

    /** Verifies {@code signature} against {@code keys} at {@code now}; {@code what} names the signature in errors. */
    public static Verified verify(byte[] signature, Keyring keys, Instant now, String what) throws TrustException {
        if (signature.length > MAX_SIGNATURE_BYTES) {
            throw new TrustException(what + " is larger than " + MAX_SIGNATURE_BYTES + " bytes, refusing.");
        }
        byte[] payload;
        PGPPublicKey key;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
            BcPGPObjectFactory f = new BcPGPObjectFactory(in);
            Object o = f.nextObject();
            if (o instanceof PGPCompressedData c) {
                f = new BcPGPObjectFactory(c.getDataStream());
                o = f.nextObject();
                if (o instanceof PGPCompressedData) {
                    throw new TrustException(what + " nests compressed data, refusing.");
                }
            }
            if (!(o instanceof PGPOnePassSignatureList ops) || ops.size() != 1) {
                throw new TrustException(what + " is not an OpenPGP signed message with one signature "
                        + "(containers-signature(5)), refusing.");
            }
            PGPOnePassSignature onePass = ops.get(0);
            String keyId = String.format("%016X", onePass.getKeyID());
            key = keys.find(onePass.getKeyID());
            if (key == null) {
                throw new UnknownKey(keyId, what);
            }
            onePass.init(new BcPGPContentVerifierBuilderProvider(), key);
            if (!(f.nextObject() instanceof PGPLiteralData literal)) {
                throw new TrustException(what + " has no literal data after its one-pass signature, refusing.");
            }
            payload = readBounded(literal.getInputStream(), what);
            onePass.update(payload);
            if (!(f.nextObject() instanceof PGPSignatureList sigs) || sigs.size() != 1) {
                throw new TrustException(what + " does not end with one signature packet, refusing.");
            }
            PGPSignature sig = sigs.get(0);
            if (sig.getKeyID() != onePass.getKeyID() || !onePass.verify(sig)) {
                throw new TrustException(what + ": the OpenPGP signature by key " + keyId + " does not verify, refusing.");
            }
            if (f.nextObject() != null) {
                throw new TrustException(what + " has data after its signature, refusing.");
            }
            checkTimes(key, sig, keys, now, what, keyId);
            PGPPublicKey primary = keys.primaryOf(key);
            return parse(payload, Keyring.fingerprint(primary), keyId, what, TYPE);
        } catch (TrustException e) {
            throw e;
        } catch (IOException | PGPException | RuntimeException e) {
            throw new TrustException(what + " is not a valid OpenPGP signed message: " + Keyring.message(e) + ", refusing.", e);
        }
    }

    static void checkTimes(PGPPublicKey key, PGPSignature sig, Keyring keys, Instant now, String what, String keyId)
            throws TrustException {
        PGPPublicKey primary = keys.primaryOf(key);
        for (PGPPublicKey k : new PGPPublicKey[] {primary, key}) {
            if (k.hasRevocation()) {
                throw new TrustException(what + ": key " + keyId + " is revoked, refusing.");
            }
            long valid = k.getValidSeconds();
            if (valid > 0 && k.getCreationTime().toInstant().plusSeconds(valid).isBefore(now)) {
                throw new TrustException(what + ": key " + keyId + " expired on "
                        + k.getCreationTime().toInstant().plusSeconds(valid) + ", refusing.");
            }
        }
        if (sig.getHashedSubPackets() != null) {
            long sigValid = sig.getHashedSubPackets().getSignatureExpirationTime();
            if (sigValid > 0 && sig.getCreationTime().toInstant().plusSeconds(sigValid).isBefore(now)) {
                throw new TrustException(what + ": the signature expired on "
                        + sig.getCreationTime().toInstant().plusSeconds(sigValid) + ", refusing.");
            }
        }
    }

    private static byte[] readBounded(InputStream in, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            if (out.size() > MAX_PAYLOAD_BYTES) {
                throw new TrustException(what + " signs more than " + MAX_PAYLOAD_BYTES + " bytes, not a signature "
                        + "payload, refusing.");
            }
        }
        return out.toByteArray();
    }

    /**
     * The signed JSON, as containers/image reads it: top level exactly {@code critical} and {@code optional};
     * {@code critical} exactly {@code type}, {@code image}, {@code identity}; no duplicates anywhere. Also the
     * payload of a cosign signature, whose {@code type} differs.
     */
    static Verified parse(byte[] payload, String fingerprint, String keyId, String what, String type) throws TrustException {
        JsonNode root;
        try {
            root = PolicyParser.STRICT.readTree(payload);
        } catch (IOException e) {
            throw new TrustException(what + ": its signed JSON is invalid: " + Keyring.message(e) + ", refusing.", e);
        }
        exact(root, Set.of("critical", "optional"), "the signed JSON", what);
        JsonNode critical = root.get("critical");
        exact(critical, Set.of("type", "image", "identity"), "critical", what);
        if (!critical.get("type").isTextual() || !type.equals(critical.get("type").asText())) {
            throw new TrustException(what + ": critical.type is " + critical.get("type") + ", not \"" + type + "\", refusing.");
        }
        JsonNode image = critical.get("image");
        exact(image, Set.of("docker-manifest-digest"), "critical.image", what);
        JsonNode identity = critical.get("identity");
        exact(identity, Set.of("docker-reference"), "critical.identity", what);
        if (!root.get("optional").isObject() && !root.get("optional").isNull()) {
            throw new TrustException(what + ": optional is not an object, refusing.");
        }
        String digestText = text(image, "docker-manifest-digest", what);
        String refText = text(identity, "docker-reference", what);
        try {
            Digest digest = Digest.parse(digestText);
            ImageReference ref = ImageReference.parse(refText);
            return new Verified(fingerprint, keyId, digest, ref, refText);
        } catch (ImageStoreException e) {
            throw new TrustException(what + ": " + e.getMessage(), e);
        }
    }

    private static void exact(JsonNode node, Set<String> keys, String where, String what) throws TrustException {
        if (node == null || !node.isObject()) {
            throw new TrustException(what + ": " + where + " is not an object, refusing.");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new TrustException(what + ": unknown key '" + k + "' in " + where + ", refusing.");
            }
        }
        for (String k : keys) {
            if (!node.has(k)) {
                throw new TrustException(what + ": " + where + " has no '" + k + "', refusing.");
            }
        }
    }

    private static String text(JsonNode node, String key, String what) throws TrustException {
        JsonNode v = node.get(key);
        if (!v.isTextual()) {
            throw new TrustException(what + ": '" + key + "' is not a string, refusing.");
        }
        return v.asText();
    }
}
