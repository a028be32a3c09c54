package io.jcontainer.image.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.registry.PulledManifest;
import io.jcontainer.image.registry.RegistryClient;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * cosign-style key signatures, as containers/image reads them: the manifest tagged {@code sha256-HEX.sig} in the
 * image's repository lists one payload layer per signature ({@link #PAYLOAD_TYPE}), whose annotation
 * {@link #SIGNATURE_ANNOTATION} is the base64 ECDSA P-256/SHA-256 (DER) signature of the payload's bytes. Verified
 * with a PEM public key through the JDK's own SunEC; no Fulcio certificate, no Rekor entry (offline keys only).
 */
public final class Cosign {
    public static final String PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    static final String TYPE = "cosign container image signature";
    static final int MAX_LAYERS = 128;

    private Cosign() {
    }

    /** One signature: the payload and the raw signature bytes. */
    public record Sig(byte[] payload, byte[] signature) {
    }

    /** The tag of {@code manifest}'s signatures. */
    static String tag(Digest manifest) {
        return manifest.algorithm() + "-" + manifest.hex() + ".sig";
    }

    /** The signatures of {@code manifest} in {@code image}'s repository; none if the {@code .sig} tag is absent. */
    static List<Sig> fetch(RegistryClient client, ImageReference image, Digest manifest) throws TrustException {
        ImageReference sigRef = new ImageReference(image.registry(), image.repository(), tag(manifest), null);
        PulledManifest m;
        try {
            m = client.pullManifest(sigRef);
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return List.of();
            }
            throw new TrustException(e.getMessage(), e);
        }
        List<Sig> out = new ArrayList<>();
        try {
            JsonNode layers = PolicyParser.STRICT.readTree(m.bytes()).path("layers");
            for (int i = 0; i < layers.size() && i < MAX_LAYERS; i++) {
                JsonNode l = layers.get(i);
                String sig = l.path("annotations").path(SIGNATURE_ANNOTATION).asText(null);
                if (!PAYLOAD_TYPE.equals(l.path("mediaType").asText()) || sig == null) {
                    continue;
                }
                Digest d = Digest.parse(l.path("digest").asText());
                byte[] payload = client.smallBlob(sigRef, d, SimpleSigning.MAX_PAYLOAD_BYTES);
                out.add(new Sig(payload, Base64.getDecoder().decode(sig)));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new TrustException("Invalid cosign signature manifest '" + sigRef + "': " + Keyring.message(e) + ", refusing.", e);
        }
        return out;
    }

    /** A PEM {@code PUBLIC KEY} (EC). */
    public static PublicKey readPem(byte[] pem, String what) throws TrustException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int start = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (start < 0 || end < start) {
            throw new TrustException("Key " + what + " is not a PEM public key, refusing.");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(start + 26, end));
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TrustException("Key " + what + " is not an EC public key: " + Keyring.message(e) + ", refusing.", e);
        }
    }

    /** {@code SHA256:HEX} of the key's DER encoding, as {@code jcontainer trust} prints it. */
    public static String fingerprint(PublicKey key) {
        try {
            return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()))
                    .toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies {@code sig} with {@code key}: the ECDSA signature first, then the payload JSON, strictly. */
    static SimpleSigning.Verified verify(Sig sig, PublicKey key, String what) throws TrustException {
        try {
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(key);
            v.update(sig.payload());
            if (!v.verify(sig.signature())) {
                throw new TrustException(what + ": the ECDSA signature does not verify with the key, refusing.");
            }
        } catch (GeneralSecurityException e) {
            throw new TrustException(what + ": the ECDSA signature does not verify: " + Keyring.message(e) + ", refusing.", e);
        }
        return SimpleSigning.parse(sig.payload(), fingerprint(key), fingerprint(key), what, TYPE);
    }
}
