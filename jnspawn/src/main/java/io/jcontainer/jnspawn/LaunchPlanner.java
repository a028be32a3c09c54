package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import io.jcontainer.jnspawn.internal.cgroup.DeviceCgroup;
import io.jcontainer.jnspawn.internal.rootfs.RootFs;
import io.jcontainer.jnspawn.internal.security.Capabilities;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.Signals;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import io.jcontainer.jnspawn.settings.UserNsSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides a {@link LaunchPlan} from the command line and, with {@code -M NAME} and no root given,
 * the container file {@code /run/jcontainer/NAME.container} or {@code /etc/jcontainer/NAME.container}.
 *
 * <p>As with nspawn's .nspawn files, the command line wins over the file: single values replace,
 * lists (environment, binds, tmpfs) add. Every check that can be made before the container exists
 * is made here, so that bad input fails with one line and nothing was set up.
 */
public final class LaunchPlanner {
    public static final List<Path> SEARCH_DIRS = List.of(Path.of("/run/jcontainer"), Path.of("/etc/jcontainer"));
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Where an init is looked for with --boot, as systemd-nspawn does. */
    public static final List<String> INIT_PATHS = List.of("/usr/lib/systemd/systemd", "/lib/systemd/systemd", "/sbin/init");
    /** Where the container finds systemd's notify socket with {@code NotifyReady=yes} (as systemd-nspawn's). */
    public static final String NOTIFY_SOCKET_INSIDE = "/run/host/notify";
    public static final int SIGTERM = 15;
    public static final int SIGRTMIN_PLUS_3 = 37;

    private final List<Path> searchDirs;
    private final boolean stdinIsTerminal;
    private final boolean deviceCgroupAvailable;
    private final boolean unitDevicePolicy;

    public LaunchPlanner(List<Path> searchDirs, boolean stdinIsTerminal, boolean deviceCgroupAvailable) {
        this(searchDirs, stdinIsTerminal, deviceCgroupAvailable, false);
    }

    /**
     * @param unitDevicePolicy systemd runs us: it takes the container over, and
     *                         jcontainer@.service's DevicePolicy=closed confines devices (no
     *                         cgroup of our own, CAP_MKNOD is kept)
     */
    public LaunchPlanner(List<Path> searchDirs, boolean stdinIsTerminal, boolean deviceCgroupAvailable,
            boolean unitDevicePolicy) {
        this.searchDirs = searchDirs;
        this.stdinIsTerminal = stdinIsTerminal;
        this.deviceCgroupAvailable = deviceCgroupAvailable && !unitDevicePolicy;
        this.unitDevicePolicy = unitDevicePolicy;
    }

    /**
     * A planner for this host: the standard search dirs (or the colon-separated list in system
     * property {@code jcontainer.search.path}, for tests), the real terminal, the real cgroups.
     */
    public static LaunchPlanner forHost() {
        List<Path> dirs = SEARCH_DIRS;
        String override = System.getProperty("jcontainer.search.path");
        if (override != null && !override.isEmpty()) {
            dirs = new ArrayList<>();
            for (String d : override.split(":")) {
                dirs.add(Path.of(d));
            }
        }
        return new LaunchPlanner(dirs, PlanInputs.console(), DeviceCgroup.available(),
                PlanInputs.getenv("NOTIFY_SOCKET") != null);
    }

    /** Where container files are looked for, in order. */
    public List<Path> searchDirs() {
        return searchDirs;
    }

    public LaunchPlan plan(JnspawnOptions o) throws LaunchException, SettingsException {
        ContainerFile file = null;
        if (o.directory == null && o.layers.isEmpty() && o.image == null) {
            if (o.machine == null) {
                throw new LaunchException("No root given: use -D/--directory, --layer, --image, or -M NAME with a container file.");
            }
            file = ContainerFile.parse(ContainerFile.locate(o.machine, searchDirs));
        }

        // ---- the root
        Path directory = o.directory != null ? o.directory : file != null ? file.directory() : null;
        List<Path> layers = !o.layers.isEmpty() || file == null ? o.layers : file.layers();
        String imageName = o.image != null ? o.image : file != null ? file.image() : null;
        boolean ephemeral = pick(o.ephemeral, file != null && file.ephemeral());
        boolean readOnly = pick(o.readOnly, file != null && file.readOnly());
        String machine = o.machine;
        LaunchPlan.Root root;
        ImageRoot image = null;
        if (imageName != null) {
            if (directory != null || !layers.isEmpty()) {
                throw new LaunchException(file != null
                        ? file.source() + ":" + file.lineOf("Image") + ": Image= cannot be combined with Directory= or Layer="
                        : "--image cannot be combined with -D/--directory or --layer.");
            }
            if (machine == null) {
                machine = MachineName.validate(sanitize(ImageRoot.defaultMachineName(imageName)));
            }
            image = ImageRoot.resolve(imageName, machine, ephemeral, readOnly);
            root = image.root();
        } else {
            if (directory == null && layers.isEmpty()) {
                throw new LaunchException(file.source() + ": no root: set Image=, Directory= or Layer=");
            }
            root = rootOf(directory, layers, ephemeral, readOnly);
            if (machine == null) {
                Path nameSource = directory != null ? directory : layers.get(layers.size() - 1);
                machine = MachineName.validate(
                        sanitize(nameSource.getFileName() == null ? "root" : nameSource.getFileName().toString()));
            }
        }
        String hostname = o.hostname != null ? o.hostname : file != null && file.hostname() != null ? file.hostname() : machine;

        // ---- namespaces and privileges
        // As nspawn: --network-veth is a veth to the host, --private-network alone is loopback only.
        Network network;
        if (Boolean.TRUE.equals(o.networkVeth)) {
            network = Network.PRIVATE;
        } else if (Boolean.TRUE.equals(o.privateNetwork)) {
            network = Network.NONE;
        } else if (file != null && o.privateNetwork == null && o.networkVeth == null) {
            network = file.network();
        } else {
            network = Network.HOST; // nspawn's default without --private-network
        }
        List<PortMapping> ports = new ArrayList<>(file != null ? file.publishedPorts() : List.of());
        ports.addAll(o.ports);
        if (!ports.isEmpty() && network != Network.PRIVATE) {
            throw new LaunchException(file != null && !file.publishPorts().isEmpty()
                    ? file.source() + ":" + file.lineOf("PublishPort") + ": PublishPort= needs Network=private, not "
                            + network
                    : "-p/--port needs --network-veth (or Network=private), not network '" + network + "'.");
        }
        UserNsSpec users = o.privateUsers != null ? o.privateUsers : file != null ? file.privateUsers() : null;
        if (image != null && users != null && users.enabled()) {
            // Shifting ownership would chown layers that other containers share; that needs
            // idmapped mounts, which jnspawn does not make yet.
            throw new LaunchException("A user namespace (PrivateUsers=/-U) cannot be used with an image yet.");
        }
        int nsBase = 0;
        int nsRange = 0;
        if (users != null && users.enabled()) {
            UserNsSpec resolved = users.resolve(machine);
            nsBase = resolved.base();
            nsRange = resolved.range();
        }
        boolean boot = pick(o.boot, file != null && file.boot());

        long caps = Capabilities.nspawnDefault(network != Network.HOST);
        List<String> add = new ArrayList<>(file != null ? file.capability() : List.of());
        add.addAll(o.capability);
        List<String> drop = new ArrayList<>(file != null ? file.dropCapability() : List.of());
        drop.addAll(o.dropCapability);
        try {
            caps |= Capabilities.parseList(add);
            caps &= ~Capabilities.parseList(drop);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
        boolean deviceCgroup = deviceCgroupAvailable;
        if (!deviceCgroup && !unitDevicePolicy) {
            // Nothing would stop a node made with mknod from opening a host device.
            caps &= ~(1L << Capabilities.number("CAP_MKNOD"));
        }
        int killSignal = o.killSignal != null ? o.killSignal
                : file != null && file.killSignal() != null ? file.killSignal()
                : boot ? SIGRTMIN_PLUS_3
                : image != null && image.stopSignal() != null ? Signals.parse(image.stopSignal())
                : SIGTERM;

        // ---- mounts
        RootFs rootFs = new RootFs(root);
        List<BindSpec> binds = new ArrayList<>();
        if (file != null) {
            binds.addAll(file.binds());
            binds.addAll(file.bindsReadOnly());
        }
        binds.addAll(o.binds);
        for (BindSpec b : binds) {
            if (!PlanInputs.exists(b.source())) {
                throw new LaunchException("Bind source '" + b.source() + "' does not exist.");
            }
            rootFs.checkMountTarget(b.target().toString());
        }
        List<TmpfsSpec> tmpfs = new ArrayList<>(file != null ? file.temporaryFileSystems() : List.of());
        tmpfs.addAll(o.tmpfs);
        for (TmpfsSpec t : tmpfs) {
            rootFs.checkMountTarget(t.target().toString());
        }
        for (String standard : List.of("/proc", "/sys", "/dev", "/tmp", "/run")) {
            rootFs.checkMountTarget(standard);
        }

        // ---- the payload
        String userSpec = o.user != null ? o.user : file != null && file.user() != null ? file.user()
                : image != null ? image.user() : null;
        UserLookup.User user = UserLookup.resolve(rootFs, userSpec);
        List<String> argv = new ArrayList<>();
        boolean fileExec = file != null && file.exec() != null && !file.exec().isEmpty();
        if (image != null && (!fileExec || o.command.size() > 0)) {
            // As docker run: a command replaces the image's Cmd, not its Entrypoint.
            argv.addAll(image.entrypoint());
            argv.addAll(o.command.isEmpty() ? image.cmd() : o.command);
        } else {
            argv.addAll(o.command);
        }
        if (argv.isEmpty() && fileExec) {
            argv.addAll(file.exec());
        }
        if (boot) {
            String init = null;
            for (String candidate : INIT_PATHS) {
                if (rootFs.isFile(candidate)) {
                    init = candidate;
                    break;
                }
            }
            if (init == null) {
                throw new LaunchException("No init found in the container's root (looked for " + String.join(", ", INIT_PATHS) + ").");
            }
            argv.add(0, init);
        } else if (argv.isEmpty()) {
            argv.add("/bin/sh");
        }
        String cwd = o.chdir != null ? o.chdir : file != null && file.workingDirectory() != null ? file.workingDirectory()
                : image != null && image.workingDirectory() != null ? image.workingDirectory() : "/";
        boolean pty = o.console != null ? o.console.equals("interactive") : stdinIsTerminal;

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("container", "jcontainer");
        env.put("HOME", user.home());
        if (user.name() != null) {
            env.put("USER", user.name());
            env.put("LOGNAME", user.name());
        }
        if (pty) {
            String term = PlanInputs.getenv("TERM");
            env.put("TERM", term != null && !term.isEmpty() ? term : "vt220");
        }
        List<String> assignments = new ArrayList<>(image != null ? image.env() : List.of());
        if (file != null) {
            assignments.addAll(file.environment());
        }
        assignments.addAll(o.setenv);
        for (String kv : assignments) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        // NotifyReady=yes under systemd: the payload reaches systemd's own notify socket, bound at nspawn's
        // /run/host/notify (NotifyAccess=all takes messages of any process of the unit). In the foreground
        // nobody waits for READY=1.
        boolean notifyReady = file != null && file.notifyReady() && unitDevicePolicy;
        if (notifyReady) {
            String socket = PlanInputs.getenv("NOTIFY_SOCKET");
            if (socket.startsWith("@")) {
                if (network != Network.HOST) {
                    throw new LaunchException(file.source() + ":" + file.lineOf("NotifyReady") + ": NotifyReady=yes: "
                            + "$NOTIFY_SOCKET '" + socket + "' is an abstract socket, which a container with a "
                            + "network namespace of its own cannot reach");
                }
                env.put("NOTIFY_SOCKET", socket);
            } else {
                binds.add(0, new BindSpec(Path.of(socket), Path.of(NOTIFY_SOCKET_INSIDE), false, false));
                env.put("NOTIFY_SOCKET", NOTIFY_SOCKET_INSIDE);
            }
        }
        List<String> envList = new ArrayList<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            envList.add(e.getKey() + "=" + e.getValue());
        }

        boolean noNewPrivileges = pick(o.noNewPrivileges, file != null && file.noNewPrivileges());
        return new LaunchPlan(machine, root, hostname, argv, envList, cwd, user.uid(), user.gid(), user.groups(),
                binds, tmpfs, nsBase, nsRange, caps, noNewPrivileges, killSignal, boot, network, pty, deviceCgroup,
                unitDevicePolicy, ports, notifyReady);
    }

    private static LaunchPlan.Root rootOf(Path directory, List<Path> layers, boolean ephemeral, boolean readOnly)
            throws LaunchException {
        for (Path layer : layers) {
            requireDirectory("Layer", layer);
        }
        if (directory != null) {
            requireDirectory("Directory", directory);
        }
        for (Path p : layers) {
            checkOverlayPath(p);
        }
        if (layers.isEmpty()) {
            if (ephemeral) {
                checkOverlayPath(directory);
                return new LaunchPlan.Root(List.of(directory), null, true, readOnly);
            }
            return new LaunchPlan.Root(List.of(), directory, false, readOnly);
        }
        if (ephemeral) {
            return new LaunchPlan.Root(layers, null, true, readOnly);
        }
        if (directory == null) {
            if (!readOnly) {
                throw new LaunchException("Layers without a writable upper directory: give -D/Directory=, --ephemeral or --read-only.");
            }
            return new LaunchPlan.Root(layers, null, false, true);
        }
        checkOverlayPath(directory);
        return new LaunchPlan.Root(layers, directory, false, readOnly);
    }

    private static void requireDirectory(String what, Path p) throws LaunchException {
        if (!PlanInputs.isDirectoryNoFollow(p)) {
            throw new LaunchException(what + " '" + p + "' " + (PlanInputs.exists(p) ? "is not a directory." : "does not exist."));
        }
    }

    /** overlayfs separates its options with ',' and lower dirs with ':'. */
    private static void checkOverlayPath(Path p) throws LaunchException {
        String s = p.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw new LaunchException("Layer path '" + s + "' contains ',', ':' or '\\', which overlayfs cannot take.");
        }
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.-]", "-").replaceAll("^[.-]+", "");
        if (s.isEmpty()) {
            s = "root";
        }
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    private static boolean pick(Boolean cli, boolean fallback) {
        return cli != null ? cli : fallback;
    }
}
