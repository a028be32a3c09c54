package io.jcontainer.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code jcontainer} command: parses the verb and hands over to its class.
 *
 * <p>Main stays thin: one class per verb, and {@link ExitCodePolicy} alone decides what an
 * error prints and which exit code it gives.
 */
@Command(
        name = "jcontainer",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Runs containers as systemd units (jcontainer@NAME.service).",
        subcommands = {VersionCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs jcontainer with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The command tree with jcontainer's output streams and exit code policy. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        ExitCodePolicy.applyTo(commandLine);
        return commandLine;
    }

    /** Without a verb: the usage, like {@code docker} alone. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodePolicy.SUCCESS;
    }
}
