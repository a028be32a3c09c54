package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an ACI (appc, rkt's image format) may enter the store, as rkt does: by the keys trusted for the
 * image's name, the ACI manifest's {@code name}. The name selects requirements as a registry image's does (the
 * {@code docker} scopes that {@code jcontainer trust --prefix} writes, matched on whole {@code /} components), so
 * an ACI is refused like a registry image without a trusted key; a {@code signedBy} holds when the detached
 * signature beside the file ({@code FILE.asc}, {@link DetachedSignature}) verifies with one of its keys.
 */
public final class AciCheck {
    private AciCheck() {
    }

    /** Where rkt looks for an ACI's signature: beside it, {@code FILE.asc}. */
    public static Path signatureOf(Path aci) {
        return aci.resolveSibling(aci.getFileName() + ".asc");
    }

    /**
     * Checks the ACI {@code data} (read from the file the user named, {@code shown}; {@code data} may be a private
     * copy of it) whose manifest names {@code name}, against {@code signature} (the {@code .asc} beside
     * {@code shown}).
     */
    public static Verification check(Policy policy, ImageReference name, Path shown, Path data, Path signature,
                                     Instant now) throws TrustException {
        Policy.Selected selected = policy.forDocker(name);
        String refusing = "Refusing ACI '" + shown + "' (named '" + name + "'): ";
        List<String> accepted = new ArrayList<>();
        String key = null;
        for (Requirement r : selected.requirements()) {
            if (r instanceof Requirement.InsecureAcceptAnything) {
                accepted.add(r.type());
            } else if (r instanceof Requirement.Reject) {
                if (selected.scope() == null || selected.scope().isEmpty()) {
                    throw new TrustException(refusing + "no key is trusted for its name (" + selected.where()
                            + " rejects images without a trusted key); " + PolicyCheck.trustHint(name) + ".");
                }
                throw new TrustException(refusing + selected.where() + " rejects it.");
            } else if (r instanceof Requirement.SignedBy s) {
                key = signedBy(s, selected, refusing, name, data, signature, now);
                accepted.add(s.type());
            } else {
                throw new TrustException(refusing + selected.where() + " requires a " + r.type()
                        + " (cosign) signature, which an ACI cannot carry.");
            }
        }
        return new Verification("aci:" + shown.toAbsolutePath().normalize(), selected.where(), String.join("+", accepted),
                key, key == null ? null : name.toString());
    }

    private static String signedBy(Requirement.SignedBy req, Policy.Selected selected, String refusing, ImageReference name,
                                   Path data, Path signature, Instant now) throws TrustException {
        String rule = selected.where() + " (signedBy " + req.keySource() + ")";
        if (!Files.isRegularFile(signature)) {
            throw new TrustException(refusing + "it has no signature '" + signature + "', and " + rule + " requires one.");
        }
        byte[] sig;
        try (java.io.InputStream in = Files.newInputStream(signature)) {
            sig = in.readNBytes(SimpleSigning.MAX_SIGNATURE_BYTES + 1); // DetachedSignature refuses one byte more
        } catch (IOException e) {
            throw new TrustException(refusing + "failed to read its signature '" + signature + "': " + e.getMessage(), e);
        }
        List<Keyring> keyrings = new ArrayList<>();
        if (req.keyData() != null) {
            keyrings.add(Keyring.parse(req.keyData(), "keyData of " + selected.where()));
        }
        for (Path p : req.keyPaths()) {
            keyrings.add(Keyring.read(p));
        }
        String what = "'" + signature + "'";
        SimpleSigning.UnknownKey unknown = null;
        for (Keyring k : keyrings) {
            try {
                return DetachedSignature.verify(data, sig, k, now, what).fingerprint();
            } catch (SimpleSigning.UnknownKey e) {
                unknown = e;
            } catch (TrustException e) {
                throw new TrustException(refusing + "it does not satisfy " + rule + ": " + trim(e.getMessage()) + ".", e);
            }
        }
        throw new TrustException(refusing + "it does not satisfy " + rule + ": " + unknown.getMessage() + " for '"
                + name.name() + "'; " + PolicyCheck.trustHint(name) + ".");
    }

    private static String trim(String reason) {
        return reason.endsWith(", refusing.") ? reason.substring(0, reason.length() - ", refusing.".length()) : reason;
    }
}
