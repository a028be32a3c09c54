package io.jcontainer.image.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.registry.TestGpg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The start's re-check of the current policy against what accepted an image ({@link StartCheck}), on real gpg keys
 * and a PEM key from openssl, and the fingerprints it reads without BouncyCastle against {@link Keyring}'s.
 */
class StartCheckTest {
    private static TestGpg gpg;
    private static Path dir;
    private static String trusted;
    private static String other;
    private static String pemFingerprint;

    @BeforeAll
    static void keys() throws Exception {
        gpg = new TestGpg();
        dir = Files.createTempDirectory("startcheck");
        trusted = gpg.generate("trusted@example.org", "ed25519", "never", null);
        other = gpg.generate("other@example.org", "rsa2048", "never", null);
        gpg.export(trusted, dir.resolve("trusted.gpg"), false);
        gpg.export(trusted, dir.resolve("trusted.asc"), true);
        gpg.export(other, dir.resolve("other.gpg"), false);
        gpg.run(null, "sh", "-c", "cat " + dir.resolve("trusted.gpg") + " " + dir.resolve("other.gpg") + " > " + dir.resolve("both.gpg"));
        gpg.run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
        gpg.run(dir, "openssl", "ec", "-in", "ec.key", "-pubout", "-out", "ec.pub");
        pemFingerprint = Cosign.fingerprint(Cosign.readPem(Files.readAllBytes(dir.resolve("ec.pub")), "ec.pub"));
    }

    @AfterAll
    static void clean() throws Exception {
        gpg.close();
    }

    @Test
    void fingerprintsAgreeWithBouncyCastle() throws Exception {
        for (String f : List.of("trusted.gpg", "trusted.asc", "other.gpg", "both.gpg")) {
            Path p = dir.resolve(f);
            assertEquals(Keyring.read(p).fingerprints(), KeyFingerprints.openPgp(p), f);
        }
        assertEquals(List.of(trusted), KeyFingerprints.openPgp(dir.resolve("trusted.asc")));
        assertEquals(List.of(trusted, other), KeyFingerprints.openPgp(dir.resolve("both.gpg")));
        assertEquals(pemFingerprint, KeyFingerprints.pem(dir.resolve("ec.pub")));
    }

    @Test
    void refusesWhatIsNoKeyring() throws Exception {
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "not a key\n");
        TrustException e = assertThrows(TrustException.class, () -> KeyFingerprints.openPgp(junk));
        assertEquals("Keyring '" + junk + "' is not an OpenPGP public keyring: a byte at offset 0 is not an OpenPGP "
                + "packet header, refusing.", e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("trusted.gpg")), 40);
        assertTrue(assertThrows(TrustException.class, () -> KeyFingerprints.openPgp(cut, "cut"))
                .getMessage().contains("runs past the end"));
    }

    /** name, policy (KEYS: the keys' directory), record (null: none), expected refusal fragment (null: accepted). */
    static Stream<Arguments> cases() {
        String img = "registry.example.org/team/web:1";
        Verification signed = new Verification(img, "p: transports.docker[\"registry.example.org/team\"]", "signedBy",
                "TRUSTED", img);
        Verification insecure = new Verification(img, "--insecure-policy: default", "insecureAcceptAnything", null, null);
        Verification accepted = new Verification(img, "p: default", "insecureAcceptAnything", null, null);
        Verification cosign = new Verification(img, "p: x", "sigstoreSigned", "PEM", "registry.example.org/team/web");
        Verification local = new Verification("oci-archive:/srv/images/web.tar", "p: default", "insecureAcceptAnything", null, null);
        Verification aci = new Verification("aci:/srv/images/web.aci", "p: transports.docker[\"registry.example.org/team\"]",
                "signedBy", "TRUSTED", img);
        String accept = "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}";
        String signedByTrusted = "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.example.org/team\":"
                + "[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"KEYS/trusted.gpg\"}]}}}";
        String signedByBoth = signedByTrusted.replace("\"keyPath\":\"KEYS/trusted.gpg\"",
                "\"keyPaths\":[\"KEYS/other.gpg\",\"KEYS/trusted.asc\"]");
        String signedByOther = signedByTrusted.replace("trusted.gpg", "other.gpg");
        String signedByMissing = signedByTrusted.replace("trusted.gpg", "gone.gpg");
        String rejectTeam = "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":"
                + "{\"registry.example.org/team/web\":[{\"type\":\"reject\"}]}}}";
        String rejectOtherTeam = rejectTeam.replace("team/web", "team/web-evil");
        String sigstore = "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.example.org\":"
                + "[{\"type\":\"sigstoreSigned\",\"keyPath\":\"KEYS/ec.pub\"}]}}}";
        String rejectDefault = "{\"default\":[{\"type\":\"reject\"}]}";
        String rejectOciArchive = "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"oci-archive\":"
                + "{\"/srv/images\":[{\"type\":\"reject\"}]}}}";
        return Stream.of(
                Arguments.of("accepting policy, signed record", accept, signed, null),
                Arguments.of("accepting policy, no record", accept, null, null),
                Arguments.of("same key still trusted", signedByTrusted, signed, null),
                Arguments.of("key among keyPaths, armored", signedByBoth, signed, null),
                Arguments.of("key no longer trusted", signedByOther, signed,
                        "it was accepted by key TRUSTED, which POLICY: transports.docker[\"registry.example.org/team\"] (signedBy KEYS/other.gpg) no longer trusts."),
                Arguments.of("key file gone", signedByMissing, signed,
                        "(signedBy KEYS/gone.gpg): Key file 'KEYS/gone.gpg' does not exist."),
                Arguments.of("signedBy now, insecure pull", signedByTrusted, insecure,
                        "(signedBy KEYS/trusted.gpg) requires a signature, and it was accepted by insecureAcceptAnything (--insecure-policy: default); pull it again"),
                Arguments.of("insecure pull, the catch-all rejects (the shipped policy)", Policy.BUILT_IN_JSON, insecure, null),
                Arguments.of("accepted unsigned, the catch-all rejects now", Policy.BUILT_IN_JSON, accepted,
                        "POLICY: transports.docker[\"\"] rejects it; it was accepted by insecureAcceptAnything (p: default)"),
                Arguments.of("signedBy now, accepted unsigned", signedByTrusted, accepted, "requires a signature, and it was accepted by insecureAcceptAnything (p: default)"),
                Arguments.of("repository rejected now", rejectTeam, signed,
                        "POLICY: transports.docker[\"registry.example.org/team/web\"] rejects it; it was accepted by signedBy by key TRUSTED"),
                Arguments.of("a reject for web-evil is not for web", rejectOtherTeam, signed, null),
                Arguments.of("cosign key still trusted", sigstore, cosign, null),
                Arguments.of("cosign required, gpg record", sigstore, signed, "requires a signature, and it was accepted by signedBy"),
                Arguments.of("no record, default rejects", rejectDefault, null,
                        "POLICY: default rejects it; it has no verification record"),
                Arguments.of("local import, its directory rejected now", rejectOciArchive, local,
                        "POLICY: transports.oci-archive[\"/srv/images\"] rejects it"),
                Arguments.of("signed ACI, its name's key still trusted", signedByTrusted, aci, null),
                Arguments.of("signed ACI, its name's key no longer trusted", signedByOther, aci,
                        "it was accepted by key TRUSTED, which POLICY: transports.docker[\"registry.example.org/team\"] (signedBy KEYS/other.gpg) no longer trusts."),
                Arguments.of("signed ACI, its name rejected now", rejectTeam, aci,
                        "POLICY: transports.docker[\"registry.example.org/team/web\"] rejects it"),
                Arguments.of("local import, another transport rejected", rejectOciArchive.replace("oci-archive", "tarball"), local, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String policyText, Verification record, String refusal) throws Exception {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, policyText.replace("KEYS", dir.toString()));
        Policy policy = Policy.read(file);
        if (record != null && record.key() != null) {
            record = new Verification(record.image(), record.where(), record.requirement(),
                    record.key().replace("TRUSTED", trusted).replace("PEM", pemFingerprint), record.signedReference());
        }
        Policy.Selected scope = StartCheck.scope(policy, record);
        String image = "registry.example.org/team/web:1";
        if (refusal == null) {
            StartCheck.check(scope, image, record);
            return;
        }
        Verification r = record;
        TrustException e = assertThrows(TrustException.class, () -> StartCheck.check(scope, image, r));
        String expected = refusal.replace("KEYS", dir.toString()).replace("TRUSTED", trusted).replace("POLICY", file.toString());
        assertTrue(e.getMessage().startsWith("Refusing to start image '" + image + "': "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + "\n  expected to contain: " + expected);
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void keyFilesAreTheScopesKeys() throws Exception {
        Policy p = Policy.parse(("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":[\"/k/a.gpg\",\"/k/b.gpg\"]},"
                + "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k/c.pub\"}]}").getBytes(StandardCharsets.UTF_8), "p");
        assertEquals(List.of(Path.of("/k/a.gpg"), Path.of("/k/b.gpg"), Path.of("/k/c.pub")), StartCheck.keyFiles(StartCheck.scope(p, null)));
    }
}
