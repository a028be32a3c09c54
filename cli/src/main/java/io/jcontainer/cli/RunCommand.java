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
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> NETWORKS = List.of("host", "none", "private");
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

    @Option(names = "--name", paramLabel = "NAME", description = "The container's name (default: generated).")
    String name;

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro]", description = "Bind a host directory.")
    List<String> volumes = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST:CTR[/PROTO]",
            description = "Publish a container port on the host, on all its addresses or on IPv4 address IP "
                + "(PublishPort=; needs --network private).")
    List<String> publish = new ArrayList<>();

    @Option(names = "--network", paramLabel = "MODE", description = "host, none or private (default).")
    String network;

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open for the container.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal.")
    boolean tty;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "Run as USER (name or UID[:GID]).")
    String user;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The command's working directory.")
    String workdir;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's entrypoint.")
    String entrypoint;

    @Option(names = "--insecure-options", paramLabel = "image", split = ",",
            description = "rkt's flag: 'image' runs an image file that cannot be verified.")
    List<String> insecureOptions = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "IMAGE",
            description = "The image: a name or an ID of the store, or a file (an ACI, an OCI archive, a docker save "
                + "tar: a path starting with /, ./ or ../, or ending in .aci), imported and run.")
    String image;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "The command and its arguments (default: the image's).")
    List<String> command = new ArrayList<>();

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
        TransientContainer file = describe(host);
        Path dir = host.transientDir();
        Path written = write(host, dir, file);
        String machine = nameOf(written);
        return systemd ? underSystemd(host, machine, written, out, err) : inForeground(host, machine, written, out, err);
    }

    /** The container file's lines from the options; every check that needs no file system. */
    private TransientContainer describe(Host host) throws Exception {
        if (name != null) {
            try {
                MachineName.validate(name);
            } catch (SettingsException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        if (network != null && !NETWORKS.contains(network)) {
            throw new CliException("Invalid --network '" + network + "': expected host, none or private.");
        }
        for (String p : publish) {
            try {
                PortMapping.parse(p);
            } catch (SettingsException e) {
                throw new CliException("Malformed -p: " + e.getMessage() + ".", e);
            }
        }
        if (!publish.isEmpty() && network != null && !network.equals("private")) {
            throw new CliException("-p/--publish needs --network private, not '" + network + "'.");
        }
        List<String> assignments = new ArrayList<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0 || !ENV_NAME.matcher(e.substring(0, eq)).matches()) {
                throw new CliException("Malformed -e '" + e + "': expected NAME=VALUE.");
            }
            assignments.add(e);
        }
        List<String[]> binds = new ArrayList<>();
        for (String v : volumes) {
            binds.add(volume(v));
        }
        for (String o : insecureOptions) {
            if (!o.equals(ImageFile.INSECURE_IMAGE)) {
                throw new CliException("Unsupported --insecure-options '" + o + "': only 'image' is.");
            }
        }
        ImageStore store = host.store();
        ImageArgument arg = ImageFile.isPath(image)
                ? ImageFile.importForRun(store, image, !insecureOptions.isEmpty(), spec.commandLine().getErr())
                : ImageArgument.resolve(store, image);
        ImageConfig.Defaults defaults = arg.image().defaults();

        TransientContainer file = new TransientContainer();
        file.set("Image", arg.byId() ? arg.image().reference().toString() : image);
        List<String> argv = new ArrayList<>();
        if (entrypoint != null) {
            if (!entrypoint.isEmpty()) {
                argv.add(entrypoint);
            }
        } else {
            argv.addAll(defaults.entrypoint());
        }
        argv.addAll(!command.isEmpty() ? command : entrypoint != null ? List.of() : defaults.cmd());
        if (!argv.isEmpty()) {
            file.setWords("Exec", argv);
        }
        for (String a : assignments) {
            file.setWords("Environment", List.of(a));
        }
        for (String[] b : binds) {
            file.set(b[0], b[1]);
        }
        if (network != null) {
            file.set("Network", network);
        }
        for (String p : publish) {
            file.set("PublishPort", p);
        }
        if (user != null) {
            file.set("User", user);
        }
        if (workdir != null) {
            file.set("WorkingDirectory", workdir);
        }
        if (remove) {
            file.set("Ephemeral", "yes");
        }
        return file;
    }

    /** {@code -v HOST:CTR[:ro|rw]} as {Bind or BindReadOnly, SRC:DST}. */
    private static String[] volume(String v) throws CliException {
        String[] parts = v.split(":", -1);
        boolean readOnly = parts.length == 3 && parts[2].equals("ro");
        boolean valid = (parts.length == 2 || parts.length == 3 && (readOnly || parts[2].equals("rw")))
                && parts[0].startsWith("/") && parts[1].startsWith("/");
        if (!valid) {
            throw new CliException("Malformed -v '" + v + "': expected HOST:CTR[:ro] with absolute paths "
                    + "(named volumes are not supported).");
        }
        String spec = parts[0] + ":" + parts[1];
        try {
            BindSpec.parse(spec, readOnly);
        } catch (SettingsException e) {
            throw new CliException("Malformed -v '" + v + "': " + e.getMessage(), e);
        }
        return new String[] {readOnly ? "BindReadOnly" : "Bind", spec};
    }

    /** Writes the file under the given or a generated name; a name any container file has is in use. */
    private Path write(Host host, Path dir, TransientContainer file) throws CliException {
        for (int attempt = 0; ; attempt++) {
            String candidate = name != null ? name : TransientContainer.generateName();
            Path existing = existingFile(host, candidate);
            if (existing == null) {
                try {
                    return file.write(dir, candidate);
                } catch (CliException e) {
                    if (name != null || attempt >= 10 || existingFile(host, candidate) == null) {
                        throw e;
                    }
                    continue; // a generated name taken meanwhile: draw another
                }
            }
            if (name != null || attempt >= 10) {
                throw TransientContainer.nameInUse(candidate, existing);
            }
        }
    }

    private static Path existingFile(Host host, String candidate) {
        for (Path d : host.searchDirs()) {
            Path f = d.resolve(candidate + ContainerFile.SUFFIX);
            if (Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return f;
            }
        }
        return null;
    }

    private static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - ContainerFile.SUFFIX.length());
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
