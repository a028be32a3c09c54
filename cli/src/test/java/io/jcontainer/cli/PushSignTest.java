package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code push --sign-by}: a key from {@code gpg --quick-gen-key}, an image pushed to docker-registry on loopback and
 * signed into the registries.d {@code lookaside-staging}; once the staging directory is published as the
 * {@code lookaside}, {@code skopeo --policy} (the oracle) and {@code jcontainer pull} with the same policy accept it,
 * and refuse it before.
 */
class PushSignTest {
    @TempDir
    Path tmp;
    Path gnupg;

    @AfterEach
    void killAgent() throws Exception {
        if (gnupg != null) {
            run(null, "gpgconf", "--kill", "gpg-agent");
            ImageBuild.deleteQuietly(gnupg);
        }
    }

    /** Runs {@code command} with the test's GNUPGHOME; its exit status and output. */
    Jcontainer.Outcome run(Path registriesD, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Jcontainer.Outcome(p.waitFor(), out, "");
    }

    String ok(String... command) throws Exception {
        Jcontainer.Outcome o = run(null, command);
        assertEquals(0, o.status(), String.join(" ", command) + ": " + o.out());
        return o.out();
    }

    @Test
    void aPushSignedByAGpgKeyIsAcceptedBySkopeoAndByPullOncePublished() throws Exception {
        RealImagesTest.requireCommand("gpg");
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "jc-push-gpg-");
        ok("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                "pusher <pusher@example.org>", "ed25519", "sign", "never");
        String fpr = ok("gpg", "--with-colons", "--list-keys").lines().filter(l -> l.startsWith("fpr:")).findFirst()
                .orElseThrow().split(":")[9];
        Path key = tmp.resolve("pusher.asc");
        ok("gpg", "--batch", "--armor", "--output", key.toString(), "--export", fpr);
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Path published = Files.createDirectories(tmp.resolve("published"));
        Path registriesD = Files.createDirectories(tmp.resolve("registries.d"));
        Files.writeString(registriesD.resolve("default.yaml"), "default-docker:\n  lookaside: file://" + published
                + "\n  lookaside-staging: file://" + staging + "\n");
        Path layout = TestImages.ociLayoutDirectory(tmp.resolve("layout"), TestImages.layer(Map.of("etc/x", "1\n")), "/x", "t");

        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            String h = registry.host();
            String ref = h + "/app/web:1";
            Jcontainer jc = new Jcontainer(tmp).with("GNUPGHOME", gnupg.toString());
            jc.ok("import", "--name", "app/web:1", layout.toString());
            jc.ok("trust", "--prefix=" + h + "/app", key.toString());
            Path policy = tmp.resolve("policy.json");

            var pushed = jc.ok("push", "--insecure", "--sign-by", fpr, "app/web:1", ref);

            String digest = TestImages.manifestDigest(TestImages.layer(Map.of("etc/x", "1\n")), "/x");
            Path sig = staging.resolve("app/web@" + digest.replace(':', '=') + "/signature-1");
            assertTrue(pushed.out().contains("Signed " + ref + " by " + fpr + ": " + sig), pushed.out());
            assertTrue(Files.isRegularFile(sig), sig + " written");

            List<String> skopeo = List.of("skopeo", "--policy", policy.toString(), "--registries.d", registriesD.toString(),
                    "copy", "-q", "--src-tls-verify=false", "docker://" + ref, "dir:" + tmp.resolve("copied"));
            Jcontainer.Outcome unpublished = run(null, skopeo.toArray(String[]::new));
            assertFalse(unpublished.status() == 0, "skopeo refuses before the staging is published: " + unpublished.out());
            assertTrue(unpublished.out().contains("no signature exists"), unpublished.out());
            Jcontainer puller = new Jcontainer(tmp.resolve("other")).with(Host.POLICY_ENV, policy.toString())
                    .with(Host.REGISTRIES_D_ENV, registriesD.toString());
            var refused = puller.run("pull", "--insecure", ref);
            assertEquals(125, refused.status(), refused.err());
            assertTrue(refused.err().contains("it has no signature"), refused.err());

            ok("cp", "-a", staging + "/.", published.toString()); // publishing: the user's business, as with skopeo

            Jcontainer.Outcome accepted = run(null, skopeo.toArray(String[]::new));
            assertEquals(0, accepted.status(), "skopeo accepts what push signed: " + accepted.out());
            puller.ok("pull", "--insecure", ref);
            assertTrue(puller.ok("inspect", ref).out().contains("Verified: signedBy by key " + fpr + ", signed as '" + ref + "'"));
        }
    }

    @Test
    void aKeyGpgCannotUseOrNoStagingPushesNothing() throws Exception {
        RealImagesTest.requireCommand("gpg");
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "jc-push-gpg-");
        Path layout = TestImages.ociLayoutDirectory(tmp.resolve("layout"), TestImages.layer(Map.of("etc/x", "1\n")), "/x", "t");
        Jcontainer jc = new Jcontainer(tmp).with("GNUPGHOME", gnupg.toString());
        jc.ok("import", "--name", "app/web:1", layout.toString());

        var noStaging = jc.run("push", "--insecure", "--sign-by", "0000000000000000000000000000000000000000", "app/web:1",
                "127.0.0.1:1/app/web:1");
        assertEquals(125, noStaging.status());
        assertEquals("jcontainer: Cannot sign '127.0.0.1:1/app/web:1': registries.d ([" + tmp.resolve("registries.d")
                + "]) names no lookaside-staging or lookaside for it, refusing.", noStaging.errLine());

        Path registriesD = Files.createDirectories(tmp.resolve("registries.d"));
        Files.writeString(registriesD.resolve("default.yaml"), "default-docker:\n  lookaside-staging: file://" + tmp.resolve("s") + "\n");
        var noKey = jc.run("push", "--insecure", "--sign-by", "0000000000000000000000000000000000000000", "app/web:1",
                "127.0.0.1:1/app/web:1");
        assertEquals(125, noKey.status());
        assertTrue(noKey.errLine().startsWith("jcontainer: Failed to sign with key '0000000000000000000000000000000000000000': gpg: "),
                noKey.err());
        assertFalse(Files.exists(tmp.resolve("s")), "nothing staged");
    }
}
