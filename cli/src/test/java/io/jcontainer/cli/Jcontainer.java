package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs jcontainer in-process with a test's own store, container file directory and (absent) system bus. */
final class Jcontainer {
    private final Map<String, String> env = new HashMap<>();
    /** The caller's effective uid as jcontainer sees it: root unless a test says otherwise. */
    private int uid;

    /** What one run printed and returned. */
    record Outcome(int status, String out, String err) {
        /** The single line on stderr (failing the test if there are more or none). */
        String errLine() {
            assertEquals(1, err.lines().count(), () -> "expected one line on stderr, got:\n" + err + "\nstdout:\n" + out);
            return err.strip();
        }

        Outcome expectSuccess() {
            assertEquals(0, status, () -> "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    Jcontainer(Path tmp) {
        env.put(Host.ROOT_ENV, tmp.resolve("store").toString());
        env.put(Host.SEARCH_PATH_ENV, tmp.resolve("run") + ":" + tmp.resolve("etc"));
        env.put(Host.BUS_ENV, "unix:path=" + tmp.resolve("no-bus-here"));
        // The signature policy, keys and registries.d of the test, not the host's (absent: the built-in policy).
        env.put(Host.POLICY_ENV, tmp.resolve("policy.json").toString());
        env.put(Host.TRUST_DIR_ENV, tmp.resolve("trust").toString());
        env.put(Host.REGISTRIES_D_ENV, tmp.resolve("registries.d").toString());
    }

    Jcontainer with(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Runs the next verbs as if the caller's effective uid were {@code uid}. */
    Jcontainer asUid(int uid) {
        this.uid = uid;
        return this;
    }

    Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.commandLine(new Main(env, uid), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    Outcome ok(String... args) {
        return run(args).expectSuccess();
    }
}
