package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the Dockerfile subset of {@code jcontainer build} ({@link Dockerfile}): a file either fails with one
 * {@link CliException} line naming FILE:LINE, or its instructions, written one per line, read back the same;
 * substitution and word splitting never throw.
 */
class DockerfileFuzzTest {
    @FuzzTest
    void dockerfile(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        List<Dockerfile.Instruction> parsed;
        try {
            parsed = Dockerfile.parse(text, "Dockerfile");
            Dockerfile.check(parsed, "Dockerfile");
        } catch (CliException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().indexOf('\n') >= 0 || e.getMessage().indexOf('\r') >= 0, () -> "not one line: " + e.getMessage());
            return;
        }
        StringBuilder written = new StringBuilder();
        Map<String, String> vars = Map.of("A", "x y", "B", "");
        for (Dockerfile.Instruction in : parsed) {
            if (in.args().endsWith("\\")) {
                return; // a continuation into the end of the file: no one line says that (Docker reads it alike)
            }
            written.append(in.keyword()).append(' ').append(in.args()).append('\n');
            Dockerfile.words(in.args(), vars, true);
            Dockerfile.substitute(in.args(), vars);
            in.execForm();
        }
        List<Dockerfile.Instruction> again;
        try {
            again = Dockerfile.parse(written.toString(), "Dockerfile");
        } catch (CliException e) {
            throw new AssertionError("written as:\n" + written + "it fails: " + e.getMessage(), e);
        }
        assertEquals(parsed.stream().map(Dockerfile.Instruction::toString).toList(),
                again.stream().map(Dockerfile.Instruction::toString).toList(), "written as:\n" + written);
    }
}
