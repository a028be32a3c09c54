package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.cgroup.DeviceCgroup;
import io.jcontainer.jnspawn.internal.exec.ExecPlan;
import io.jcontainer.jnspawn.internal.exec.PlanCompiler;
import io.jcontainer.jnspawn.internal.network.Dns;
import io.jcontainer.jnspawn.internal.network.HostNetwork;
import io.jcontainer.jnspawn.internal.network.NetworkConfig;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import io.jcontainer.jnspawn.internal.rootfs.RootFs;
import io.jcontainer.jnspawn.internal.rootfs.Ownership;
import io.jcontainer.jnspawn.internal.security.Arch;
import io.jcontainer.jnspawn.internal.security.SeccompFilter;
import io.jcontainer.jnspawn.internal.security.SeccompPolicy;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.SettingsException;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link LaunchPlan} in the foreground: prepares the host side, hands the compiled plan to
 * the exec stage, places the container into its device cgroup, waits, and cleans up.
 *
 * <p>The exec stage relays signals and the console; this JVM only forwards a SIGTERM or SIGINT it
 * receives (through a shutdown hook, so no internal signal API is needed) and returns the
 * container's exit status. Nothing of the container outlives it on the host: every mount is in the
 * container's mount namespace, and the staging directory and cgroup are removed.
 */
public final class Launcher {
    private static final int EPERM = 1;

    private final Path execStage;
    private final Path runtimeDir;
    private final String notifySocket;
    private final MachineRegistration registration;

    /**
     * @param notifySocket $NOTIFY_SOCKET when systemd runs us (then the container is handed over
     *                     to systemd and jnspawn exits), null in the foreground
     * @param registration how the container is registered before the hand-over
     */
    public Launcher(Path execStage, Path runtimeDir, String notifySocket, MachineRegistration registration) {
        this.execStage = execStage;
        this.runtimeDir = runtimeDir;
        this.notifySocket = notifySocket == null || notifySocket.isEmpty() ? null : notifySocket;
        this.registration = registration;
    }

    /** Registers a running container (with systemd-machined) before systemd takes it over. */
    public interface MachineRegistration {
        MachineRegistration NONE = new MachineRegistration() {
            @Override
            public void register(LaunchPlan plan, long leader, int[] interfaces) {
                // --register=no
            }
        };

        /** @param interfaces host-side ifindices of the container's network (RegisterMachineWithNetwork) */
        void register(LaunchPlan plan, long leader, int[] interfaces) throws LaunchException;
    }

    /**
     * Under systemd: once the payload runs, register it, tell systemd that the container's PID 1
     * is the service's main process and that it is ready (with {@code NotifyReady=yes} the payload
     * says that itself: only {@code MAINPID=} then), wait until systemd has read that (a barrier),
     * and let the stage exit. No JVM stays resident.
     *
     * @return false if the container ended before it was handed over: the stage's exit status, the
     *         payload's, is then jnspawn's (see {@link #ON_EXIT})
     */
    private boolean handOver(LaunchPlan plan, SocketChannel channel, long pid, Process stage, int[] interfaces)
            throws IOException, LaunchException {
        String line = readLine(channel);
        if (line == null || !line.equals("RUNNING")) {
            return false;
        }
        recordState(plan, pid);
        try {
            registration.register(plan, pid, interfaces);
        } catch (LaunchException e) {
            if (ContainerState.startTime(pid) < 0) {
                // The payload ended before machined could see it ("Failed to determine unit of
                // process"): nothing to hand over. The stage exits with the container's status,
                // which becomes jnspawn's, as for a container that ends before RUNNING.
                return false;
            }
            throw e;
        }
        // The stage's notifier follows it with a barrier, so systemd has read it when we exit. A STATUS= of
        // ours would replace the payload's own with NotifyReady=yes.
        String text = plan.notifyReady() ? "MAINPID=" + pid + "\n"
                : "STATUS=Container " + plan.machine() + " running.\nREADY=1\nMAINPID=" + pid + "\n";
        String answer;
        try {
            sendMessage(channel, "HANDOVER", text);
            answer = readLine(channel);
        } catch (IOException e) {
            answer = null; // the stage is gone: the container ended first
        }
        if (answer == null) {
            // The container ended before the stage could hand it over: it exits with its status (ONEXIT's
            // READY=1 sent), and so do we.
            return false;
        }
        if (!"NOTIFIED".equals(answer)) {
            throw new LaunchException("Failed to notify the service manager ($NOTIFY_SOCKET).");
        }
        try {
            int code = stage.waitFor();
            if (code != 0) {
                throw new LaunchException("The exec stage failed to hand the container over (status " + code + ").");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("Interrupted while handing the container over", e);
        }
        return true;
    }

    /**
     * What the stage sends systemd if the payload ran but the container ended before the hand-over (a payload
     * that prints a line and exits): READY=1, so that systemd judges the exit status as it would judge
     * systemd-nspawn's (which is ready before its payload ends): inactive after 0, failed with the status
     * otherwise. Without it a clean exit is a 'protocol' failure of Type=notify. Not with {@code NotifyReady=yes}:
     * the payload did not say it was ready, and nspawn --notify-ready=yes would not say it either.
     */
    static final String ON_EXIT = "READY=1\n";

    private static void sendMessage(SocketChannel channel, String verb, String text) throws IOException {
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        channel.write(ByteBuffer.wrap((verb + " " + message.length + "\n").getBytes(StandardCharsets.US_ASCII)));
        channel.write(ByteBuffer.wrap(message));
    }

    /** The exec stage and runtime directory of this installation (system properties, else defaults). */
    public static Launcher fromSystemProperties(MachineRegistration registration) {
        return new Launcher(Path.of(System.getProperty("jcontainer.exec", "/usr/libexec/jcontainer/jcontainer-exec")),
                Path.of(System.getProperty("jcontainer.runtime", "/run/jcontainer")), System.getenv("NOTIFY_SOCKET"),
                registration);
    }

    /** The operations the plan compiles to on this host, staged at {@code staging}. */
    public static ExecPlan compile(LaunchPlan plan, Path staging) {
        byte[] filter = SeccompFilter.build(Arch.host(), SeccompPolicy.defaultDenied(), EPERM);
        // Anonymous classes, not lambdas: the first lambda costs the JVM its invokedynamic set-up.
        return PlanCompiler.compile(plan, new PlanCompiler.Host(staging.resolve("root"), staging.resolve("scratch"),
                new java.util.function.Predicate<String>() {
                    @Override
                    public boolean test(String entry) {
                        return PlanInputs.procEntryExists(Path.of("/proc", entry));
                    }
                }, new java.util.function.Predicate<Path>() {
                    @Override
                    public boolean test(Path p) {
                        // The staged files (hosts, resolv.conf) are files; a plan's staging dir is a slot.
                        return !p.startsWith(staging) && PlanInputs.isDirectory(p);
                    }
                }, filter));
    }

    public int run(LaunchPlan plan) throws LaunchException {
        if (!Files.isExecutable(execStage)) {
            throw new LaunchException("Exec stage '" + execStage + "' is missing or not executable.");
        }
        prepareRoot(plan);
        HostNetwork network = plan.network() == Network.PRIVATE ? new HostNetwork(networkConfig(), runtimeDir) : null;
        Path staging = createStaging(plan);
        DeviceCgroup cgroup = null;
        AtomicBoolean cleaned = new AtomicBoolean();
        AtomicReference<Runnable> detach = new AtomicReference<>();
        Process stage = null;
        try {
            plan = withNetworkFiles(plan, staging);
            ExecPlan ops = compile(plan, staging);
            if (plan.deviceCgroup()) {
                cgroup = DeviceCgroup.create(staging.getFileName().toString());
            }
            Path socketPath = staging.resolve("control");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socketPath));
                stage = new ProcessBuilder(execStage.toString(), "--control=" + socketPath).inheritIO().start();
                installForwarder(stage, staging, cgroup, stateFile(plan), cleaned, detach);
                Process watched = stage;
                // If the stage dies before it connects, stop waiting for it.
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
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException e) {
                    return stage.waitFor();
                }
                channel.write(ByteBuffer.wrap(ops.encode()));
                String line = readLine(channel);
                if (line == null || !line.startsWith("PID ")) {
                    return stage.waitFor();
                }
                long pid = Long.parseLong(line.substring(4));
                if (cgroup != null) {
                    cgroup.add(pid);
                }
                int[] interfaces = new int[0];
                if (network != null) {
                    HostNetwork.Attachment a = network.attach(plan.machine(), pid, plan.ports());
                    detach.set(new Runnable() {
                        @Override
                        public void run() {
                            network.detach(a);
                        }
                    });
                    interfaces = new int[] {a.ifindex()};
                    rewriteHosts(plan, staging, a.address(), a.address6());
                } else if (plan.network() == Network.NONE) {
                    HostNetwork.loopbackUp(pid);
                }
                if (notifySocket != null) {
                    // Also arms the stage's hold: the stub init outlives its payload until systemd has it.
                    sendMessage(channel, "ONEXIT", plan.notifyReady() ? "" : ON_EXIT);
                }
                channel.write(ByteBuffer.wrap("GO\n".getBytes(StandardCharsets.US_ASCII)));
                if (notifySocket != null) {
                    if (handOver(plan, channel, pid, stage, interfaces)) {
                        // The container lives on: ExecStopPost= (jnspawn --cleanup) releases its network.
                        detach.set(null);
                        return 0;
                    }
                } else if ("RUNNING".equals(readLine(channel))) {
                    recordState(plan, pid);
                }
                int code = stage.waitFor();
                channel.close();
                return code;
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to run the exec stage '" + execStage + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("Interrupted while the container ran", e);
        } finally {
            StoreHold.release(); // a start that failed before its record
            if (stage != null && stage.isAlive()) {
                stage.destroyForcibly();
            }
            // Also after a hand-over: the container's mounts hang off its own root, not these
            // (by then empty) host directories.
            cleanup(staging, cgroup, stateFile(plan), cleaned, detach);
        }
    }

    /** Where jnspawn records the running container for {@code jcontainer exec}; null once systemd has it. */
    private Path stateFile(LaunchPlan plan) {
        return notifySocket == null ? ContainerState.path(runtimeDir, plan.machine()) : null;
    }

    /** Records what {@code jcontainer exec} needs of the container whose PID 1 is {@code pid} (see ContainerState). */
    private void recordState(LaunchPlan plan, long pid) throws LaunchException {
        try {
            ContainerState.of(plan, pid).write(runtimeDir);
        } catch (IOException e) {
            throw new LaunchException("Failed to record the state of '" + plan.machine() + "' in '" + runtimeDir + "': "
                    + e.getMessage(), e);
        }
        StoreHold.release(); // the record names the layers now: gc keeps them
    }

    /**
     * {@code jnspawn --cleanup -M NAME} (ExecStopPost=): removes what containers named {@code machine} left
     * behind (see {@link Cleanup}). Best effort: failures are reported and ignored, as for an ExecStopPost=
     * command.
     *
     * <p>bin/jnspawn skips the JVM for {@code --cleanup -M NAME} when none of this can have anything
     * to do: keep its check (docs/jnspawn.md, "Cleanup without a JVM") in step with {@link Cleanup#machine}.
     */
    public void cleanUp(String machine) {
        for (String warning : new Cleanup(runtimeDir).machine(machine).warnings()) {
            System.err.println("jnspawn: " + warning);
        }
    }

    /** Host-side preparation of the root: the overlay work dir, the user namespace's ownership. */
    private static void prepareRoot(LaunchPlan plan) throws LaunchException {
        LaunchPlan.Root root = plan.root();
        Path work = null;
        if (root.work() != null) {
            checkWork(root);
            work = root.work();
            try {
                Files.createDirectories(work);
            } catch (IOException e) {
                throw new LaunchException("Failed to create the overlay work directory '" + work + "': " + e.getMessage(), e);
            }
        }
        if (!plan.userNamespace()) {
            return;
        }
        for (Path dir : root.searchOrder()) {
            Ownership.shift(dir, plan.userNsBase(), plan.userNsRange());
        }
        if (work != null) {
            Ownership.shift(work, plan.userNsBase(), plan.userNsRange());
            // overlayfs looks the upper and work dirs up below their parent, as the container's root.
            Path parent = root.upper().getParent();
            try {
                int mode = (Integer) Files.getAttribute(parent, "unix:mode");
                int owner = (Integer) Files.getAttribute(parent, "unix:uid");
                if ((mode & 01) == 0 && owner != plan.userNsBase()) {
                    throw new LaunchException("With a user namespace, the parent of the upper directory, '" + parent
                            + "', must be searchable by others (chmod o+x) or owned by the container's root ("
                            + Integer.toUnsignedString(plan.userNsBase()) + ").");
                }
            } catch (IOException e) {
                throw new LaunchException("Failed to read '" + parent + "': " + e.getMessage(), e);
            }
        }
    }

    /** The overlay work dir must be beside the upper dir (a plan file is written only for a root that passes). */
    static void checkWork(LaunchPlan.Root root) throws LaunchException {
        if (root.work() != null && !root.work().getParent().equals(root.upper().getParent())) {
            throw new LaunchException("The overlay work directory '" + root.work() + "' must be beside the upper directory '"
                    + root.upper() + "'.");
        }
    }

    /**
     * A new 0700 directory named PREFIX + pid + counter. Not createTempDirectory: its
     * SecureRandom loads the security providers, tens of milliseconds on every start; a pid is
     * unique among running jnspawns, and createDirectory fails rather than reuse a stale one.
     */
    private Path createUniqueDirectory(String prefix) throws IOException {
        String base = prefix + ProcessHandle.current().pid() + ".";
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
    }

    private Path createStaging(LaunchPlan plan) throws LaunchException {
        try {
            Files.createDirectories(runtimeDir);
            Path staging = createUniqueDirectory("jnspawn." + plan.machine() + ".");
            Files.createDirectory(staging.resolve("root"));
            Files.createDirectory(staging.resolve("scratch"));
            if (plan.userNamespace()) {
                // The container's root mounts here from inside its user namespace, where the
                // host's root has no privilege over these directories.
                for (Path p : new Path[] {staging, staging.resolve("root"), staging.resolve("scratch")}) {
                    Files.setAttribute(p, "unix:uid", plan.userNsBase());
                    Files.setAttribute(p, "unix:gid", plan.userNsBase());
                }
            }
            return staging;
        } catch (IOException e) {
            throw new LaunchException("Failed to create a staging directory in '" + runtimeDir + "': " + e.getMessage(), e);
        }
    }

    /**
     * On SIGTERM/SIGINT the JVM runs shutdown hooks: pass the request on, wait for the container
     * and for the cleanup (which the main thread may be doing), then exit as the container did.
     */
    private static void installForwarder(Process stage, Path staging, DeviceCgroup cgroup, Path state,
            AtomicBoolean cleaned, AtomicReference<Runnable> detach) {
        Runtime.getRuntime().addShutdownHook(new Thread("jnspawn-signal-forwarder") {
            @Override
            public void run() {
                if (cleaned.get()) {
                    // The main thread has begun the cleanup (the signal reached the stage too, as a terminal's
                    // Ctrl-C or a kill of the process group does, and the container ended first): let it
                    // finish, for the JVM halts once the hooks return.
                    synchronized (cleaned) {
                        return;
                    }
                }
                stage.destroy(); // SIGTERM, a no-op if it has exited; the stage sends the container its kill signal
                int code;
                try {
                    code = stage.waitFor();
                } catch (InterruptedException e) {
                    code = 130;
                }
                cleanup(staging, cgroup, state, cleaned, detach);
                Runtime.getRuntime().halt(code);
            }
        });
    }

    /** Releases the network, removes the record, the cgroup and staging directory once; a second caller waits for the first. */
    private static void cleanup(Path staging, DeviceCgroup cgroup, Path state, AtomicBoolean cleaned,
            AtomicReference<Runnable> detach) {
        synchronized (cleaned) {
            if (cleaned.getAndSet(true)) {
                return;
            }
            Runnable d = detach.getAndSet(null);
            if (d != null) {
                d.run();
            }
            if (state != null) {
                // Not if it is another container's of the same name, which still runs.
                String file = state.getFileName().toString();
                ContainerState.remove(state.getParent(), file.substring(0, file.length() - ContainerState.SUFFIX.length()));
            }
            removeAll(staging, cgroup);
        }
    }

    private static NetworkConfig networkConfig() throws LaunchException {
        try {
            return NetworkConfig.load();
        } catch (SettingsException e) {
            throw new LaunchException(e.getMessage(), e);
        }
    }

    /** A file jnspawn writes into the staging directory and binds read-only onto {@code target} of the container. */
    record StagedFile(String name, Path target, String content) {
    }

    /**
     * With a network namespace of its own, the container gets a generated /etc/hosts naming it
     * and (with a veth) an /etc/resolv.conf from the host's, bound read-only from the staging
     * directory. Not where the image's file is a symlink (mount targets may not pass through
     * one), nor where it is missing and could not be created (a root without a writable layer).
     * Planning: every file it reads goes through {@link PlanInputs}.
     */
    static List<StagedFile> networkFiles(LaunchPlan plan) throws LaunchException {
        RootFs rootFs = new RootFs(plan.root());
        LaunchPlan.Root root = plan.root();
        java.util.Optional<Path> etc = rootFs.find("/etc");
        boolean canCreate = (root.upper() != null || root.ephemeral()) && !root.readOnly() && etc.isPresent()
                && PlanInputs.isDirectoryNoFollow(etc.get());
        java.util.ArrayList<StagedFile> files = new java.util.ArrayList<>();
        if (usable(rootFs, "/etc/hosts", canCreate)) {
            files.add(new StagedFile("hosts", Path.of("/etc/hosts"), Dns.hosts(plan.hostname(), null, null)));
        }
        if (plan.network() != Network.NONE && usable(rootFs, "/etc/resolv.conf", canCreate)) {
            // The host's network namespace reaches the host's stub resolver; a private one does not.
            files.add(new StagedFile("resolv.conf", Path.of("/etc/resolv.conf"), plan.network() == Network.HOST
                    ? Dns.hostResolvConf(Dns.HOST_RESOLV_CONF) : Dns.resolvConf(Dns.HOST_RESOLV_CONF, Dns.RESOLVED_UPSTREAM)));
        }
        return files;
    }

    /** The plan with the staged files bound first (their sources below {@code staging}). */
    static LaunchPlan withStagedFiles(LaunchPlan plan, Path staging, List<StagedFile> files) {
        java.util.ArrayList<BindSpec> binds = new java.util.ArrayList<>();
        for (StagedFile f : files) {
            binds.add(new BindSpec(staging.resolve(f.name()), f.target(), true, false));
        }
        return binds.isEmpty() ? plan : plan.withBindsFirst(binds);
    }

    private static LaunchPlan withNetworkFiles(LaunchPlan plan, Path staging) throws LaunchException {
        List<StagedFile> files = networkFiles(plan);
        try {
            for (StagedFile f : files) {
                Files.writeString(staging.resolve(f.name()), f.content());
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to write the container's network files in '" + staging + "': "
                    + e.getMessage(), e);
        }
        return withStagedFiles(plan, staging, files);
    }

    private static boolean usable(RootFs rootFs, String target, boolean canCreate) {
        try {
            rootFs.checkMountTarget(target);
        } catch (LaunchException e) {
            return false;
        }
        java.util.Optional<Path> found = rootFs.find(target);
        if (found.isPresent()) {
            return PlanInputs.isRegularFileNoFollow(found.get());
        }
        return canCreate;
    }

    /** Names the container's own address in its /etc/hosts: same inode, so the bind sees it. */
    private static void rewriteHosts(LaunchPlan plan, Path staging, String address, String address6)
            throws LaunchException {
        Path hosts = staging.resolve("hosts");
        if (!Files.exists(hosts)) {
            return;
        }
        try {
            Files.writeString(hosts, Dns.hosts(plan.hostname(), address, address6));
        } catch (IOException e) {
            throw new LaunchException("Failed to write '" + hosts + "': " + e.getMessage(), e);
        }
    }

    private static void removeAll(Path staging, DeviceCgroup cgroup) {
        if (cgroup != null) {
            cgroup.remove();
        }
        // Only empty directories remain: every mount was made in the container's mount namespace.
        try {
            deleteTree(staging);
        } catch (IOException e) {
            System.err.println("jnspawn: Failed to remove '" + staging + "', ignoring: " + e.getMessage());
        }
    }

    /** Deletes a directory tree without following symlinks (a plain walk: no streams at exit). */
    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    /** One control line from the exec stage, without its newline; null at end of stream or past 256 characters. */
    static String readLine(SocketChannel channel) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder sb = new StringBuilder();
        while (true) {
            one.clear();
            if (channel.read(one) <= 0) {
                return null;
            }
            char c = (char) one.get(0);
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                return null;
            }
            sb.append(c);
        }
    }
}
