package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Decides, when a container starts (jnspawn, the generator), whether the current policy still accepts its image as
 * it was accepted when it entered the store ({@link Verification}, written by the pull or import): the policy may
 * have changed since. No signature is verified again (that needs the signatures and BouncyCastle, which stay off
 * the start path): the requirements the policy now selects for the image must be ones the record says held, and a
 * key the record names must still be among the requirement's keys ({@link KeyFingerprints}).
 *
 * <p>The scope is selected for the name the record was checked as (a pulled reference, or a local import's
 * transport and file). An image with no record (made by commit or build, or stored before records existed)
 * follows the local-import rule: the policy's {@code default} requirements.
 *
 * <p>A pull with {@code --insecure-policy} overrode, for that image, the policy's catch-all (scope {@code ""} or
 * {@code default}: the shipped policy's "a registry image needs a trusted key"); that override stands at start, or
 * the image could never run. A scope naming the image (its reference, repository, a namespace, its registry) is the
 * admin's word about it and applies to it as to any other: {@code jcontainer trust --prefix} for it afterwards
 * refuses it until it is pulled again, signed.
 */
public final class StartCheck {
    /** The transports a local import is recorded under ({@code transport:/absolute/path}). */
    static final Set<String> LOCAL = Set.of("oci", "oci-archive", "docker-archive", "tarball", "dir");

    private StartCheck() {
    }

    /** The policy scope whose requirements apply to the image recorded as {@code record} (null: no record). */
    public static Policy.Selected scope(Policy policy, Verification record) {
        if (record != null && record.image() != null) {
            String text = record.image();
            int colon = text.indexOf(':');
            if (colon > 0 && LOCAL.contains(text.substring(0, colon)) && text.startsWith("/", colon + 1)) {
                return policy.forLocal(text.substring(0, colon), Path.of(text.substring(colon + 1)));
            }
            try {
                if (text.startsWith("aci:") && record.signedReference() != null) {
                    // An ACI is judged by the docker scope of its manifest's name (AciCheck), which a signed
                    // record keeps as its signed reference.
                    return policy.forDocker(ImageReference.parse(record.signedReference()));
                }
                return policy.forDocker(ImageReference.parse(text));
            } catch (ImageStoreException e) {
                // not a reference: judged as an image without a record
            }
        }
        return new Policy.Selected(policy.source() + ": default", null, null, policy.defaults());
    }

    /** The key files the requirements of {@code scope} name (read by {@link #check}; a planned start's inputs). */
    public static List<Path> keyFiles(Policy.Selected scope) {
        List<Path> out = new ArrayList<>();
        for (Requirement r : scope.requirements()) {
            if (r instanceof Requirement.SignedBy s) {
                out.addAll(s.keyPaths());
            } else if (r instanceof Requirement.SigstoreSigned s && s.keyPath() != null) {
                out.add(s.keyPath());
            }
        }
        return out;
    }

    /**
     * Refuses, with one line naming {@code image} and the rule, an image the requirements of {@code scope} would not
     * have accepted as {@code record} says it was accepted.
     */
    public static void check(Policy.Selected scope, String image, Verification record) throws TrustException {
        List<String> held = record == null || record.requirement() == null ? List.of()
                : Arrays.asList(record.requirement().split("\\+"));
        String was = record == null ? "it has no verification record (committed, built, or stored before records)"
                : "it was accepted by " + record.describe();
        boolean catchAll = scope.scope() == null || scope.scope().isEmpty();
        if (catchAll && record != null && record.where() != null && record.where().startsWith(Policy.INSECURE_SOURCE + ":")) {
            return;
        }
        for (Requirement r : scope.requirements()) {
            if (r instanceof Requirement.InsecureAcceptAnything) {
                continue;
            }
            if (r instanceof Requirement.Reject) {
                throw refuse(image, scope.where() + " rejects it; " + was);
            }
            boolean cosign = r instanceof Requirement.SigstoreSigned;
            String rule = scope.where() + (r instanceof Requirement.SignedBy s ? " (signedBy " + s.keySource() + ")"
                    : " (sigstoreSigned " + (((Requirement.SigstoreSigned) r).keyPath() == null ? "keyData"
                    : ((Requirement.SigstoreSigned) r).keyPath()) + ")");
            List<String> keys;
            try {
                keys = fingerprints(r, scope.where());
            } catch (TrustException e) {
                throw refuse(image, rule + ": " + e.getMessage().replaceFirst(",? refusing\\.$|\\.$", ""));
            }
            if (!held.contains(r.type()) || record.key() == null) {
                throw refuse(image, rule + " requires a signature, and " + was + "; pull it again to check it");
            }
            // The record names one key; with both kinds of requirement, it is the one of its own kind.
            boolean keyOfThisKind = record.key().startsWith("SHA256:") == cosign;
            if (keyOfThisKind && !keys.contains(record.key())) {
                throw refuse(image, "it was accepted by key " + record.key() + ", which " + rule + " no longer trusts");
            }
        }
    }

    /** The fingerprints of the keys {@code r} (signedBy or sigstoreSigned) names. */
    private static List<String> fingerprints(Requirement r, String where) throws TrustException {
        List<String> keys = new ArrayList<>();
        if (r instanceof Requirement.SignedBy s) {
            if (s.keyData() != null) {
                keys.addAll(KeyFingerprints.openPgp(s.keyData(), "keyData of " + where));
            }
            for (Path p : s.keyPaths()) {
                keys.addAll(KeyFingerprints.openPgp(p));
            }
        } else {
            Requirement.SigstoreSigned s = (Requirement.SigstoreSigned) r;
            keys.add(s.keyData() != null ? KeyFingerprints.pem(s.keyData(), "keyData of " + where)
                    : KeyFingerprints.pem(s.keyPath()));
        }
        return keys;
    }

    private static TrustException refuse(String image, String why) {
        return new TrustException("Refusing to start image '" + image + "': " + why + ".");
    }
}
