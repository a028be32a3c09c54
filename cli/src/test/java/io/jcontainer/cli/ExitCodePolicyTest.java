package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ExitCodePolicyTest {

    /** What one run printed and returned. */
    private record Outcome(int status, String out, String err) {
        String errLine() {
            assertEquals(1, err.lines().count(), () -> "expected one line on stderr, got:\n" + err);
            return err.strip();
        }
    }

    private static Outcome run(CommandLine commandLine, StringWriter out, StringWriter err, String... args) {
        int status = commandLine.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    private static Outcome jcontainer(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        return run(Main.commandLine(new PrintWriter(out), new PrintWriter(err)), out, err, args);
    }

    @Test
    void unknownOptionGives125AndOneLineWithHelpHint() {
        Outcome outcome = jcontainer("--bogus");

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Unknown option: '--bogus'; see 'jcontainer --help'", outcome.errLine());
        assertEquals("", outcome.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "verison     | jcontainer: Unmatched argument at index 0: 'verison' (did you mean 'verify', 'version', 'list'?); see 'jcontainer --help'",
        "version -x  | jcontainer: Unknown option: '-x'; see 'jcontainer version --help'",
    })
    void usageErrorsGive125AndOneLine(String args, String expectedLine) {
        Outcome outcome = jcontainer(args.split(" "));

        assertEquals(125, outcome.status());
        assertEquals(expectedLine, outcome.errLine());
    }

    @Test
    void ownErrorGives125AndItsMessage() {
        Outcome outcome = withFailingVerb(new FailingVerb(new TestException(
                "Failed to pull manifest for 'registry.example.org/web:1.2': 401 Unauthorized")));

        assertEquals(125, outcome.status());
        assertEquals("jcontainer: Failed to pull manifest for 'registry.example.org/web:1.2': 401 Unauthorized",
                outcome.errLine());
    }

    @Test
    void foreignErrorGives125AndNamesTheException() {
        Outcome outcome = withFailingVerb(new FailingVerb(new IllegalStateException("two\nlines")));

        assertEquals(125, outcome.status());
        assertTrue(outcome.errLine().startsWith("jcontainer: unexpected error: java.lang.IllegalStateException: two lines"),
                outcome.err());
    }

    @Test
    void helpAndVersionSucceed() {
        Outcome help = jcontainer("--help");
        Outcome version = jcontainer("--version");

        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: jcontainer"), help.out());
        assertEquals(0, version.status());
        assertTrue(version.out().matches("jcontainer \\d+\\.\\d+\\.\\d+.*\\R"), version.out());
        assertEquals("", help.err() + version.err());
    }

    @Test
    void noVerbPrintsUsage() {
        Outcome outcome = jcontainer();

        assertEquals(0, outcome.status());
        assertTrue(outcome.out().startsWith("Usage: jcontainer"), outcome.out());
    }

    private static Outcome withFailingVerb(FailingVerb verb) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
        commandLine.addSubcommand("fail", verb);
        // A subcommand added late does not inherit the streams; setting them again reaches it.
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return run(commandLine, out, err, "fail");
    }

    @Command(name = "fail")
    private static final class FailingVerb implements Callable<Integer> {
        private final Exception toThrow;

        FailingVerb(Exception toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            throw toThrow;
        }
    }
}
