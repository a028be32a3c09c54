package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jnspawn -M NAME with a plan file: the launcher script as shipped execs the exec stage on the plan, and no JVM
 * starts ("no JVM" is proven with a JAVA_HOME whose bin/java only leaves a marker and fails, as CleanupLauncherTest
 * does). The container file is a transient one in /run/jcontainer (the plan path takes no JVM options, so no search
 * path of the test's own); the store is the test's.
 */
@Tag("root")
class PlanLauncherTest {
    static final Path LAUNCHER = RealContainers.REPO.resolve("cli/src/main/dist/bin/jnspawn");

    @TempDir
    Path tmp;
    Path lib;
    Path noJava;
    Path marker;
    Path store;
    Path containerFile;
    String name;
    Map<String, String> extraEnv = Map.of();

    @BeforeEach
    void setUp() throws Exception {
        RealContainers.execStage();
        lib = Files.createDirectories(tmp.resolve("lib"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            cp.append(cp.length() == 0 ? "" : " ").append(Path.of(entry).toUri());
        }
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString());
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(lib.resolve("jnspawn.jar")), manifest)) {
            // nothing else
        }
        marker = tmp.resolve("jvm-started");
        noJava = tmp.resolve("no-java");
        Path java = Files.createDirectories(noJava.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\" >'" + marker + "'\nexit 99\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        store = Files.createDirectories(tmp.resolve("store"));
        Path root = RealContainers.demoRoot(tmp.resolve("root"));
        name = "plt-" + ProcessHandle.current().pid();
        containerFile = Path.of("/run/jcontainer", name + ".container");
        Files.createDirectories(containerFile.getParent());
        Files.writeString(containerFile, "[Container]\nDirectory=" + root + "\nNetwork=none\nExec=/bin/echo planned-hi\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        Files.deleteIfExists(containerFile);
    }

    record Result(int exit, String output, boolean jvmStarted) {
    }

    Result jnspawn(Path javaHome, String... args) throws IOException, InterruptedException {
        Files.deleteIfExists(marker);
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("JCONTAINER_LIB", lib.toString());
        env.put("JCONTAINER_LIBEXEC", RealContainers.execStage().getParent().toString());
        env.put("JCONTAINER_ROOT", store.toString());
        for (String v : List.of("JCONTAINER_JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                "JCONTAINER_CDS_TRAIN", "NOTIFY_SOCKET", "JCONTAINER_NO_PLAN")) {
            env.remove(v);
        }
        env.putAll(extraEnv);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/jnspawn did not end");
        return new Result(p.exitValue(), output, Files.exists(marker));
    }

    Path realJava() {
        return Path.of(System.getProperty("java.home"));
    }

    @Test
    void aPlannedStartRunsNoJvmAndAChangedInputRunsIt() throws Exception {
        // No plan yet: the JVM starts it, and writes the plan; --plan sees what that start made.
        Result first = jnspawn(realJava(), "-M", name);
        assertEquals(0, first.exit(), first.output());
        assertEquals("planned-hi\n", first.output());
        Result plan = jnspawn(realJava(), "--plan", "-M", name);
        assertEquals(0, plan.exit(), plan.output());
        assertTrue(plan.output().contains("(no JVM at start)"), plan.output());

        for (String[] args : List.of(new String[] {"-M", name}, new String[] {"--machine", name},
                new String[] {"--machine=" + name})) {
            Result planned = jnspawn(noJava, args);
            assertFalse(planned.jvmStarted(), planned.output());
            assertEquals(0, planned.exit(), planned.output());
            assertEquals("planned-hi\n", planned.output());
        }

        // Other options: the JVM, as before (a plan stands for exactly -M NAME).
        Result other = jnspawn(noJava, "-q", "-M", name);
        assertTrue(other.jvmStarted(), other.output());
        // Under systemd: the JVM (the stage does no hand-over yet).
        extraEnv = Map.of("NOTIFY_SOCKET", tmp.resolve("notify").toString());
        assertTrue(jnspawn(noJava, "-M", name).jvmStarted());
        extraEnv = Map.of();

        // An edited container file: one line, then the JVM path (this script again, with JCONTAINER_NO_PLAN=1).
        Files.writeString(containerFile, "# edited\n", StandardOpenOption.APPEND);
        Result changed = jnspawn(noJava, "-M", name);
        assertTrue(changed.jvmStarted(), changed.output());
        assertEquals(99, changed.exit());
        assertEquals("jnspawn: plan '" + store.resolve("containers/" + name + "/plan") + "': '" + containerFile
                + "' changed; starting with the JVM\n", changed.output());
        assertTrue(Files.readString(marker).strip().endsWith("io.jcontainer.jnspawn.Main -M " + name),
                Files.readString(marker));
        // With the real java: the same line, the JVM path runs it and writes a new plan, which the next start takes.
        Result jvm = jnspawn(realJava(), "-M", name);
        assertEquals(0, jvm.exit(), jvm.output());
        assertEquals(changed.output() + "planned-hi\n", jvm.output());
        Result again = jnspawn(noJava, "-M", name);
        assertFalse(again.jvmStarted(), again.output());
        assertEquals("planned-hi\n", again.output());
    }
}
