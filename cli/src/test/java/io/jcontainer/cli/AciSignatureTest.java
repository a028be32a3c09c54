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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACIs verified against their detached {@code .asc} as rkt verifies them: keys from {@code gpg --quick-gen-key}
 * (Ed25519 and RSA), trusted with {@code jcontainer trust --prefix}, signatures from {@code gpg --detach-sign}
 * (binary) and {@code --armor --detach-sign}; the ACI's manifest name selects the keys, on whole components.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AciSignatureTest {
    static Path gnupg;
    static String edFpr;
    static String rsaFpr;
    static Path edKey;
    static Path rsaKey;

    @TempDir
    Path tmp;
    Jcontainer jc;

    @BeforeAll
    static void keys() throws Exception {
        RealImagesTest.requireCommand("gpg");
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "jc-aci-gpg-");
        edFpr = genKey("aci <aci@example.org>", "ed25519");
        rsaFpr = genKey("rsa <rsa@example.org>", "rsa2048");
        edKey = gnupg.resolve("ed.asc");
        rsaKey = gnupg.resolve("rsa.gpg");
        gpg("--armor", "--output", edKey.toString(), "--export", edFpr);
        gpg("--output", rsaKey.toString(), "--export", rsaFpr);
    }

    @AfterAll
    static void killAgent() throws Exception {
        if (gnupg != null) {
            run("gpgconf", "--kill", "gpg-agent");
            ImageBuild.deleteQuietly(gnupg);
        }
    }

    static String genKey(String uid, String algo) throws Exception {
        gpg("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, algo, "sign", "never");
        String fpr = null;
        for (String l : gpg("--with-colons", "--list-keys", uid).lines().toList()) {
            if (l.startsWith("fpr:") && fpr == null) {
                fpr = l.split(":")[9];
            }
        }
        return fpr;
    }

    static String gpg(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("gpg", "--batch", "--yes"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    static String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    @BeforeEach
    void setUp() throws Exception {
        jc = new Jcontainer(tmp);
        jc.ok("trust", "--prefix=example.org/aci", edKey.toString());
        jc.ok("trust", "--prefix=example.org/rsa", rsaKey.toString());
    }

    /** An ACI named {@code name} (gzip), with rootfs/bin/hello. */
    Path aci(String name) throws Exception {
        return aci(name, "#!/bin/sh\necho hello\n");
    }

    Path aci(String name, String hello) throws Exception {
        String manifest = AciImportTest.MANIFEST.replace("\"example.org/aci\"", "\"" + name + "\"");
        Path dir = Files.createDirectories(tmp.resolve("aci-dir"));
        Files.writeString(dir.resolve("manifest"), manifest);
        Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(dir.resolve("rootfs/bin/hello"), hello);
        Path aci = tmp.resolve("app.aci");
        CommitBuildTest.sh("tar --owner=0 --group=0 -C " + dir + " -czf " + aci + " manifest rootfs");
        return aci;
    }

    static void sign(Path aci, String fpr, boolean armor) throws Exception {
        Path asc = aci.resolveSibling(aci.getFileName() + ".asc");
        if (armor) {
            gpg("--local-user", fpr, "--armor", "--output", asc.toString(), "--detach-sign", aci.toString());
        } else {
            gpg("--local-user", fpr, "--output", asc.toString(), "--detach-sign", aci.toString());
        }
    }

    void assertNothingImported() {
        assertEquals("[]", jc.ok("images", "--json").out().replaceAll("\\s", ""), "nothing imported");
    }

    @Test
    void anArmoredSignatureByTheKeyTrustedForItsNameIsAcceptedAndRecorded() throws Exception {
        Path aci = aci("example.org/aci");
        sign(aci, edFpr, true);

        var outcome = jc.ok("import", aci.toString());

        assertTrue(outcome.out().startsWith("Imported example.org/aci:1.2 from an ACI: "), outcome.out());
        assertEquals("", outcome.err());
        String inspect = jc.ok("inspect", "example.org/aci:1.2").out();
        assertTrue(inspect.contains("Verified: signedBy by key " + edFpr + ", signed as 'example.org/aci:1.2' ("
                + tmp.resolve("policy.json") + ": transports.docker[\"example.org/aci\"])"), inspect);
        JsonNode images = new ObjectMapper().readTree(jc.ok("images", "--json").out());
        assertEquals("aci:" + aci, images.get(0).get("verification").get("image").asText(), images.toString());
    }

    @Test
    void aBinaryRsaSignatureIsAcceptedForANameBelowItsPrefix() throws Exception {
        Path aci = aci("example.org/rsa/tool");
        sign(aci, rsaFpr, false);

        jc.ok("import", aci.toString());

        assertTrue(jc.ok("inspect", "example.org/rsa/tool:1.2").out().contains("Verified: signedBy by key " + rsaFpr));
    }

    @Test
    void aSignatureByAKeyNotTrustedForItsNameIsRefused() throws Exception {
        Path aci = aci("example.org/aci");
        sign(aci, rsaFpr, true);

        var outcome = jc.run("import", aci.toString());

        assertEquals(125, outcome.status());
        String line = outcome.errLine();
        assertTrue(line.startsWith("jcontainer: Refusing ACI '" + aci + "' (named 'example.org/aci:1.2'): it does not "
                + "satisfy "), line);
        assertTrue(line.contains("is signed by key " + rsaFpr.substring(24) + ", which is not trusted for 'example.org/aci'"), line);
        assertTrue(line.endsWith("'jcontainer trust --prefix=example.org/aci KEYFILE'."), line);
        assertNothingImported();
    }

    @Test
    void aTamperedAciIsRefused() throws Exception {
        Path aci = aci("example.org/aci");
        sign(aci, edFpr, false);
        aci("example.org/aci", "#!/bin/sh\necho pwned\n"); // the same name, other files: the .asc is the old one's

        var outcome = jc.run("import", aci.toString());

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().endsWith("does not verify (the file is not what was signed)."), outcome.err());
        assertTrue(outcome.errLine().startsWith("jcontainer: Refusing ACI '" + aci + "'"), outcome.err());
        assertNothingImported();
    }

    @Test
    void aNameOutsideTheTrustedPrefixIsRefusedEvenWithTheKeysSignature() throws Exception {
        Path aci = aci("example.org/aci-evil");
        sign(aci, edFpr, true);

        var outcome = jc.run("import", aci.toString());

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Refusing ACI '" + aci + "' (named 'example.org/aci-evil:1.2'): no key is trusted for "
                + "its name (" + tmp.resolve("policy.json") + ": transports.docker[\"\"] rejects images without a trusted "
                + "key); trust its publisher's key with 'jcontainer trust --prefix=example.org/aci-evil KEYFILE'.",
                outcome.errLine());
        assertNothingImported();
    }

    @Test
    void anAciWithoutItsAscIsRefusedByImportAndRunUnlessTheyAreToldToTakeItUnverified() throws Exception {
        Path aci = aci("example.org/aci");

        var imported = jc.run("import", aci.toString());
        var ran = jc.run("run", "--rm", aci.toString());

        assertEquals(125, imported.status());
        String expected = "jcontainer: Refusing ACI '" + aci + "' (named 'example.org/aci:1.2'): it has no signature '"
                + aci + ".asc', and " + tmp.resolve("policy.json") + ": transports.docker[\"example.org/aci\"] (signedBy "
                + tmp.resolve("trust/example.org%2Faci.gpg") + ") requires one.";
        assertEquals(expected, imported.errLine());
        assertEquals(125, ran.status());
        assertEquals(expected, ran.errLine());
        assertNothingImported();

        var insecure = jc.ok("import", "--insecure-policy", aci.toString());
        assertEquals("jcontainer: warning: importing '" + aci + "' unverified (--insecure-policy).", insecure.errLine());
        assertTrue(jc.ok("inspect", "example.org/aci:1.2").out().contains("Verified: insecureAcceptAnything (--insecure-policy: default)"));
    }

    @Test
    void imageWriteSignByWritesTheAscThatImportAccepts() throws Exception {
        Path file = Files.writeString(tmp.resolve("hello"), "#!/bin/sh\necho hello\n");
        String work = tmp.resolve("build").toString();
        jc.with("GNUPGHOME", gnupg.toString());
        jc.ok("image", "--work", work, "begin");
        jc.ok("image", "--work", work, "set-name", "example.org/aci/written");
        jc.ok("image", "--work", work, "label", "add", "version", "2");
        jc.ok("image", "--work", work, "copy", file.toString(), "/bin/hello");
        Path out = tmp.resolve("written.aci");

        var wrote = jc.ok("image", "--work", work, "write", "--sign-by", edFpr, out.toString());

        assertTrue(wrote.out().contains("Signed " + out + " by " + edFpr + ": " + out + ".asc"), wrote.out());
        assertTrue(Files.readString(tmp.resolve("written.aci.asc")).startsWith("-----BEGIN PGP SIGNATURE-----"));
        jc.ok("import", out.toString());
        assertTrue(jc.ok("inspect", "example.org/aci/written:2").out().contains("Verified: signedBy by key " + edFpr));
        var oci = jc.run("image", "--work", work, "write", "--sign-by", edFpr, tmp.resolve("x.oci.tar").toString());
        assertEquals("jcontainer: --sign-by signs an ACI file only (its OUT.asc), refusing.", oci.errLine());
    }

    @Test
    void aSignatureThatIsNoDetachedSignatureIsOneLine() throws Exception {
        Path aci = aci("example.org/aci");
        Files.writeString(aci.resolveSibling("app.aci.asc"), "not a signature\n");

        var outcome = jc.run("import", aci.toString());

        assertEquals(125, outcome.status());
        assertFalse(outcome.errLine().isEmpty());
        assertTrue(outcome.errLine().startsWith("jcontainer: Refusing ACI '" + aci + "'"), outcome.err());
        assertNothingImported();
    }
}
