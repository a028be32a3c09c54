package io.jcontainer.image.trust;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a registry image may enter the store: every requirement its policy scope selects must hold
 * (containers-policy.json(5)). A {@code signedBy} holds when one signature verifies with one of its keys
 * ({@link SimpleSigning}), names the manifest's digest and names a reference its {@code signedIdentity} accepts.
 * A refusal is one line saying which rule refused and how to trust the image.
 */
public final class PolicyCheck {
    private PolicyCheck() {
    }

    /** Checks the image pulled as {@code image}, whose manifest (the one its reference names) has {@code manifest}. */
    public static Verification check(Policy policy, ImageReference image, Digest manifest, SignatureSource source,
                                     Instant now) throws TrustException {
        Policy.Selected selected = policy.forDocker(image);
        List<byte[]> signatures = null;
        List<Cosign.Sig> cosign = null;
        List<String> accepted = new ArrayList<>();
        String key = null;
        String signedRef = null;
        for (Requirement r : selected.requirements()) {
            if (r instanceof Requirement.InsecureAcceptAnything) {
                accepted.add(r.type());
            } else if (r instanceof Requirement.Reject) {
                throw rejected(image, selected);
            } else if (r instanceof Requirement.SignedBy s) {
                if (signatures == null) {
                    signatures = source.signatures();
                }
                SimpleSigning.Verified v = signedBy(s, image, manifest, signatures, source, selected, now);
                accepted.add(s.type());
                key = v.fingerprint();
                signedRef = v.dockerReferenceText();
            } else {
                Requirement.SigstoreSigned s = (Requirement.SigstoreSigned) r;
                if (cosign == null) {
                    cosign = source.cosignSignatures();
                }
                SimpleSigning.Verified v = sigstoreSigned(s, image, manifest, cosign, selected);
                accepted.add(s.type());
                key = v.fingerprint();
                signedRef = v.dockerReferenceText();
            }
        }
        return new Verification(image.toString(), selected.where(), String.join("+", accepted), key, signedRef);
    }

    /**
     * Checks a local import of {@code file} through {@code transport} (oci, oci-archive, docker-archive, tarball,
     * dir). A {@code signedBy} holds only for a source with signatures ({@code source}, a {@code dir:} image), whose
     * manifest is {@code manifest} and whose signatures must name {@code identity} (the name it is imported as).
     */
    public static Verification checkLocal(Policy policy, String transport, java.nio.file.Path file, ImageReference identity,
                                          Digest manifest, SignatureSource source) throws TrustException {
        Policy.Selected selected = policy.forLocal(transport, file);
        List<String> accepted = new ArrayList<>();
        String key = null;
        String signedRef = null;
        for (Requirement r : selected.requirements()) {
            if (r instanceof Requirement.InsecureAcceptAnything) {
                accepted.add(r.type());
            } else if (r instanceof Requirement.Reject) {
                throw new TrustException("Refusing to import '" + file + "': " + selected.where() + " rejects it.");
            } else if (r instanceof Requirement.SignedBy s && source != null) {
                SimpleSigning.Verified v = signedBy(s, identity, manifest, source.signatures(), source, selected, java.time.Instant.now());
                accepted.add(s.type());
                key = v.fingerprint();
                signedRef = v.dockerReferenceText();
            } else {
                throw new TrustException("Refusing to import '" + file + "': " + selected.where() + " requires a " + r.type()
                        + " signature, and jcontainer reads signatures only beside a dir: image.");
            }
        }
        return new Verification(transport + ":" + file.toAbsolutePath().normalize(), selected.where(),
                String.join("+", accepted), key, signedRef);
    }

    /** What to run to trust an image's publisher: the repository as prefix. */
    public static String trustHint(ImageReference image) {
        return "trust its publisher's key with 'jcontainer trust --prefix=" + image.name() + " KEYFILE'";
    }

    private static TrustException rejected(ImageReference image, Policy.Selected selected) {
        if (selected.scope() == null || selected.scope().isEmpty()) {
            return new TrustException("Refusing '" + image + "': no key is trusted for it (" + selected.where()
                    + " rejects registry images without a trusted key); " + trustHint(image) + ", or pull with --insecure-policy.");
        }
        return new TrustException("Refusing '" + image + "': " + selected.where() + " rejects it.");
    }

    private static SimpleSigning.Verified signedBy(Requirement.SignedBy req, ImageReference image, Digest manifest,
            List<byte[]> signatures, SignatureSource source, Policy.Selected selected, Instant now) throws TrustException {
        String rule = selected.where() + " (signedBy " + req.keySource() + ")";
        if (signatures.isEmpty()) {
            throw new TrustException("Refusing '" + image + "': it has no signature (looked in " + source.describe()
                    + "), and " + rule + " requires one.");
        }
        List<Keyring> keyrings = new ArrayList<>();
        if (req.keyData() != null) {
            keyrings.add(Keyring.parse(req.keyData(), "keyData of " + selected.where()));
        }
        for (Path p : req.keyPaths()) {
            keyrings.add(Keyring.read(p));
        }
        String firstReason = null;
        boolean onlyUnknownKeys = true;
        for (int i = 0; i < signatures.size(); i++) {
            String what = "signature " + (i + 1) + " of " + manifest;
            String reason = null;
            SimpleSigning.Verified v = null;
            for (Keyring k : keyrings) {
                try {
                    v = SimpleSigning.verify(signatures.get(i), k, now, what);
                    break;
                } catch (SimpleSigning.UnknownKey e) {
                    reason = reason == null ? e.getMessage() : reason;
                } catch (TrustException e) {
                    reason = e.getMessage();
                    onlyUnknownKeys = false;
                    break;
                }
            }
            if (v != null) {
                reason = mismatch(v, req.signedIdentity(), image, manifest, what);
                if (reason == null) {
                    return v;
                }
                onlyUnknownKeys = false;
            }
            if (firstReason == null) {
                firstReason = reason;
            }
        }
        String why = trimRefusing(firstReason);
        return fail("Refusing '" + image + "': no signature satisfies " + rule + ": " + why
                + (onlyUnknownKeys ? "; " + trustHint(image) : "") + ".");
    }

    private static SimpleSigning.Verified sigstoreSigned(Requirement.SigstoreSigned req, ImageReference image, Digest manifest,
            List<Cosign.Sig> signatures, Policy.Selected selected) throws TrustException {
        String rule = selected.where() + " (sigstoreSigned " + (req.keyPath() == null ? "keyData" : req.keyPath()) + ")";
        if (signatures.isEmpty()) {
            throw new TrustException("Refusing '" + image + "': it has no cosign signature (no tag '" + Cosign.tag(manifest)
                    + "' in its repository), and " + rule + " requires one.");
        }
        byte[] pem;
        try {
            pem = req.keyData() != null ? req.keyData() : readKeyFile(req.keyPath());
        } catch (java.io.IOException e) {
            throw new TrustException("Failed to read key '" + req.keyPath() + "': " + e.getMessage(), e);
        }
        java.security.PublicKey key = Cosign.readPem(pem, req.keyPath() == null ? "keyData" : "'" + req.keyPath() + "'");
        String firstReason = null;
        for (int i = 0; i < signatures.size(); i++) {
            String what = "cosign signature " + (i + 1) + " of " + manifest;
            String reason;
            try {
                SimpleSigning.Verified v = Cosign.verify(signatures.get(i), key, what);
                reason = mismatch(v, req.signedIdentity(), image, manifest, what);
                if (reason == null) {
                    return v;
                }
            } catch (TrustException e) {
                reason = e.getMessage();
            }
            firstReason = firstReason == null ? reason : firstReason;
        }
        return fail("Refusing '" + image + "': no signature satisfies " + rule + ": " + trimRefusing(firstReason) + ".");
    }

    private static byte[] readKeyFile(Path p) throws java.io.IOException {
        if (java.nio.file.Files.size(p) > Keyring.MAX_BYTES) {
            throw new java.io.IOException("larger than " + Keyring.MAX_BYTES + " bytes");
        }
        return java.nio.file.Files.readAllBytes(p);
    }

    /** Why a verified signature does not vouch for this image, or null when it does. */
    static String mismatch(SimpleSigning.Verified v, SignedIdentity identity, ImageReference image, Digest manifest, String what) {
        if (!v.manifestDigest().equals(manifest)) {
            return what + " is for manifest " + v.manifestDigest() + ", not this one";
        }
        // A reference without tag or digest (cosign signs those) matches only by repository, as in containers/image.
        boolean nameOnly = !v.dockerReferenceText().contains("@")
                && v.dockerReferenceText().lastIndexOf(':') <= v.dockerReferenceText().lastIndexOf('/');
        boolean byRepository = identity instanceof SignedIdentity.MatchRepository || identity instanceof SignedIdentity.ExactRepository;
        if (nameOnly && !byRepository || !identity.matches(image, v.dockerReference())) {
            return what + " names '" + v.dockerReferenceText() + "', which " + identity.type() + " does not accept for '" + image + "'";
        }
        return null;
    }

    private static String trimRefusing(String reason) {
        return reason.endsWith(", refusing.") ? reason.substring(0, reason.length() - ", refusing.".length()) : reason;
    }

    private static SimpleSigning.Verified fail(String message) throws TrustException {
        throw new TrustException(message);
    }
}
