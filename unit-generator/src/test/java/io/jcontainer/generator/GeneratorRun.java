package io.jcontainer.generator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** One in-process run of {@link GeneratorMain#run} with its output captured. */
record GeneratorRun(int status, String stdout, String stderr) {

    /** A store root that does not exist: the container files alone decide. */
    static final Path NO_STORE = Path.of("/nonexistent/jcontainer-generator-test-store");

    static GeneratorRun run(List<Path> searchDirs, Path kmsg, String... args) {
        return run(searchDirs, kmsg, NO_STORE, args);
    }

    /** A policy file that does not exist: the built-in policy, whatever the host has. */
    static final Path NO_POLICY = Path.of("/nonexistent/jcontainer-generator-test-policy.json");

    static GeneratorRun run(List<Path> searchDirs, Path kmsg, Path storeRoot, String... args) {
        return run(searchDirs, kmsg, storeRoot, NO_POLICY, args);
    }

    static GeneratorRun run(List<Path> searchDirs, Path kmsg, Path storeRoot, Path policy, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = GeneratorMain.run(args, searchDirs, kmsg, storeRoot, policy, o, e);
        }
        return new GeneratorRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
