package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Dockerfile subset's syntax: what parses, and bad lines reported as FILE:LINE before any step runs. */
class DockerfileTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("unknown instruction", "FROM demo:1\nFOO bar\n", "Dockerfile:2: unknown instruction 'FOO'."),
                Arguments.of("unsupported instruction", "FROM demo:1\n\n# c\nSHELL [\"/bin/bash\"]\n",
                        "Dockerfile:4: 'SHELL' is not supported by jcontainer build (see docs/build.md)."),
                Arguments.of("healthcheck without CMD", "FROM demo:1\nHEALTHCHECK --interval=5s true\n",
                        "Dockerfile:2: expected 'HEALTHCHECK [OPTIONS] CMD COMMAND' or 'HEALTHCHECK NONE'."),
                Arguments.of("healthcheck bad duration", "FROM demo:1\nHEALTHCHECK --timeout=5 CMD true\n",
                        "Dockerfile:2: HEALTHCHECK --timeout: Invalid timeout '5': expected a duration such as 30s, "
                                + "1m30s or 500ms."),
                Arguments.of("healthcheck bad retries", "FROM demo:1\nHEALTHCHECK --retries=0 CMD true\n",
                        "Dockerfile:2: invalid HEALTHCHECK --retries '0' (expected a number above 0)."),
                Arguments.of("healthcheck unknown option", "FROM demo:1\nHEALTHCHECK --start-interval=1s CMD true\n",
                        "Dockerfile:2: HEALTHCHECK option '--start-interval' is not supported."),
                Arguments.of("before FROM", "RUN true\nFROM demo:1\n", "Dockerfile:1: RUN before FROM (only ARG may come first)."),
                Arguments.of("no FROM", "# nothing\n", "Dockerfile: no FROM instruction."),
                Arguments.of("multi-stage", "FROM demo:1 AS a\nFROM demo:1\n",
                        "Dockerfile:2: a second FROM: multi-stage builds are not supported."),
                Arguments.of("copy option", "FROM demo:1\nCOPY --chown=1:1 a /b\n",
                        "Dockerfile:2: COPY option '--chown' is not supported."),
                Arguments.of("run option", "FROM demo:1\nRUN --mount=type=cache,target=/x true\n",
                        "Dockerfile:2: RUN option '--mount' is not supported."),
                Arguments.of("copy without destination", "FROM demo:1\nCOPY a\n", "Dockerfile:2: expected 'COPY SRC... DEST'."),
                Arguments.of("bad exec form", "FROM demo:1\nCMD [\"sh\", \n", "Dockerfile:2: malformed exec form (expected a JSON array of strings): [\"sh\","),
                Arguments.of("env without value", "FROM demo:1\nENV A\n", "Dockerfile:2: expected ENV KEY=VALUE...."),
                Arguments.of("bad env name", "FROM demo:1\nENV 1A=x\n", "Dockerfile:2: invalid environment variable name '1A'."),
                Arguments.of("empty instruction", "FROM demo:1\nRUN \\\n\n", "Dockerfile:2: RUN needs an argument."),
                Arguments.of("continued line counts from its start", "FROM demo:1\nRUN true && \\\n  true\nBOGUS\n",
                        "Dockerfile:4: unknown instruction 'BOGUS'."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadDockerfileIsOneLineWithFileAndLine(String name, String text, String expected) throws Exception {
        Files.writeString(tmp.resolve("Dockerfile"), text);

        var outcome = new Jcontainer(tmp).run("build", "-t", "x:1", tmp.toString());

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: " + tmp + "/" + expected, outcome.errLine());
        assertFalse(Files.exists(tmp.resolve("store/refs")) && tmp.resolve("store/refs").toFile().list().length > 0);
    }

    @Test
    void healthcheckBecomesTheConfigsHealthcheck() throws Exception {
        var steps = Dockerfile.parse("FROM a\nHEALTHCHECK --interval=5s --timeout=1m --start-period=500ms --retries=2 "
                + "CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n"
                + "HEALTHCHECK NONE\n", "F");

        assertEquals(new io.jcontainer.image.ImageConfig.Healthcheck(List.of("CMD-SHELL",
                "curl -f http://localhost/ || exit 1"), 5_000_000_000L, 60_000_000_000L, 500_000_000L, 2),
                DockerHealthcheck.parse(steps.get(1)));
        assertEquals(List.of("CMD", "/bin/check", "-q"), DockerHealthcheck.parse(steps.get(2)).test());
        assertEquals(List.of("NONE"), DockerHealthcheck.parse(steps.get(3)).test());
    }

    @Test
    void aMissingBuildArgValueIsRefused() {
        var outcome = new Jcontainer(tmp).run("build", "-t", "x:1", "--build-arg", "NOVALUE", tmp.toString());

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Malformed --build-arg 'NOVALUE': expected NAME=VALUE.", outcome.errLine());
    }

    @Test
    void continuationsAndCommentsJoinIntoOneInstruction() throws Exception {
        var steps = Dockerfile.parse("FROM a\nRUN one \\\n  # skipped\n  two\n\n# c\ncmd [\"x\"]\n", "F");

        assertEquals(3, steps.size());
        assertEquals("F:2", steps.get(1).where());
        assertEquals("one   two", steps.get(1).args());
        assertEquals("CMD", steps.get(2).keyword());
        assertEquals(List.of("x"), steps.get(2).execForm());
    }

    @Test
    void wordsExpandVariablesOutsideSingleQuotes() {
        Map<String, String> vars = Map.of("A", "1", "B", "two words");

        assertEquals(List.of("1", "two words", "$A", "x-1-y", "d", "alt", "a b"),
                Dockerfile.words("$A \"$B\" '$A' x-${A}-y ${NONE:-d} ${A:+alt} a\\ b", vars, true));
        assertEquals("/srv/two words", Dockerfile.substitute("/srv/$B", vars));
    }

    @Test
    void envTakesBothForms() throws Exception {
        var steps = Dockerfile.parse("FROM a\nENV A=1 B=\"2 3\"\nENV C the rest\n", "F");

        assertEquals(List.of("A=1", "B=2 3"), Dockerfile.keyValues(steps.get(1), Map.of()).stream()
                .map(kv -> kv[0] + "=" + kv[1]).toList());
        assertEquals(List.of("C=the rest"), Dockerfile.keyValues(steps.get(2), Map.of()).stream()
                .map(kv -> kv[0] + "=" + kv[1]).toList());
        assertTrue(Dockerfile.execForm("echo [not json]") == null);
    }
}
