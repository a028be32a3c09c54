package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.cgroup.CgroupJoin;
import io.jcontainer.jnspawn.internal.exec.EnterCompiler;
import io.jcontainer.jnspawn.internal.exec.ExecPlan;
import io.jcontainer.jnspawn.internal.rootfs.RootFs;
import io.jcontainer.jnspawn.internal.security.Arch;
import io.jcontainer.jnspawn.internal.security.SeccompFilter;
import io.jcontainer.jnspawn.internal.security.SeccompPolicy;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code jnspawn --exec -M NAME -- CMD}: runs a command in a running container, through the exec stage in its
 * enter mode (see {@link EnterCompiler}), as {@code jcontainer exec} asks. Returns the command's exit status, 126
 * or 127 when it cannot run; {@link LaunchException} for anything that stops it from starting.
 *
 * <p>Apart from the normal start path on purpose: a container start loads none of this.
 */
public final class ContainerExec {
    private static final int EPERM = 1;

    private final Path execStage;
    private final Path runtimeDir;

    public ContainerExec(Path execStage, Path runtimeDir) {
        this.execStage = execStage;
        this.runtimeDir = runtimeDir;
    }

    public static ContainerExec fromSystemProperties() {
        return new ContainerExec(Path.of(System.getProperty("jcontainer.exec", "/usr/libexec/jcontainer/jcontainer-exec")),
                ContainerState.defaultRuntimeDir());
    }

    /** The recorded state of a running {@code machine}, or the one line that says it is not running. */
    public static ContainerState running(Path runtimeDir, String machine) throws LaunchException {
        Optional<ContainerState> state = ContainerState.read(runtimeDir, machine);
        if (state.isEmpty() || !state.get().alive()) {
            throw new LaunchException("Container '" + machine + "' is not running.");
        }
        return state.get();
    }

    /** The plan for {@code options} (machine, command, --setenv, --user, --chdir, --console) on this host. */
    public ExecPlan plan(JnspawnOptions options) throws LaunchException {
        if (options.machine == null) {
            throw new LaunchException("--exec needs -M/--machine.");
        }
        if (options.command.isEmpty()) {
            throw new LaunchException("--exec needs a command to run.");
        }
        ContainerState state = running(runtimeDir, options.machine);
        long leader = state.leader();
        Status live = Status.of(leader);

        int uid = state.uid();
        int gid = state.gid();
        List<Integer> groups = state.groups();
        if (options.user != null) {
            UserLookup.User user = UserLookup.resolve(new RootFs(new LaunchPlan.Root(List.of(),
                    Path.of("/proc", Long.toString(leader), "root"), false, false)), options.user);
            uid = user.uid();
            gid = user.gid();
            groups = user.groups();
        }
        List<String> env = new ArrayList<>(state.env());
        for (String e : options.setenv) {
            set(env, e);
        }
        boolean pty = "interactive".equals(options.console);
        if (pty && env.stream().noneMatch(e -> e.startsWith("TERM="))) {
            env.add("TERM=xterm");
        }
        String cwd = options.chdir != null ? options.chdir : state.workingDirectory();
        byte[] filter = SeccompFilter.build(Arch.host(), SeccompPolicy.defaultDenied(), EPERM);
        // Never more than the container: what it was given, less what its PID 1 has lost since.
        long caps = state.capabilities() & live.capBnd;
        boolean nnp = state.noNewPrivileges() || live.noNewPrivs;
        EnterCompiler.Request request = new EnterCompiler.Request(leader, state.startTime(), namespacesOf(leader),
                caps, nnp, filter, uid, gid, groups, cwd, env, options.command, pty);
        return EnterCompiler.compile(request);
    }

    public int run(JnspawnOptions options) throws LaunchException {
        if (!Files.isExecutable(execStage)) {
            throw new LaunchException("Exec stage '" + execStage + "' is missing or not executable.");
        }
        ExecPlan plan = plan(options);
        long leader = running(runtimeDir, options.machine).leader();
        List<Path> cgroups = CgroupJoin.cgroupsOf(leader);
        Path dir = createControlDir(options.machine);
        Process stage = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = dir.resolve("control");
            server.bind(UnixDomainSocketAddress.of(socket));
            stage = new ProcessBuilder(execStage.toString(), "--control=" + socket).inheritIO().start();
            // The stage first, before it has the plan (so before it forks): the command is born in the
            // container's cgroups, and never runs outside its device policy, not even before GO.
            CgroupJoin.join(stage.pid(), cgroups);
            Process watched = stage;
            Thread forwarder = new Thread("jnspawn-exec-forwarder") {
                @Override
                public void run() {
                    watched.destroy(); // SIGTERM: the stage passes it on to the command
                    try {
                        watched.waitFor();
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                    deleteQuietly(dir);
                }
            };
            Runtime.getRuntime().addShutdownHook(forwarder);
            Thread watcher = new Thread("exec-stage-watcher") {
                @Override
                public void run() {
                    try {
                        watched.waitFor();
                        server.close();
                    } catch (InterruptedException | IOException ignored) {
                        // nothing to close then
                    }
                }
            };
            watcher.setDaemon(true);
            watcher.start();
            try (SocketChannel channel = server.accept()) {
                channel.write(ByteBuffer.wrap(plan.encode()));
                String line = Launcher.readLine(channel);
                if (line == null || !line.startsWith("PID ")) {
                    return stage.waitFor();
                }
                channel.write(ByteBuffer.wrap("GO\n".getBytes(StandardCharsets.US_ASCII)));
                return stage.waitFor();
            } catch (IOException e) {
                return stage.waitFor();
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to run the exec stage '" + execStage + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("Interrupted while the command ran", e);
        } finally {
            if (stage != null && stage.isAlive()) {
                stage.destroyForcibly();
            }
            deleteQuietly(dir);
        }
    }

    /** The namespaces of {@code pid} that differ from ours, in the order the stage joins them. */
    static List<String> namespacesOf(long pid) throws LaunchException {
        List<String> out = new ArrayList<>();
        for (String ns : EnterCompiler.NAMESPACES) {
            try {
                Path theirs = Path.of("/proc", Long.toString(pid), "ns", ns);
                if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(Path.of("/proc/self/ns", ns)))) {
                    out.add(ns);
                }
            } catch (IOException e) {
                throw new LaunchException("Failed to read the " + ns + " namespace of process " + pid + ": "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /** NAME=VALUE replaces an earlier NAME. */
    private static void set(List<String> env, String assignment) {
        String prefix = assignment.substring(0, assignment.indexOf('=') + 1);
        env.removeIf(e -> e.startsWith(prefix));
        env.add(assignment);
    }

    /** The confinement of a live process, from /proc/PID/status. */
    private record Status(long capBnd, boolean noNewPrivs) {
        static Status of(long pid) throws LaunchException {
            long bnd = -1;
            boolean nnp = false;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("CapBnd:")) {
                        bnd = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    } else if (line.startsWith("NoNewPrivs:")) {
                        nnp = line.substring(11).strip().equals("1");
                    }
                }
            } catch (IOException e) {
                throw new LaunchException("Failed to read the status of the container's leader " + pid + ": "
                        + e.getMessage(), e);
            }
            return new Status(bnd, nnp);
        }
    }

    private Path createControlDir(String machine) throws LaunchException {
        try {
            Files.createDirectories(runtimeDir);
            String base = "jnspawn-exec." + machine + "." + ProcessHandle.current().pid() + ".";
            for (int i = 0; ; i++) {
                try {
                    return Files.createDirectory(runtimeDir.resolve(base + i),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (i > 1000) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to create a directory in '" + runtimeDir + "': " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("control"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort: 'jnspawn --cleanup' does not know these; they are empty and in /run
        }
    }
}
