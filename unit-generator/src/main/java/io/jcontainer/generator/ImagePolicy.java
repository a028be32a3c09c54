package io.jcontainer.generator;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.StartCheck;
import io.jcontainer.image.trust.Verification;
import io.jcontainer.jnspawn.settings.ContainerFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Refuses a container whose image the current signature policy would refuse (issue 15), as jnspawn refuses to
 * start it: the policy ({@code $JCONTAINER_POLICY}, else /etc/jcontainer/policy.json, else the built-in one) against
 * the image's verification record in the store ({@link StartCheck}). Only for an image the store has
 * ({@link ImageConfigReader} found it): the policy, read with Jackson, is read once per run and only then. Loads no
 * BouncyCastle class. {@link #check} may be called from several threads.
 */
final class ImagePolicy {
    /** Overrides the policy's path, for every jcontainer program (jnspawn's ImageTrust, the CLI's Host). */
    static final String POLICY_ENV = "JCONTAINER_POLICY";

    private final Path storeRoot;
    private final Path policyFile;
    private Object policy; // a Policy, or the message of why it cannot be read
    /** Manifest digest to the refusal (a String) or to "" (accepted), per image name. */
    private final Map<String, String> verdicts = new HashMap<>();

    ImagePolicy(Path storeRoot, Path policyFile) {
        this.storeRoot = storeRoot;
        this.policyFile = policyFile;
    }

    /** {@value #POLICY_ENV}, else {@link Policy#DEFAULT_PATH}. */
    static Path pathFromEnvironment() {
        String env = System.getenv(POLICY_ENV);
        return env != null && !env.isEmpty() ? Path.of(env) : Policy.DEFAULT_PATH;
    }

    /** Refuses {@code file}, whose image's manifest in the store is {@code manifest}, as its start would be. */
    synchronized void check(ContainerFile file, Digest manifest) throws UnitConversionException {
        String key = file.image() + " " + manifest;
        String verdict = verdicts.get(key);
        if (verdict == null) {
            verdict = decide(file.image(), manifest);
            verdicts.put(key, verdict);
        }
        if (!verdict.isEmpty()) {
            throw UnitConversionException.at(file.source().toString(), file.lineOf("Image"),
                    "Image=" + file.image() + ": " + verdict);
        }
    }

    private String decide(String image, Digest manifest) {
        if (policy == null) {
            try {
                policy = Policy.readOrBuiltIn(policyFile);
            } catch (ImageStoreException e) {
                policy = e.getMessage();
            }
        }
        if (policy instanceof String message) {
            return message;
        }
        try {
            Verification record = Verification.read(storeRoot, manifest);
            StartCheck.check(StartCheck.scope((Policy) policy, record), image, record);
            return "";
        } catch (ImageStoreException e) {
            return e.getMessage();
        }
    }
}
