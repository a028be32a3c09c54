package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.HealthSpec;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.machined.JobMode;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitKillTarget;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer healthcheck run NAME}: runs the container's health check once in the running container (with its
 * timeout, output capped), records the result under /run ({@link HealthState}) and, when the container has just
 * become unhealthy, applies {@code HealthOnFailure=} through systemd. Prints the status; exits 0 when the check
 * passed, 1 when it failed (Podman's codes), 125 when it could not run.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a container's health check once and records the result (/run/jcontainer/health/NAME.json); "
            + "prints starting, healthy or unhealthy. A container that becomes unhealthy gets its HealthOnFailure= "
            + "(kill, restart, stop: through systemd; kill also without it).",
            "Exit status: 0 the check passed, 1 it failed, 125 it could not run."},
        footer = {"", "Example:", "  jcontainer healthcheck run web"})
final class HealthcheckRunCommand implements Callable<Integer> {
    static final int FAILED = 1;

    @ParentCommand
    HealthcheckCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The running container.")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = parent.main.host();
        ContainerFile file = parse(host, name);
        HealthSpec check = check(host, file);
        if (check == null) {
            throw new CliException("Container '" + name + "' has no health check (no HealthCmd= in '" + file.source()
                    + "', no HEALTHCHECK in its image).");
        }
        ContainerState running = ExecCommand.requireRunning(host, name);
        HealthState state;
        String before;
        HealthProbe.Result result;
        try (AutoCloseable lock = HealthState.lock(host, name)) {
            state = HealthState.forRun(host, name, running);
            before = state.status();
            result = HealthProbe.run(host, name, check.argv(), check.timeoutMillis());
            boolean inStartPeriod = System.currentTimeMillis() - Uptime.startedAtMillis(running) < check.startPeriodMillis();
            state.record(result, check, inStartPeriod);
            state.write(host, name);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(state.status());
        out.flush();
        if (state.status().equals(HealthState.UNHEALTHY) && !before.equals(HealthState.UNHEALTHY)) {
            onFailure(host, check.onFailure(), running);
        }
        return result.passed() ? ExitCodePolicy.SUCCESS : FAILED;
    }

    static ContainerFile parse(Host host, String name) throws CliException {
        try {
            return ContainerFile.parse(ContainerFiles.locate(name, host.searchDirs()));
        } catch (SettingsException e) {
            throw new CliException("No such container: " + e.getMessage(), e);
        }
    }

    /** The container's check: its file's, else its image's (when the store has the image), else null. */
    static HealthSpec check(Host host, ContainerFile file) throws CliException {
        HealthSpec image = null;
        if (file.image() != null) {
            try {
                ImageConfig.Healthcheck h = ImageArgument.resolve(host.store(), file.image()).image().defaults()
                        .healthcheck();
                if (h != null) {
                    image = HealthSpec.fromImage(h.test(), h.interval(), h.timeout(), h.startPeriod(), h.retries());
                }
            } catch (ImageStoreException | CliException e) {
                // not in the store (or unreadable): the file alone decides, as for the generator
            } catch (SettingsException e) {
                throw new CliException("Image '" + file.image() + "': " + e.getMessage(), e);
            }
        }
        return HealthSpec.effective(file, image);
    }

    /**
     * HealthOnFailure=: through systemd (KillUnit SIGKILL, RestartUnit, StopUnit on jcontainer@NAME.service); where
     * systemd is not PID 1, kill signals the recorded PID 1 and restart and stop are a note: there is no unit.
     */
    private void onFailure(Host host, HealthSpec.OnFailure action, ContainerState running) throws CliException {
        if (action == HealthSpec.OnFailure.NONE) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        String unit = ContainerUnitConverter.unitName(name);
        if (!host.systemdBooted()) {
            if (action == HealthSpec.OnFailure.KILL) {
                KillCommand.signal(name, running, 9);
                err.println("jcontainer: '" + name + "' is unhealthy: HealthOnFailure=kill sent SIGKILL to its PID 1.");
            } else {
                err.println("jcontainer: '" + name + "' is unhealthy: HealthOnFailure=" + action + " needs systemd as "
                        + "PID 1 (this host runs '" + Host.pid1Name() + "'); nothing done.");
            }
            err.flush();
            return;
        }
        try (SystemdManager systemd = host.systemd()) {
            switch (action) {
                case KILL -> systemd.killUnit(unit, UnitKillTarget.MAIN, 9);
                case RESTART -> systemd.restartUnit(unit, JobMode.REPLACE);
                case STOP -> systemd.stopUnit(unit, JobMode.REPLACE);
                default -> throw new IllegalStateException(action.toString());
            }
        } catch (MachinedException e) {
            throw new CliException("'" + name + "' is unhealthy, and HealthOnFailure=" + action + " failed on " + unit
                    + ": " + e.getMessage(), e);
        }
        err.println("jcontainer: '" + name + "' is unhealthy: HealthOnFailure=" + action + " on " + unit + ".");
        err.flush();
    }
}
