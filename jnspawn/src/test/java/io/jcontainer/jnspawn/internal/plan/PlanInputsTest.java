package io.jcontainer.jnspawn.internal.plan;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner's one way to the file system, and the record it keeps. */
class PlanInputsTest {
    static final Path SRC = Path.of("src/main/java/io/jcontainer/jnspawn");

    /** What reads, tests or opens a file without the recorder. */
    static final Pattern AROUND = Pattern.compile(
            "\\bFiles\\.|new File(Input|Output)?Stream\\(|new FileReader\\(|new RandomAccessFile\\(|FileChannel\\.open"
                    + "|\\.toFile\\(\\)|System\\.getenv\\(|System\\.console\\(\\)");

    /** Classes that run only while planning: every line of them. */
    static final List<String> PLANNER_FILES = List.of("LaunchPlanner.java", "UserLookup.java", "ImageTrust.java",
            "internal/rootfs/RootFs.java", "internal/exec/PlanCompiler.java", "settings/ContainerFile.java",
            "settings/UnitFile.java", "internal/network/Dns.java");

    /** Classes that plan and also act: the planning methods of them. */
    static final List<String[]> PLANNER_METHODS = List.of(
            new String[] {"Launcher.java", "networkFiles"}, new String[] {"Launcher.java", "usable"},
            new String[] {"Launcher.java", "compile"}, new String[] {"internal/cgroup/DeviceCgroup.java", "available"},
            new String[] {"PlanFile.java", "write"}, new String[] {"PlanFile.java", "storeRoot"},
            new String[] {"PlanFile.java", "tool"}, new String[] {"ImageRoot.java", "storeRoot"},
            new String[] {"ImageRoot.java", "resolve"});

    @Test
    void noPlannerReadGoesAroundTheRecorder() throws Exception {
        List<String> found = new ArrayList<>();
        for (String f : PLANNER_FILES) {
            scan(f, Files.readString(SRC.resolve(f)), found);
        }
        for (String[] m : PLANNER_METHODS) {
            String body = method(Files.readString(SRC.resolve(m[0])), m[1]);
            if (m[0].equals("PlanFile.java") && m[1].equals("write")) {
                // Writing the plan itself is no read: from "Path target = path(" on.
                body = body.substring(0, body.indexOf("Path target = path("));
            }
            scan(m[0] + " " + m[1] + "()", body, found);
        }
        assertEquals(List.of(), found, "planner code that reads around PlanInputs");
    }

    @Test
    void theScanSeesAReadAroundIt() {
        List<String> found = new ArrayList<>();
        scan("x", "boolean b = java.nio.file.Files.exists(p);\nString t = System.getenv(\"TERM\");\n", found);
        assertEquals(2, found.size(), found.toString());
    }

    private static void scan(String name, String text, List<String> found) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.startsWith("import ") || line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                continue;
            }
            if (AROUND.matcher(line).find()) {
                found.add(name + ":" + (i + 1) + ": " + line);
            }
        }
    }

    /** The text of the first method named {@code name} (its declaration to the closing brace at its indent). */
    private static String method(String text, String name) {
        Matcher m = Pattern.compile("\n    [a-zA-Z][^\n;=]*\\b" + name + "\\(").matcher(text);
        assertTrue(m.find(), "no method " + name);
        int end = text.indexOf("\n    }\n", m.end());
        return text.substring(m.start(), end);
    }

    @TempDir
    Path tmp;

    @Test
    void aRecordingKeepsEachPathOnceWithItsStatOrAbsent() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "one\n");
        Path link = tmp.resolve("l");
        Files.createSymbolicLink(link, file);
        PlanInputs.start();
        assertTrue(PlanInputs.exists(file));
        assertEquals(List.of("one"), PlanInputs.readAllLines(file));
        assertFalse(PlanInputs.existsNoFollow(tmp.resolve("missing")));
        assertTrue(PlanInputs.isSymbolicLink(link));
        PlanInputs.getenv("JCONTAINER_PLAN_TEST_UNSET");
        PlanInputs.Recording r = PlanInputs.stop();
        assertFalse(PlanInputs.recording());

        assertEquals(3, r.inputs().size(), r.inputs().toString());
        PlanInputs.Input f = r.inputs().get(0);
        assertEquals(file.toString(), f.path());
        assertEquals(PlanInputs.How.STAT, f.how());
        assertTrue(f.present());
        assertEquals(4, f.size());
        assertEquals(Files.getAttribute(file, "unix:ino"), f.ino());
        PlanInputs.Input missing = r.inputs().get(1);
        assertFalse(missing.present());
        PlanInputs.Input l = r.inputs().get(2);
        assertEquals(PlanInputs.How.LSTAT, l.how());
        assertEquals(Files.getAttribute(link, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS), l.ino());
        assertTrue(r.env().containsKey("JCONTAINER_PLAN_TEST_UNSET"));
        assertNull(r.env().get("JCONTAINER_PLAN_TEST_UNSET"));
    }

    @Test
    void withoutARecordingNothingIsKept() throws Exception {
        assertTrue(PlanInputs.exists(tmp));
        PlanInputs.start();
        assertEquals(List.of(), PlanInputs.stop().inputs());
    }
}
