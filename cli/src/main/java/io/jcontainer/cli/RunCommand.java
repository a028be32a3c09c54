package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStore;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.machined.JobMode;
import io.jcontainer.machined.SystemdManager;
import io.jcontainer.machined.UnitProperties;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer run}: writes a transient container file and runs it, as {@code jcontainer@NAME.service} where
 * systemd is PID 1, else as {@code jnspawn -M NAME} in the foreground. Returns the container's exit status.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a command in a new container: writes /run/jcontainer/NAME.container and starts "
            + "jcontainer@NAME.service (where systemd is not PID 1: runs jnspawn in the foreground).",
            "Exit status: the container's; 125 when jcontainer fails, 126/127 when the command cannot run."},
        footer = {"", "Example:", "  jcontainer run --rm -e GREETING=hi busybox sh -c 'echo $GREETING'",
            "  jcontainer run -d --name web -v /srv/www:/www:ro busybox httpd -f -h /www"})
final class RunCommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 100;
    private static final long START_TIMEOUT_MILLIS = 90_000;
    /** How long run and attach wait, after the container's end, for its unit to be down (so its journal is in). */
    private static final int DRAIN_UNIT_SECONDS = 10;
    private static final int CLD_EXITED = 1;
    /** How long an interrupted {@code run --rm} waits for jnspawn to stop the container before removing it. */
    private static final long INTERRUPT_WAIT_SECONDS = 15;
    private static final int SIGNAL_EXIT_BASE = 128;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-d", "--detach"}, description = "Return once the container runs, printing its name.")
    boolean detach;

    @Option(names = "--rm", description = "Remove the container (its file and its changes) when it ends.")
    boolean remove;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open for the container.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal.")
    boolean tty;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        host.requireRootToDefine("run");
        boolean systemd = host.systemdBooted();
        if (detach && !systemd) {
            throw new CliException("run -d needs systemd as PID 1 (this host runs '" + Host.pid1Name()
                    + "'); run in the foreground instead");
        }
        if (systemd && detach && remove) {
            throw new CliException("run -d --rm is not supported yet: remove the container with 'jcontainer rm' "
                    + "once it has ended.");
        }
        if (systemd && !detach && (interactive || tty)) {
            throw new CliException("run -i/-t under systemd needs 'jcontainer attach', not there yet; run -d, "
                    + "or use jnspawn in the foreground.");
        }
        TransientContainer file = container.describe(host, remove, err);
        Path written = container.write(host, host.transientDir(), file);
        String machine = ContainerOptions.nameOf(written);
        return systemd ? underSystemd(host, machine, written, out, err) : inForeground(host, machine, written, out, err);
    }

    // ---------------------------------------------------------------- without systemd: jnspawn in the foreground

    private int inForeground(Host host, String machine, Path file, PrintWriter out, PrintWriter err) throws Exception {
        List<String> argv = List.of(host.jnspawn().toString(), "-q", "-M", machine,
                "--console=" + (tty ? "interactive" : "pipe"));
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().put(Host.ROOT_ENV, host.storeRoot().toString());
        host.passRuntimeDir(builder);
        if (host.searchPathOverridden()) {
            // The launcher passes JCONTAINER_JAVA_OPTS to the JVM; jnspawn reads the search path from this property.
            String opts = builder.environment().getOrDefault("JCONTAINER_JAVA_OPTS", "");
            builder.environment().put("JCONTAINER_JAVA_OPTS", (opts + " -Djcontainer.search.path="
                    + host.searchDirs().stream().map(Path::toString).collect(Collectors.joining(":"))).strip());
        }
        ChildProcess jnspawn = ChildProcess.start(builder, main.inheritStdio(), interactive || tty, out, err);
        if (!remove) {
            return jnspawn.waitFor();
        }
        // Ctrl-C reaches jnspawn (which stops the container) and this JVM, which then runs only its shutdown hooks.
        Thread onInterrupt = new Thread(() -> {
            try {
                jnspawn.waitFor(INTERRUPT_WAIT_SECONDS);
                removeContainer(host, machine, file);
            } catch (Exception e) {
                // the JVM is going down; 'jcontainer rm' can finish the job
            }
        }, "jcontainer-rm");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            return jnspawn.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // shutting down already: the hook removes the container
            }
            removeContainer(host, machine, file);
        }
    }

    /** The file and the container's changes, for {@code --rm}. */
    private static void removeContainer(Host host, String machine, Path file) throws Exception {
        Files.deleteIfExists(file);
        host.store().removeContainerDirs(machine);
    }

    // ---------------------------------------------------------------- under systemd: jcontainer@NAME.service

    private int underSystemd(Host host, String machine, Path file, PrintWriter out, PrintWriter err) throws Exception {
        String unit = ContainerUnitConverter.unitName(machine);
        Systemctl.daemonReload();
        try (SystemdManager systemd = host.systemd()) {
            if (detach) {
                systemd.startUnit(unit, JobMode.REPLACE);
                waitUntilActive(systemd, unit, machine);
                out.println(machine);
                out.flush();
                return ExitCodePolicy.SUCCESS;
            }
            JournalFollower journal = JournalFollower.start(List.of(), unit, out, err);
            try (journal) {
                systemd.startUnit(unit, JobMode.REPLACE);
                int status = waitUntilEnded(systemd, unit, machine);
                drainJournal(systemd, unit);
                journal.finish();
                return status;
            } finally {
                if (remove) {
                    // The unit's cleanup (ExecStopPost=) may still run: remove the file and upper dir after it.
                    StopCommand.waitUntilDown(systemd, unit, StopCommand.DEFAULT_TIMEOUT_SECONDS);
                    removeContainer(host, machine, file);
                    Systemctl.resetFailed(unit);
                    Systemctl.daemonReload();
                }
            }
        }
    }

    static void waitUntilActive(SystemdManager systemd, String unit, String machine) throws Exception {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (true) {
            UnitProperties p = systemd.unitProperties(unit);
            if (p.activeState().equals("active")) {
                return;
            }
            if (ended(p) || p.activeState().equals("failed")) {
                throw new CliException("Container '" + machine + "' ended while starting (" + p.result()
                        + "); see 'jcontainer logs " + machine + "'.");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new CliException(unit + " is still " + p.activeState() + " after "
                        + START_TIMEOUT_MILLIS / 1000 + " s; see 'jcontainer logs " + machine + "'.");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * After the container's main process ended: brings the journal up to date with its last lines, for
     * {@link JournalFollower#finish}. They pass through journald, which can lag by seconds under load. So: wait until
     * the unit is down (its processes gone, ExecStopPost= cleanup done; at most {@value #DRAIN_UNIT_SECONDS} s), then
     * ask journald to write what it has received (root only; best effort).
     */
    static void drainJournal(SystemdManager systemd, String unit) throws Exception {
        StopCommand.waitUntilDown(systemd, unit, DRAIN_UNIT_SECONDS);
        Systemctl.journalSync();
    }

    /** Waits for the container's main process to end; its status as a shell reports it (128+N for signal N). */
    static int waitUntilEnded(SystemdManager systemd, String unit, String machine) throws Exception {
        long inactiveSince = System.currentTimeMillis();
        while (true) {
            UnitProperties p = systemd.unitProperties(unit);
            if (ended(p)) {
                return p.execMainCode() == CLD_EXITED ? p.execMainStatus() : SIGNAL_EXIT_BASE + p.execMainStatus();
            }
            if (p.activeState().equals("failed")) {
                throw new CliException(unit + " failed before the container ran (" + p.result()
                        + "); see 'jcontainer logs " + machine + "'.");
            }
            if (!p.activeState().equals("inactive")) {
                inactiveSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - inactiveSince > START_TIMEOUT_MILLIS) {
                throw new CliException(unit + " stayed inactive and no container ran; see 'systemctl status " + unit
                        + "'.");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * The container's main process has exited (ExecMainCode is set once it has) and the unit is on its way down:
     * "deactivating" while ExecStopPost= (jnspawn --cleanup) still runs; the container's status is known by then
     * ({@link #drainJournal} waits a bounded time for the rest).
     */
    private static boolean ended(UnitProperties p) {
        String state = p.activeState();
        return (state.equals("inactive") || state.equals("failed") || state.equals("deactivating"))
                && p.execMainCode() != 0;
    }
}
