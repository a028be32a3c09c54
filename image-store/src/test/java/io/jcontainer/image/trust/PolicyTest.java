package io.jcontainer.image.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.ImageReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** containers-policy.json(5) read strictly, scopes matched on whole components, written back as read. */
class PolicyTest {
    @TempDir
    Path tmp;

    static final String FULL = """
            {
              "default": [{"type": "reject"}],
              "transports": {
                "docker": {
                  "example.com/app": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k/app.gpg"}],
                  "example.com/app:1": [{"type": "insecureAcceptAnything"}],
                  "example.com": [{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/k/a.gpg", "/k/b.gpg"],
                                   "signedIdentity": {"type": "matchRepository"}}],
                  "*.example.org": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "AAEC",
                                     "signedIdentity": {"type": "matchExact"}}],
                  "mirror.example.net/lib": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k/m.gpg",
                      "signedIdentity": {"type": "remapIdentity", "prefix": "mirror.example.net/lib", "signedPrefix": "example.com/lib"}}],
                  "exact.example.net/x": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k/m.gpg",
                      "signedIdentity": {"type": "exactReference", "dockerReference": "example.com/x:2"}}],
                  "repo.example.net/x": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k/m.gpg",
                      "signedIdentity": {"type": "exactRepository", "dockerRepository": "example.com/x"}}],
                  "sig.example.net": [{"type": "sigstoreSigned", "keyPath": "/k/cosign.pub"}],
                  "": [{"type": "reject"}]
                },
                "oci": {"": [{"type": "insecureAcceptAnything"}]},
                "docker-archive": {"/srv/untrusted": [{"type": "reject"}]}
              }
            }
            """;

    Policy full() throws Exception {
        return PolicyParser.parse(FULL.getBytes(StandardCharsets.UTF_8), "policy.json");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "example.com/app:2, example.com/app",
        "example.com/app:1, example.com/app:1",
        "example.com/app/sub:1, example.com/app",
        "example.com/app-evil:1, example.com",
        "example.com/other:1, example.com",
        "a.b.example.org/x:1, *.example.org",
        "example.org/x:1, ''",
        "quay.io/x:1, ''",
    })
    void selectsTheMostSpecificScopeOnWholeComponents(String image, String scope) throws Exception {
        assertEquals(scope, full().forDocker(ImageReference.parse(image)).scope());
    }

    @Test
    void readsEveryRequirementAndIdentityForm() throws Exception {
        Policy p = full();
        assertInstanceOf(Requirement.Reject.class, p.defaults().get(0));
        Requirement.SignedBy multi = (Requirement.SignedBy) p.transports().get("docker").get("example.com").get(0);
        assertEquals(List.of(Path.of("/k/a.gpg"), Path.of("/k/b.gpg")), multi.keyPaths());
        assertInstanceOf(SignedIdentity.MatchRepository.class, multi.signedIdentity());
        Requirement.SignedBy data = (Requirement.SignedBy) p.transports().get("docker").get("*.example.org").get(0);
        assertEquals(3, data.keyData().length);
        Requirement.SignedBy app = (Requirement.SignedBy) p.transports().get("docker").get("example.com/app").get(0);
        assertInstanceOf(SignedIdentity.MatchRepoDigestOrExact.class, app.signedIdentity());
        assertInstanceOf(Requirement.SigstoreSigned.class, p.transports().get("docker").get("sig.example.net").get(0));
        assertEquals("/srv/untrusted", p.forLocal("docker-archive", Path.of("/srv/untrusted/a.tar")).scope());
        assertEquals("", p.forLocal("oci", Path.of("/srv/x")).scope());
        assertInstanceOf(Requirement.Reject.class, p.forLocal("tarball", Path.of("/srv/x")).requirements().get(0));
    }

    @Test
    void writesBackWhatItRead() throws Exception {
        Policy p = full();
        Policy again = PolicyParser.parse(p.toJson().getBytes(StandardCharsets.UTF_8), "again");
        assertEquals(p.toJson(), again.toJson());
        Policy removed = p.with("docker", "example.com/app", null);
        assertEquals("example.com", removed.forDocker(ImageReference.parse("example.com/app:2")).scope());
    }

    @Test
    void identitiesMatchAsContainersImageDoes() throws Exception {
        ImageReference tagged = ImageReference.parse("example.com/lib/x:1");
        ImageReference other = ImageReference.parse("example.com/lib/x:2");
        ImageReference byDigest = ImageReference.parse("example.com/lib/x@sha256:" + "a".repeat(64));
        assertTrue(new SignedIdentity.MatchRepoDigestOrExact().matches(tagged, tagged));
        assertFalse(new SignedIdentity.MatchRepoDigestOrExact().matches(other, tagged));
        assertTrue(new SignedIdentity.MatchRepoDigestOrExact().matches(byDigest, tagged));
        assertFalse(new SignedIdentity.MatchExact().matches(byDigest, tagged));
        assertTrue(new SignedIdentity.MatchRepository().matches(other, tagged));
        assertTrue(new SignedIdentity.ExactReference(tagged).matches(ImageReference.parse("m.example.net/y:3"), tagged));
        assertTrue(new SignedIdentity.ExactRepository("example.com/lib/x").matches(other, tagged));
        SignedIdentity remap = new SignedIdentity.RemapIdentity("mirror.example.net/lib", "example.com/lib");
        assertTrue(remap.matches(ImageReference.parse("mirror.example.net/lib/x:1"), tagged));
        ImageReference evil = ImageReference.parse("mirror.example.net/lib-evil/x:1");
        assertEquals(evil, ((SignedIdentity.RemapIdentity) remap).remap(evil)); // whole components only
        assertFalse(remap.matches(ImageReference.parse("mirror.example.net/lib/x:2"), tagged));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level key | {\"default\":[{\"type\":\"reject\"}],\"defaults\":1} | unknown key 'defaults' in the top level",
        "no default | {\"transports\":{}} | has no \"default\"",
        "unknown requirement key | {\"default\":[{\"type\":\"reject\",\"keyPath\":\"/x\"}]} | unknown key 'keyPath' in default[0]",
        "unknown type | {\"default\":[{\"type\":\"acceptEverything\"}]} | unknown requirement type 'acceptEverything'",
        "duplicate key | {\"default\":[{\"type\":\"reject\"}],\"default\":[]} | Duplicate field 'default'",
        "two key sources | {\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"keyData\":\"AA==\"}]} | exactly one of keyPath",
        "relative keyPath | {\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"a.gpg\"}]} | not an absolute path",
        "other keyType | {\"default\":[{\"type\":\"signedBy\",\"keyType\":\"signedByGPGKeys\",\"keyPath\":\"/a\"}]} | unsupported keyType",
        "unknown identity key | {\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"matchExact\",\"x\":1}}]} | unknown key 'x' in default[0].signedIdentity",
        "unknown transport | {\"default\":[{\"type\":\"reject\"}],\"transports\":{\"dokcer\":{}}} | unknown transport 'dokcer'",
        "empty list | {\"default\":[]} | empty list",
        "scope without host | {\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"library/busybox\":[{\"type\":\"reject\"}]}}} | invalid scope",
        "not JSON | {\"default\": | Invalid JSON in policy",
    })
    void refusesWhatContainersPolicyJsonDoesNotSay(String name, String json, String expected) throws Exception {
        Path f = Files.writeString(tmp.resolve("policy.json"), json);
        TrustException e = assertThrows(TrustException.class, () -> Policy.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void theBuiltInPolicyRefusesRegistryImagesAndAcceptsLocalOnes() throws Exception {
        Policy p = Policy.builtIn();
        assertInstanceOf(Requirement.Reject.class, p.forDocker(ImageReference.parse("example.com/a:1")).requirements().get(0));
        assertInstanceOf(Requirement.InsecureAcceptAnything.class, p.forLocal("oci", tmp).requirements().get(0));
        assertEquals(p.toJson(), Policy.readOrBuiltIn(tmp.resolve("absent.json")).toJson());
        // what the packages install as /etc/jcontainer/policy.json is the same policy
        Path shipped = Path.of(System.getProperty("user.dir")).getParent().resolve("packaging/policy.json");
        assertEquals(p.toJson(), Policy.read(shipped).toJson());
    }
}
