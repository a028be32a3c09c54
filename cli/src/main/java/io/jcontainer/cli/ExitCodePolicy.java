package io.jcontainer.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Maps every error of the {@code jcontainer} command to one line on stderr and an exit code.
 *
 * <p>The codes follow {@code docker}: 125 when jcontainer itself fails, whether the command line
 * is wrong or the work failed (picocli's default of 2 for usage errors is not what Docker users
 * script against); 126 and 127 stay free for "cannot run" and "not found" in a container, and a
 * verb that runs a container returns the container's own status.
 */
final class ExitCodePolicy implements IParameterExceptionHandler, IExecutionExceptionHandler,
        IExitCodeExceptionMapper {

    static final int SUCCESS = 0;
    /** jcontainer failed: a usage error, or an error raised while doing the work. */
    static final int FAILURE = 125;

    /** Our own exceptions carry a message written for the user (STYLE.md: one type per module). */
    private static final String OWN_EXCEPTION_PREFIX = "io.jcontainer.";
    private static final String DEBUG_ENV = "JCONTAINER_DEBUG";

    private final boolean debug;

    ExitCodePolicy(boolean debug) {
        this.debug = debug;
    }

    static void applyTo(CommandLine commandLine) {
        ExitCodePolicy policy = new ExitCodePolicy(System.getenv(DEBUG_ENV) != null);
        commandLine.setParameterExceptionHandler(policy);
        commandLine.setExecutionExceptionHandler(policy);
        commandLine.setExitCodeExceptionMapper(policy);
    }

    /** A usage error: the message, the closest verbs or options, where to read more. */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        StringBuilder line = new StringBuilder(oneLine(ex.getMessage()));
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean '").append(String.join("', '", suggestions)).append("'?)");
            }
        }
        line.append("; see '").append(commandLine.getCommandSpec().qualifiedName()).append(" --help'");
        report(commandLine.getErr(), line.toString());
        return FAILURE;
    }

    /** An error raised by a verb. */
    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        report(commandLine.getErr(), describe(ex));
        if (debug) {
            ex.printStackTrace(commandLine.getErr());
        }
        return FAILURE;
    }

    /** Whatever escaped both handlers above (picocli asks this mapper then). */
    @Override
    public int getExitCode(Throwable ex) {
        return FAILURE;
    }

    private String describe(Exception ex) {
        if (ex.getClass().getName().startsWith(OWN_EXCEPTION_PREFIX) && ex.getMessage() != null) {
            return oneLine(ex.getMessage());
        }
        // A bug or an exception nobody translated: name it, so that the report is useful.
        String hint = debug ? "" : " (" + DEBUG_ENV + "=1 shows the stack trace)";
        return "unexpected error: " + oneLine(ex.toString()) + hint;
    }

    private static void report(PrintWriter err, String message) {
        err.println("jcontainer: " + message);
        err.flush();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
