package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.JobMode;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.NoSuchUnitException;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitKillTarget;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer stop NAME}: stops {@code jcontainer@NAME.service}; SIGKILL after {@code -t} seconds. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stops a container (its unit jcontainer@NAME.service): its stop signal first, SIGKILL to "
            + "every process of it after the timeout. Needs systemd as PID 1.",
        footer = {"", "Example:", "  jcontainer stop -t 5 web"})
final class StopCommand implements Callable<Integer> {
    static final int DEFAULT_TIMEOUT_SECONDS = 10;
    private static final int SIGKILL = 9;
    private static final long POLL_MILLIS = 100;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--time"}, paramLabel = "SECS", description = "Seconds to wait before SIGKILL (default 10).")
    int seconds = DEFAULT_TIMEOUT_SECONDS;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        if (seconds < 0) {
            throw new CliException("Invalid -t '" + seconds + "': must not be negative.");
        }
        host.containerFile(name);
        if (!host.systemdBooted()) {
            throw new CliException("stop needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                    + "'); a container in the foreground stops with Ctrl-C.");
        }
        String unit = ContainerUnitConverter.unitName(name);
        try (SystemdManager systemd = host.systemd()) {
            stop(systemd, unit, seconds);
        } catch (MachinedException e) {
            throw new CliException("Failed to stop " + unit + ": " + e.getMessage(), e);
        }
        out.println(name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    /**
     * Stops {@code unit}: StopUnit (its stop signal), then SIGKILL to every process of it if it is not down
     * within {@code seconds}. The one stop routine of stop, restart and rm.
     */
    static void stop(SystemdManager systemd, String unit, int seconds) throws MachinedException, InterruptedException {
        systemd.stopUnit(unit, JobMode.REPLACE);
        if (waitUntilDown(systemd, unit, seconds)) {
            return;
        }
        try {
            systemd.killUnit(unit, UnitKillTarget.ALL, SIGKILL);
        } catch (NoSuchUnitException e) {
            // It went down (and systemd unloaded it) between the last look and the kill: stopped, as asked.
            return;
        }
        waitUntilDown(systemd, unit, DEFAULT_TIMEOUT_SECONDS);
    }

    /** Whether the unit is inactive or failed within {@code seconds}. */
    static boolean waitUntilDown(SystemdManager systemd, String unit, int seconds)
            throws MachinedException, InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (true) {
            String state = systemd.unitProperties(unit).activeState();
            if (state.equals("inactive") || state.equals("failed")) {
                return true;
            }
            if (System.currentTimeMillis() >= deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
