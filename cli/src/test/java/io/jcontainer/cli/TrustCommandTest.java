package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer trust} and the default policy end to end: a key from gpg, images signed by
 * {@code skopeo copy --sign-by} into a lookaside directory and pushed to docker-registry on loopback; the
 * default refuses them until the key is trusted for their prefix, and only for that prefix.
 */
class TrustCommandTest {
    @TempDir
    Path tmp;
    Path gnupg;

    @AfterEach
    void killAgent() throws Exception {
        if (gnupg != null) {
            gpg("gpgconf", "--kill", "gpg-agent");
        }
    }

    String gpg(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void aTrustedPrefixAcceptsItsSignedImagesAndNothingElse() throws Exception {
        RealImagesTest.requireCommand("gpg");
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "jc-gpg-");
        gpg("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                "release <release@example.org>", "ed25519", "sign", "never");
        String fpr = gpg("gpg", "--with-colons", "--list-keys").lines().filter(l -> l.startsWith("fpr:")).findFirst()
                .orElseThrow().split(":")[9];
        Path key = tmp.resolve("release.asc");
        gpg("gpg", "--batch", "--armor", "--output", key.toString(), "--export", fpr);
        Path sigstore = Files.createDirectories(tmp.resolve("sigstore"));
        Path registriesD = Files.createDirectories(tmp.resolve("registries.d"));
        Files.writeString(registriesD.resolve("default.yaml"), "default-docker:\n  lookaside: file://" + sigstore + "\n");
        Path layout = TestImages.ociLayoutDirectory(tmp.resolve("layout"), TestImages.layer(Map.of("etc/x", "1\n")), "/x", "t");

        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            String h = registry.host();
            for (String[] push : List.of(new String[] {"app/web:1", fpr}, new String[] {"app-evil/web:1", fpr},
                    new String[] {"app/unsigned:1", null})) {
                List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "--registries.d", registriesD.toString(),
                        "copy", "-q", "--dest-tls-verify=false"));
                if (push[1] != null) {
                    cmd.addAll(List.of("--sign-by", push[1]));
                }
                cmd.addAll(List.of("oci:" + layout + ":t", "docker://" + h + "/" + push[0]));
                gpg(cmd.toArray(String[]::new));
            }
            Jcontainer jc = new Jcontainer(tmp);
            Jcontainer.Outcome refused = jc.run("pull", "--insecure", h + "/app/web:1");
            assertEquals(125, refused.status(), refused.err());
            assertEquals(1, refused.err().strip().lines().count(), refused.err());
            assertTrue(refused.err().contains("'jcontainer trust --prefix=" + h + "/app/web KEYFILE'"), refused.err());

            String trusted = jc.ok("trust", "--prefix=" + h + "/app", key.toString()).out();
            assertTrue(trusted.contains(fpr) && trusted.contains("release <release@example.org>"), trusted);
            assertTrue(Files.readString(tmp.resolve("policy.json")).contains("\"" + h + "/app\""));

            jc.ok("pull", "--insecure", h + "/app/web:1");
            String inspect = jc.ok("inspect", h + "/app/web:1").out();
            assertTrue(inspect.contains("Verified: signedBy by key " + fpr + ", signed as '" + h + "/app/web:1'"), inspect);
            JsonNode images = new ObjectMapper().readTree(jc.ok("images", "--json").out());
            assertEquals(fpr, images.get(0).get("verification").get("key").asText(), images.toString());

            Jcontainer.Outcome unsigned = jc.run("pull", "--insecure", h + "/app/unsigned:1");
            assertEquals(125, unsigned.status());
            assertTrue(unsigned.err().contains("it has no signature"), unsigned.err());
            Jcontainer.Outcome evil = jc.run("pull", "--insecure", h + "/app-evil/web:1");
            assertEquals(125, evil.status());
            assertTrue(evil.err().contains("no key is trusted for it"), evil.err() + " (app is not a prefix of app-evil)");

            jc.ok("pull", "--insecure", "--insecure-policy", h + "/app/unsigned:1");
            String insecure = jc.ok("inspect", h + "/app/unsigned:1").out();
            assertTrue(insecure.contains("Verified: insecureAcceptAnything (--insecure-policy: default)"), insecure);

            JsonNode show = new ObjectMapper().readTree(jc.ok("trust", "show", "--json").out());
            JsonNode rule = null;
            for (JsonNode r : show.get("rules")) {
                if (r.get("scope").asText().equals(h + "/app")) {
                    rule = r;
                }
            }
            assertEquals(fpr, rule.get("keys").get(0).get("fingerprints").get(0).asText(), show.toString());
            assertTrue(jc.ok("trust", "show").out().contains(h + "/app"));

            jc.ok("trust", "set", "-t", "accept", h + "/app-evil");
            jc.ok("pull", "--insecure", h + "/app-evil/web:1");
            jc.ok("trust", "rm", h + "/app");
            assertEquals(125, jc.run("pull", "--insecure", h + "/app/web:1").status(), "refused again once the key is gone");
            assertEquals(125, jc.run("trust", "rm", h + "/app").status());

            Path other = Files.writeString(tmp.resolve("accept.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
            jc.ok("pull", "--insecure", "--signature-policy", other.toString(), h + "/app/web:1");

            Files.writeString(tmp.resolve("policy.json"), "{\"default\":[{\"type\":\"reject\"}],\"bogus\":1}");
            Jcontainer.Outcome bad = jc.run("pull", "--insecure", h + "/app/web:1");
            assertEquals(125, bad.status());
            assertEquals("jcontainer: Invalid policy '" + tmp.resolve("policy.json") + "': unknown key 'bogus' in the top level, refusing.",
                    bad.err().strip());
            assertEquals(125, jc.run("trust", "--prefix=" + h + "/x", key.toString()).status(), "no write over a bad policy");
            assertTrue(Files.readString(tmp.resolve("policy.json")).contains("bogus"));
        }
    }

    @Test
    void refusesBadPrefixesAndKeysWithOneLine() throws Exception {
        Jcontainer jc = new Jcontainer(tmp);
        Path junk = Files.writeString(tmp.resolve("junk.asc"), "not a key\n");
        for (Jcontainer.Outcome o : List.of(jc.run("trust", "--prefix=example.com/a:1", junk.toString()),
                jc.run("trust", "--prefix=example.com/a", junk.toString()),
                jc.run("trust", "set", "-t", "signedBy", "example.com"),
                jc.run("trust", "set", "-t", "maybe", "example.com"))) {
            assertEquals(125, o.status(), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
        }
        assertFalse(Files.exists(tmp.resolve("policy.json")), "nothing written");
        jc.ok("trust", "set", "-t", "reject", "default");
        assertTrue(Files.readString(tmp.resolve("policy.json")).contains("\"reject\""));
        assertTrue(jc.ok("trust", "show").out().contains("default"));
    }

    @Test
    void aPemKeyIsTrustedForCosignSignatures() throws Exception {
        RealImagesTest.requireCommand("openssl");
        Path key = tmp.resolve("ec.key");
        for (String[] cmd : List.of(new String[] {"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()},
                new String[] {"openssl", "ec", "-in", key.toString(), "-pubout", "-out", tmp.resolve("ec.pub").toString()})) {
            assertEquals(0, new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor());
        }
        Jcontainer jc = new Jcontainer(tmp);
        String out = jc.ok("trust", "--prefix=example.com/c", tmp.resolve("ec.pub").toString()).out();
        assertTrue(out.startsWith("Trusting SHA256:") && out.contains("(EC public key)"), out);
        String policy = Files.readString(tmp.resolve("policy.json"));
        assertTrue(policy.contains("\"sigstoreSigned\"") && policy.contains(tmp.resolve("trust") + "/example.com%2Fc.pub"), policy);
        String fpr = out.substring("Trusting ".length(), out.indexOf(' ', "Trusting ".length()));
        assertTrue(jc.ok("trust", "show").out().contains(fpr));
    }

    @Test
    void aDirImageIsImportedWhenItsSignatureNamesItsName() throws Exception {
        RealImagesTest.requireCommand("gpg");
        RealImagesTest.requireCommand("skopeo");
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "jc-gpg-");
        gpg("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                "dir <dir@example.org>", "rsa2048", "sign", "never");
        String fpr = gpg("gpg", "--with-colons", "--list-keys").lines().filter(l -> l.startsWith("fpr:")).findFirst()
                .orElseThrow().split(":")[9];
        gpg("gpg", "--batch", "--output", tmp.resolve("dir.gpg").toString(), "--export", fpr);
        Path layout = TestImages.ociLayoutDirectory(tmp.resolve("layout"), TestImages.layer(Map.of("etc/x", "1\n")), "/x", "t");
        Path dir = tmp.resolve("signed-dir");
        gpg("skopeo", "copy", "-q", "--sign-by", fpr, "--sign-identity", "example.org/d:1", "oci:" + layout + ":t", "dir:" + dir);
        assertTrue(Files.exists(dir.resolve("signature-1")));
        Files.writeString(tmp.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":"
                + "{\"dir\":{\"\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + tmp.resolve("dir.gpg") + "\"}]}}}");
        Jcontainer jc = new Jcontainer(tmp);
        Jcontainer.Outcome other = jc.run("import", dir.toString(), "--name", "example.org/other:1");
        assertEquals(125, other.status());
        assertTrue(other.err().contains("names 'example.org/d:1'"), other.err());
        jc.ok("import", dir.toString(), "--name", "example.org/d:1");
        assertTrue(jc.ok("inspect", "example.org/d:1").out().contains("Verified: signedBy by key " + fpr), "the dir's signature");
        Files.delete(dir.resolve("signature-1"));
        Jcontainer.Outcome unsigned = jc.run("import", dir.toString(), "--name", "example.org/d:2");
        assertEquals(125, unsigned.status());
        assertTrue(unsigned.err().contains("it has no signature"), unsigned.err());
        Files.delete(tmp.resolve("policy.json")); // the built-in policy accepts a local dir: image unsigned
        jc.ok("import", dir.toString(), "--name", "example.org/d:2");
        assertEquals(2, new ObjectMapper().readTree(jc.ok("images", "--json").out()).size());
    }

    @Test
    void importsFollowThePolicyOfTheirTransport() throws Exception {
        Jcontainer jc = new Jcontainer(tmp);
        Path layout = TestImages.ociLayoutDirectory(tmp.resolve("layout"), TestImages.layer(Map.of("etc/x", "1\n")), "/x", "t");
        Files.writeString(tmp.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],"
                + "\"transports\":{\"oci\":{\"" + tmp.resolve("layout") + "\":[{\"type\":\"reject\"}]}}}");
        Jcontainer.Outcome refused = jc.run("import", layout.toString(), "--name", "example.org/l:1");
        assertEquals(125, refused.status());
        assertTrue(refused.err().contains("transports.oci[\"" + layout + "\"] rejects it"), refused.err());
        assertEquals("[ ]", jc.ok("images", "--json").out().strip());
        Files.delete(tmp.resolve("policy.json")); // the built-in policy: local imports are accepted
        jc.ok("import", layout.toString(), "--name", "example.org/l:1");
        assertTrue(jc.ok("inspect", "example.org/l:1").out().contains("Verified: insecureAcceptAnything (built-in policy: default)"));
    }
}
