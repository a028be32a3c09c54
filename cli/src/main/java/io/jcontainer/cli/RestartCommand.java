package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.JobMode;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.SystemdManager;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer restart NAME}: stops the container as {@code stop -t} does (its stop signal, SIGKILL after the
 * timeout), then {@code RestartUnit} starts it again; returns once it runs.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Restarts a container (jcontainer@NAME.service): stops it as 'stop -t' does, starts it again "
            + "and waits until it runs; a stopped container is just started. Needs systemd as PID 1.",
        footer = {"", "Example:", "  jcontainer restart -t 5 web"})
final class RestartCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--time"}, paramLabel = "SECS", description = "Seconds to wait for the stop before SIGKILL (default 10).")
    int seconds = StopCommand.DEFAULT_TIMEOUT_SECONDS;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        if (seconds < 0) {
            throw new CliException("Invalid -t '" + seconds + "': must not be negative.");
        }
        host.containerFile(name);
        if (!host.systemdBooted()) {
            throw new CliException("restart needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                    + "'); run the container in the foreground again instead.");
        }
        String unit = ContainerUnitConverter.unitName(name);
        try (SystemdManager systemd = host.systemd()) {
            String state = systemd.unitProperties(unit).activeState();
            if (state.equals("active") || state.equals("activating") || state.equals("reloading")) {
                // Our own stop first, for -t: RestartUnit alone would wait the unit's TimeoutStopSec=.
                StopCommand.stop(systemd, unit, seconds);
            }
            systemd.restartUnit(unit, JobMode.REPLACE);
            RunCommand.waitUntilActive(systemd, unit, name);
        } catch (MachinedException e) {
            throw new CliException("Failed to restart " + unit + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
