package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer logs NAME}: the container's output, from the journal of {@code jcontainer@NAME.service}. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Shows a container's output from the journal (journalctl _SYSTEMD_UNIT=jcontainer@NAME.service "
            + "-o cat: what its processes wrote, not systemd's lines about the unit). Needs systemd as PID 1.",
        footer = {"", "Example:", "  jcontainer logs -f -n 20 web", "  jcontainer logs --since 10m -t web"})
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines.")
    Integer lines;

    @Option(names = "--since", paramLabel = "TIME", description = "Only output from TIME on: journalctl's forms "
            + "('2026-12-08 10:00', 'yesterday', '-1h'), or a duration (10m: ten minutes ago).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only output up to TIME (the same forms).")
    String until;

    @Option(names = {"-t", "--timestamps"}, description = "Each line after its time, RFC 3339 in UTC, as Docker "
            + "prints it.")
    boolean timestamps;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        List<String> options = options();
        try {
            ContainerFiles.locate(name, host.searchDirs());
        } catch (SettingsException e) {
            throw new CliException("No such container: " + e.getMessage(), e);
        }
        if (!host.systemdBooted()) {
            throw new CliException("logs needs the journal, and systemd is not PID 1 here ('" + Host.pid1Name()
                    + "'); a container run in the foreground prints its output to the terminal.");
        }
        String unit = ContainerUnitConverter.unitName(name);
        if (timestamps) {
            return TimestampedJournal.print(List.of(), unit, options, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        ProcessBuilder journal = Systemctl.journal(unit, options.toArray(String[]::new));
        return ChildProcess.start(journal, main.inheritStdio(), false,
                spec.commandLine().getOut(), spec.commandLine().getErr()).waitFor();
    }

    /** journalctl's options for the flags, each checked ({@code Invalid --since 'x': ...}). */
    List<String> options() throws CliException {
        if (lines != null && lines < 0) {
            throw new CliException("Invalid -n '" + lines + "': must not be negative.");
        }
        List<String> command = new ArrayList<>();
        if (follow) {
            command.add("-f");
        }
        if (lines != null) {
            command.add("-n");
            command.add(lines.toString());
        }
        if (since != null) {
            command.add("--since=" + JournalTime.argument("--since", since));
        }
        if (until != null) {
            command.add("--until=" + JournalTime.argument("--until", until));
        }
        return command;
    }
}
