package io.jcontainer.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Digest;
import io.jcontainer.image.trust.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator refuses a container whose image the current policy would refuse (issue 15), as jnspawn refuses to
 * start it: one line naming the file, its Image= line, the image and the rule; the other files are generated.
 */
class ImagePolicyTest {
    @TempDir
    Path tmp;

    @Test
    void aContainerWhoseImageThePolicyNowRejectsIsReportedAndSkipped() throws Exception {
        Path store = tmp.resolve("store");
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        String pulled = "registry.example.org/team/web:1";
        String digest = TestStore.addImage(store, pulled, TestStore.config("{}"));
        // What a pull with --insecure-policy records.
        new Verification(pulled, "--insecure-policy: default", "insecureAcceptAnything", null, null)
                .write(store, Digest.parse(digest));
        TestStore.addImage(store, "committed:1", TestStore.config("{\"User\":\"1\"}")); // another manifest, no record
        Files.writeString(etc.resolve("a.container"), "[Container]\nImage=" + pulled + "\n");
        Files.writeString(etc.resolve("b.container"), "[Container]\nImage=committed:1\n");
        Files.writeString(etc.resolve("c.container"), "[Container]\nImage=absent.example.org/x:1\n");
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":"
                + "{\"registry.example.org/team\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/k.gpg\"}]}}}");
        Path out = tmp.resolve("generator");

        // Accepted under the built-in policy (no policy file): its default accepts the unsigned import alike.
        GeneratorRun before = GeneratorRun.run(List.of(etc), null, store, tmp.resolve("none.json"),
                tmp.resolve("before").toString());
        assertEquals(0, before.status(), before.toString());

        GeneratorRun run = GeneratorRun.run(List.of(etc), null, store, policy, out.toString());
        assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
        assertEquals(etc.resolve("a.container") + ":2: Image=" + pulled + ": Refusing to start image '" + pulled + "': "
                + policy + ": transports.docker[\"registry.example.org/team\"] (signedBy /k.gpg): Key file '/k.gpg' "
                + "does not exist.\n", run.stderr());
        assertFalse(Files.exists(out.resolve("jcontainer@a.service.d")), "the refused container has no unit");
        assertTrue(Files.exists(out.resolve("jcontainer@b.service.d/50-container.conf")));
        assertTrue(Files.exists(out.resolve("jcontainer@c.service.d/50-container.conf")), "an image not pulled yet");

        // The key there, the record still says no signature was checked.
        Path key = tmp.resolve("k.gpg");
        Files.write(key, new byte[] {(byte) 0x99, 0, 1, 4}); // one v4 public key packet header, body "4"
        Files.writeString(policy, Files.readString(policy).replace("/k.gpg", key.toString()));
        run = GeneratorRun.run(List.of(etc), null, store, policy, out.toString());
        assertEquals(etc.resolve("a.container") + ":2: Image=" + pulled + ": Refusing to start image '" + pulled + "': "
                + policy + ": transports.docker[\"registry.example.org/team\"] (signedBy " + key + ") requires a "
                + "signature, and it was accepted by insecureAcceptAnything (--insecure-policy: default); pull it "
                + "again to check it.\n", run.stderr());

        // A policy that cannot be read refuses each container with an image of the store, naming the policy.
        Files.writeString(policy, "{\"default\":[{\"type\":\"accept\"}]}");
        run = GeneratorRun.run(List.of(etc), null, store, policy, out.toString());
        String[] lines = run.stderr().split("\n");
        assertEquals(2, lines.length, run.stderr());
        assertEquals(etc.resolve("a.container") + ":2: Image=" + pulled + ": Invalid policy '" + policy
                + "': unknown requirement type 'accept' in default[0], refusing.", lines[0]);
        assertTrue(lines[1].startsWith(etc.resolve("b.container") + ":2: Image=committed:1: Invalid policy"), lines[1]);
    }

    @Test
    void noRecordFollowsThePolicysDefault() throws Exception {
        Path store = tmp.resolve("store");
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        TestStore.addImage(store, "committed:1", TestStore.config("{}"));
        Files.writeString(etc.resolve("b.container"), "[Container]\nImage=committed:1\n");
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, "{\"default\":[{\"type\":\"reject\"}]}");
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, store, policy, tmp.resolve("out").toString());
        assertEquals(etc.resolve("b.container") + ":2: Image=committed:1: Refusing to start image 'committed:1': "
                + policy + ": default rejects it; it has no verification record (committed, built, or stored before "
                + "records).\n", run.stderr());
    }
}
