package io.jcontainer.cli;

import io.jcontainer.jnspawn.HostProgram;
import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.Signals;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitKillTarget;
import io.jcontainer.machined.UnitProperties;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer kill [-s SIG] NAME}: sends a signal to the container's PID 1 (its main process), which passes it
 * on to the command (or is the image's init, with Boot=yes). Under systemd through {@code KillUnit}, else to the
 * leader jnspawn recorded for a container in the foreground.
 */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = {"Sends a signal (default SIGKILL) to a running container's PID 1, which passes it on to the "
            + "command. Under systemd: KillUnit on jcontainer@NAME.service (--all: to every process of the unit); "
            + "else to the PID 1 of the container jnspawn runs in the foreground."},
        footer = {"", "Example:", "  jcontainer kill -s HUP web"})
final class KillCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIG",
            description = "The signal: a name (TERM, SIGHUP, RTMIN+3) or a number (default KILL).")
    String signal = "KILL";

    @Option(names = "--all", description = "Under systemd: signal every process of the unit, not only PID 1.")
    boolean all;

    @Parameters(index = "0", paramLabel = "NAME", description = "The running container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        int number;
        try {
            number = Signals.parse(signal);
        } catch (SettingsException e) {
            throw new CliException(e.getMessage(), e);
        }
        if (host.systemdBooted()) {
            viaSystemd(host, number);
        } else {
            ContainerState state = ExecCommand.requireRunning(host, name);
            signal(name, state, number);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private void viaSystemd(Host host, int number) throws CliException {
        host.containerFile(name);
        String unit = ContainerUnitConverter.unitName(name);
        try (SystemdManager systemd = host.systemd()) {
            UnitProperties p = systemd.unitProperties(unit);
            if (!p.activeState().equals("active") && !p.activeState().equals("reloading")) {
                throw new CliException("Container '" + name + "' is not running (" + unit + " is " + p.activeState()
                        + ").");
            }
            systemd.killUnit(unit, all ? UnitKillTarget.ALL : UnitKillTarget.MAIN, number);
        } catch (MachinedException e) {
            throw new CliException("Failed to kill " + unit + ": " + e.getMessage(), e);
        }
    }

    /** kill(1) on the recorded leader, checked again just before: Java has no call that sends any signal. */
    static void signal(String name, ContainerState state, int number) throws CliException {
        if (!state.alive()) {
            throw new CliException("Container '" + name + "' is not running.");
        }
        try {
            Process p = new ProcessBuilder(HostProgram.KILL.command(), "-s", Integer.toString(number), Long.toString(state.leader()))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new CliException("Failed to send signal " + Signals.name(number) + " to '" + name + "' (pid "
                        + state.leader() + "): " + text);
            }
        } catch (IOException e) {
            throw new CliException("Failed to run 'kill': " + ContainerFiles.reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while signalling '" + name + "'.", e);
        }
    }
}
