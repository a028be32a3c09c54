package io.jcontainer.image.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies a detached OpenPGP signature over a file's bytes, armored or binary, as {@code gpg --detach-sign} writes
 * it and rkt checks an ACI's {@code .asc} (appc spec/discovery.md). BouncyCastle's lightweight operators, the
 * bounds of {@link SimpleSigning} (size) and {@link Keyring} (keys), and its key and signature expiry checks.
 */
public final class DetachedSignature {
    /** gpg writes one signature per {@code --local-user}; more than this is not a signature file. */
    static final int MAX_SIGNATURES = 16;

    private DetachedSignature() {
    }

    /** Which key made the signature that verified. */
    public record Verified(String fingerprint, String keyId) {
    }

    /**
     * Verifies {@code signature} over the bytes of {@code data} with {@code keys} at {@code now}: one of its
     * signatures (binary or canonical text document) must be by a key of {@code keys} and verify. {@code what}
     * names the signature in errors; a signature only by unknown keys throws {@link SimpleSigning.UnknownKey}.
     */
    public static Verified verify(Path data, byte[] signature, Keyring keys, Instant now, String what) throws TrustException {
        if (signature.length > SimpleSigning.MAX_SIGNATURE_BYTES) {
            throw new TrustException(what + " is larger than " + SimpleSigning.MAX_SIGNATURE_BYTES + " bytes, refusing.");
        }
        PGPSignatureList sigs;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
            Object o = new BcPGPObjectFactory(in).nextObject();
            if (!(o instanceof PGPSignatureList list) || list.isEmpty() || list.size() > MAX_SIGNATURES) {
                throw new TrustException(what + " is not a detached OpenPGP signature (gpg --detach-sign), refusing.");
            }
            sigs = list;
        } catch (TrustException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TrustException(what + " is not a valid OpenPGP signature: " + Keyring.message(e) + ", refusing.", e);
        }
        SimpleSigning.UnknownKey unknown = null;
        for (PGPSignature sig : sigs) {
            String keyId = String.format("%016X", sig.getKeyID());
            PGPPublicKey key = keys.find(sig.getKeyID());
            if (key == null) {
                unknown = unknown == null ? new SimpleSigning.UnknownKey(keyId, what) : unknown;
                continue;
            }
            if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT
                    && sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
                throw new TrustException(what + " by key " + keyId + " is no document signature (type "
                        + sig.getSignatureType() + "), refusing.");
            }
            try (InputStream in = Files.newInputStream(data)) {
                sig.init(new BcPGPContentVerifierBuilderProvider(), key);
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sig.update(buf, 0, n);
                }
                if (!sig.verify()) {
                    throw new TrustException(what + ": the OpenPGP signature by key " + keyId + " does not verify "
                            + "(the file is not what was signed), refusing.");
                }
            } catch (IOException e) {
                throw new TrustException("Failed to read '" + data + "': " + e.getMessage(), e);
            } catch (PGPException | RuntimeException e) {
                throw new TrustException(what + " by key " + keyId + " cannot be checked: " + Keyring.message(e) + ", refusing.", e);
            }
            SimpleSigning.checkTimes(key, sig, keys, now, what, keyId);
            return new Verified(Keyring.fingerprint(keys.primaryOf(key)), keyId);
        }
        throw unknown;
    }
}
