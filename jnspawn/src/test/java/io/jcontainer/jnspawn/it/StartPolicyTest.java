package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.PolicyCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start re-checks the current signature policy (issue 15): an image imported under an accepting policy, whose
 * policy then rejects it, is refused by jnspawn with one line naming the image and the rule and exit 125, on the
 * JVM path and from a plan file written before the policy changed (the policy is an input of the plan).
 */
@Tag("root")
class StartPolicyTest {
    @TempDir
    static Path tmp;
    static Path store;
    static Path etc;
    static Path layout;
    static Path policy;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        requireCommand("umoci");
        Path root = demoRoot(tmp, "root");
        layout = tmp.resolve("layout");
        Path bundle = tmp.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":1");
        run("umoci", "unpack", "--image", layout + ":1", bundle.toString());
        run("cp", "-a", root + "/.", bundle.resolve("rootfs").toString());
        run("umoci", "repack", "--image", layout + ":1", bundle.toString());
        store = tmp.resolve("store");
        policy = tmp.resolve("policy.json");
        writePolicy(Policy.BUILT_IN_JSON);
        // As `jcontainer import`: checked by the policy's oci transport, then recorded.
        ImageStore s = new ImageStore(store);
        Image image = s.importOciLayout(layout, ImageReference.parse("demo:1"));
        PolicyCheck.checkLocal(Policy.read(policy), "oci", layout, image.reference(), image.manifestDigest(), null)
                .write(store, image.manifestDigest());
        etc = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(etc.resolve("tr.container"), "[Container]\nImage=demo:1\nNetwork=none\nExec=/bin/echo started\n");
    }

    private static void run(String... cmd) throws Exception {
        Result r = exec(List.of(cmd), 120);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.stderr());
    }

    /** As {@code jcontainer trust} writes it: a temp file renamed over. */
    private static void writePolicy(String json) throws Exception {
        Path t = tmp.resolve("policy.json.tmp");
        Files.writeString(t, json);
        Files.move(t, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static List<String> jvm(String... args) {
        List<String> cmd = jnspawnCommand(List.of(args));
        cmd.add(1, "-Djcontainer.search.path=" + etc);
        return cmd;
    }

    static Result withEnv(List<String> cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store, "JCONTAINER_POLICY=" + policy));
        all.addAll(cmd);
        return exec(all, 120);
    }

    /** The stage on the plan of {@code tr}, falling back to {@code fallback} (as bin/jnspawn runs it). */
    static Result planned(List<String> fallback) throws Exception {
        TreeSet<String> sorted = new TreeSet<>();
        for (String a : jvm()) {
            if (a.startsWith("-Djcontainer.")) {
                sorted.add(a.substring(2));
            }
        }
        StringBuilder props = new StringBuilder();
        for (String p : sorted) {
            props.append(p).append('\n');
        }
        List<String> cmd = new ArrayList<>(List.of(EXEC_STAGE.toString(),
                "--plan=" + store.resolve("containers/tr/plan"), "--machine=tr", "--props=" + props, "--"));
        cmd.addAll(fallback);
        return withEnv(cmd);
    }

    @Test
    void anImageThePolicyNowRejectsIsRefusedAtStart() throws Exception {
        // Accepted: two JVM starts (the first changes the root) and a plan, which then starts without a JVM.
        for (int i = 0; i < 2; i++) {
            Result r = withEnv(jvm("-q", "-M", "tr"));
            assertEquals(0, r.exit(), r.stderr());
            assertEquals("started\n", r.stdout());
        }
        Result p = withEnv(jvm("--plan", "-M", "tr"));
        assertTrue(p.stdout().contains("(no JVM at start)"), p.stdout() + p.stderr());
        Result planned = planned(List.of("/bin/sh", "-c", "echo 'the JVM path ran' >&2; exit 99"));
        assertEquals(0, planned.exit(), planned.stderr());

        writePolicy("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"oci\":{\""
                + layout + "\":[{\"type\":\"reject\"}]}}}");
        String refusal = "jnspawn: Refusing to start image 'demo:1': " + policy + ": transports.oci[\"" + layout
                + "\"] rejects it; it was accepted by insecureAcceptAnything (" + policy + ": default).";

        Result r = withEnv(jvm("-q", "-M", "tr"));
        assertEquals(125, r.exit(), r.stderr());
        assertEquals(refusal + "\n", r.stderr());
        assertEquals("", r.stdout());

        // The plan written under the old policy: the stage sees the policy changed, the JVM refuses.
        Result fromPlan = planned(jvm("-q", "-M", "tr"));
        assertEquals(125, fromPlan.exit(), fromPlan.stderr());
        List<String> lines = fromPlan.stderr().lines().toList();
        assertEquals(2, lines.size(), fromPlan.stderr());
        assertTrue(lines.get(0).contains("'" + policy + "' is another file now") && lines.get(0).endsWith("; starting with the JVM"),
                lines.get(0));
        assertEquals(refusal, lines.get(1));
        assertEquals("", fromPlan.stdout());

        // And with --image, without a container file.
        Result direct = withEnv(jnspawnCommand(List.of("-q", "-x", "--image=demo:1", "/bin/true")));
        assertEquals(125, direct.exit());
        assertEquals(refusal + "\n", direct.stderr());

        // Accepted again once the policy is.
        writePolicy(Policy.BUILT_IN_JSON);
        Result again = withEnv(jvm("-q", "-M", "tr"));
        assertEquals(0, again.exit(), again.stderr());
        assertEquals("started\n", again.stdout());
    }
}
