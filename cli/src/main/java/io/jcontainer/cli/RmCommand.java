package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.SystemdManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer rm NAME}: removes a container's file and its changes (its upper directory in the store).
 * A running container, and a file the administrator wrote (outside the transient directory), need {@code -f}.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Removes a container: its file (as 'jcontainer run' wrote it under /run/jcontainer) and its "
            + "changes. A running container (it is stopped first) and a file in /etc/jcontainer need -f.",
        footer = {"", "Example:", "  jcontainer rm -f web"})
final class RmCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Stop a running container; remove an administrator's file too.")
    boolean force;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        Path file;
        file = host.containerFile(name);
        if (!force && !file.getParent().equals(host.transientDir())) {
            throw new CliException("'" + file + "' was written by the administrator, not by 'jcontainer run'; "
                    + "refusing to remove it (use -f).");
        }
        String unit = ContainerUnitConverter.unitName(name);
        if (host.systemdBooted()) {
            try (ContainerStates states = ContainerStates.open(host)) {
                if (PsCommand.state(states, name).equals("running")) {
                    if (!force) {
                        throw new CliException("Container '" + name + "' is running; stop it first "
                                + "('jcontainer stop " + name + "') or use -f.");
                    }
                    stop(host, unit);
                }
            }
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new CliException("Failed to remove '" + file + "': " + ContainerFiles.reason(e), e);
        }
        host.store().removeContainerDirs(name);
        HealthState.remove(host, name);
        if (host.systemdBooted()) {
            Systemctl.resetFailed(unit);
            Systemctl.resetFailed("jcontainer-healthcheck@" + name + ".service");
            Systemctl.daemonReload();
        }
        out.println(name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private static void stop(Host host, String unit) throws CliException, InterruptedException {
        try (SystemdManager systemd = host.systemd()) {
            StopCommand.stop(systemd, unit, StopCommand.DEFAULT_TIMEOUT_SECONDS);
        } catch (MachinedException e) {
            throw new CliException("Failed to stop " + unit + ": " + e.getMessage(), e);
        }
    }
}
