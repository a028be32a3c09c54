package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.JobMode;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.SystemdManager;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer start NAME}: {@code StartUnit} on {@code jcontainer@NAME.service}; returns once it runs. A
 * running container is left as it is (systemd's start of an active unit does nothing).
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Starts a created or stopped container (jcontainer@NAME.service) and waits until it runs; "
            + "prints its name. Needs systemd as PID 1.",
        footer = {"", "Example:", "  jcontainer start web"})
final class StartCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        host.containerFile(name);
        if (!host.systemdBooted()) {
            throw new CliException("start needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                    + "'); 'jnspawn -M " + name + "' runs the container in the foreground instead.");
        }
        String unit = ContainerUnitConverter.unitName(name);
        try (SystemdManager systemd = host.systemd()) {
            systemd.startUnit(unit, JobMode.REPLACE);
            RunCommand.waitUntilActive(systemd, unit, name);
        } catch (MachinedException e) {
            throw new CliException("Failed to start " + unit + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
