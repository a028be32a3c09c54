package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every verb explains itself with an example. */
class HelpTest {
    @TempDir
    Path tmp;

    static Stream<String> verbs() {
        return new CommandLine(new Main()).getSubcommands().keySet().stream().filter(v -> !v.equals("version"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verbs")
    void helpHasAnExample(String verb) {
        var outcome = new Jcontainer(tmp).run(verb, "--help");

        assertEquals(0, outcome.status());
        assertTrue(outcome.out().startsWith("Usage: jcontainer " + verb), outcome.out());
        assertTrue(outcome.out().contains("\nExample:\n  jcontainer " + verb), outcome.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verbs")
    void topLevelHelpListsIt(String verb) {
        String help = new Jcontainer(tmp).ok("--help").out();

        assertTrue(help.lines().anyMatch(l -> l.strip().startsWith(verb + " ")), help);
    }

    @org.junit.jupiter.api.Test
    void theImageVerbsAreThere() {
        assertTrue(verbs().toList().containsAll(List.of("import", "export", "images", "inspect", "tag", "rmi", "gc",
                "verify", "list", "status", "show", "run", "ps", "stop", "rm", "logs", "push", "search",
                "exec", "kill", "restart", "attach", "port", "commit", "build", "create", "start")));
    }
}
