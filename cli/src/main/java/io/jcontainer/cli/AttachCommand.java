package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitProperties;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer attach NAME}: follows a running container's output until it ends, and returns its exit status.
 *
 * <p>Output only, unlike {@code docker attach}: a unit's stdin is /dev/null and its stdout and stderr go to the
 * journal, so there is no console to write to; attach follows the journal from now on. Ctrl-C detaches and leaves
 * the container running (docker forwards it). For a shell in the container: {@code exec -it NAME sh}.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Follows a running container's output (the journal of jcontainer@NAME.service, from now on) "
            + "until the container ends, and exits with its exit status. Output only: a container run as a unit "
            + "has no stdin, so nothing is forwarded to it; Ctrl-C detaches and leaves it running. For a shell in "
            + "it: 'jcontainer exec -it NAME sh'. Needs systemd as PID 1."},
        footer = {"", "Example:", "  jcontainer attach web"})
final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The running container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        host.containerFile(name);
        if (!host.systemdBooted()) {
            throw new CliException("attach needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                    + "'); a container run in the foreground already has the terminal.");
        }
        String unit = ContainerUnitConverter.unitName(name);
        try (SystemdManager systemd = host.systemd()) {
            UnitProperties p = systemd.unitProperties(unit);
            if (!p.activeState().equals("active") && !p.activeState().equals("activating")) {
                throw new CliException("Container '" + name + "' is not running (" + unit + " is " + p.activeState()
                        + ").");
            }
            try (JournalFollower journal = JournalFollower.start(List.of(), unit, spec.commandLine().getOut(),
                    spec.commandLine().getErr())) {
                int status = RunCommand.waitUntilEnded(systemd, unit, name);
                RunCommand.drainJournal(systemd, unit);
                journal.finish();
                return status;
            }
        }
    }
}
