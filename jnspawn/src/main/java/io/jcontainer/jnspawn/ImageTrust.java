package io.jcontainer.jnspawn;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.StartCheck;
import io.jcontainer.image.trust.Verification;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import java.nio.file.Path;

/**
 * Refuses to start a container whose image the current signature policy would refuse (issue 15: the policy may
 * have changed since the pull): the policy ({@code $JCONTAINER_POLICY}, else /etc/jcontainer/policy.json, else the
 * built-in one) against the image's verification record ({@link StartCheck}). The policy, the record and the key
 * files consulted are inputs of a plan file, so that an edited policy or a replaced key is seen at the next
 * planned start. Reads no signature and loads no BouncyCastle class.
 */
final class ImageTrust {
    /** Overrides the policy's path, for every jcontainer program (the CLI's Host reads the same variable). */
    static final String POLICY_ENV = "JCONTAINER_POLICY";

    private ImageTrust() {
    }

    /** The policy file this start reads. */
    static Path policyPath() {
        String env = PlanInputs.getenv(POLICY_ENV);
        return env != null && !env.isEmpty() ? Path.of(env) : Policy.DEFAULT_PATH;
    }

    /** Refuses {@code image}, stored under {@code storeRoot} and named {@code imageName}, when the policy would. */
    static void check(Path storeRoot, Image image, String imageName) throws LaunchException {
        Path policyFile = policyPath();
        Path recordFile = Verification.file(storeRoot, image.manifestDigest());
        PlanInputs.record(policyFile, PlanInputs.How.STAT);
        PlanInputs.record(recordFile, PlanInputs.How.LSTAT);
        try {
            Policy policy = Policy.readOrBuiltIn(policyFile);
            Verification record = Verification.read(storeRoot, image.manifestDigest());
            Policy.Selected scope = StartCheck.scope(policy, record);
            for (Path key : StartCheck.keyFiles(scope)) {
                PlanInputs.record(key, PlanInputs.How.STAT);
            }
            StartCheck.check(scope, imageName, record);
        } catch (ImageStoreException e) { // TrustException too
            throw new LaunchException(e.getMessage(), e);
        }
    }
}
