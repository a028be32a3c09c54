package io.jcontainer.cli;

import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.machined.MachineManager;
import io.jcontainer.machined.MachinedException;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.machined.SystemdManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the verbs take from the host: the image store, the container file directories, the system
 * bus and whether systemd runs the machine. Read from the environment given to {@link Main}, so that
 * tests run every verb in-process against their own store, directories and (absent) bus.
 */
final class Host {
    /** The image store's root, when {@code --root} is not given. */
    static final String ROOT_ENV = "JCONTAINER_ROOT";
    /** Container file directories, highest precedence first, separated by ':' (for tests). */
    static final String SEARCH_PATH_ENV = "JCONTAINER_SEARCH_PATH";
    /** The system bus, as libdbus and sd-bus read it. */
    static final String BUS_ENV = "DBUS_SYSTEM_BUS_ADDRESS";
    static final String DEFAULT_BUS = "unix:path=/run/dbus/system_bus_socket";
    /** Where container files live, /run first: a transient container shadows a configured one. */
    static final List<Path> DEFAULT_SEARCH_DIRS = List.of(Path.of("/run/jcontainer"), Path.of("/etc/jcontainer"));
    /** The jnspawn launcher, as the jcontainer launcher names it (bin/jnspawn beside it); for tests too. */
    static final String JNSPAWN_PROPERTY = "jcontainer.jnspawn";
    static final Path DEFAULT_JNSPAWN = Path.of("/usr/libexec/jcontainer/jnspawn");
    /** The signature policy, when not {@link io.jcontainer.image.trust.Policy#DEFAULT_PATH} (for tests). */
    static final String POLICY_ENV = "JCONTAINER_POLICY";
    /** registries.d directories, separated by ':', instead of {@link io.jcontainer.image.trust.RegistriesD#DEFAULT_DIRS} (for tests). */
    static final String REGISTRIES_D_ENV = "JCONTAINER_REGISTRIES_D";
    /** Where {@code jcontainer trust} keeps keys, instead of {@link #DEFAULT_TRUST_DIR} (for tests). */
    static final String TRUST_DIR_ENV = "JCONTAINER_TRUST_DIR";
    static final Path DEFAULT_TRUST_DIR = Path.of("/etc/jcontainer/trust");
    /** sd_booted(3): this directory exists exactly when systemd is PID 1. */
    static final Path SYSTEMD_RUNTIME_DIR = Path.of("/run/systemd/system");

    private final Map<String, String> env;
    private final Path rootOption;
    /** The caller's effective uid as tests set it; -1: read it from /proc/self/status. */
    private final int effectiveUid;

    Host(Map<String, String> env, Path rootOption) {
        this(env, rootOption, -1);
    }

    Host(Map<String, String> env, Path rootOption, int effectiveUid) {
        this.env = Map.copyOf(env);
        this.rootOption = rootOption;
        this.effectiveUid = effectiveUid;
    }

    /**
     * Refuses a caller that is not root before a verb defines a container: a container file can bind any host
     * path, so writing one is root's (polkit/README.md); members of group jcontainer start what root defined.
     */
    void requireRootToDefine(String verb) throws CliException {
        int uid = effectiveUid >= 0 ? effectiveUid : uidFromProc();
        if (uid != 0) {
            throw new CliException("'jcontainer " + verb + "' defines a container, which only root may do (uid "
                    + (uid < 0 ? "unknown" : uid) + "): a container file can bind any host path; ask root to "
                    + "write /etc/jcontainer/NAME.container, then 'systemctl start jcontainer@NAME'.");
        }
    }

    /** Refuses a caller that is not root: {@code why} says what of root's the verb touches. */
    void requireRoot(String verb, String why) throws CliException {
        int uid = effectiveUid >= 0 ? effectiveUid : uidFromProc();
        if (uid != 0) {
            throw new CliException("'jcontainer " + verb + "' needs root (uid " + (uid < 0 ? "unknown" : uid) + "): "
                    + why + ".");
        }
    }

    /** The effective uid ({@code Uid:} line of /proc/self/status, second field); -1 if unreadable. */
    static int uidFromProc() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    Path storeRoot() {
        if (rootOption != null) {
            return rootOption;
        }
        String fromEnv = env.get(ROOT_ENV);
        return fromEnv == null || fromEnv.isEmpty() ? ImageStore.DEFAULT_ROOT : Path.of(fromEnv);
    }

    /** Opens (creating where needed) the store. */
    ImageStore store() throws ImageStoreException {
        return new ImageStore(storeRoot());
    }

    /** NAME's container file in the search directories, or the CLI's one line {@code No such container: ...}. */
    Path containerFile(String name) throws CliException {
        try {
            return ContainerFiles.locate(name, searchDirs());
        } catch (SettingsException e) {
            throw new CliException("No such container: " + e.getMessage(), e);
        }
    }

    List<Path> searchDirs() {
        String value = env.get(SEARCH_PATH_ENV);
        if (value == null) {
            return DEFAULT_SEARCH_DIRS;
        }
        List<Path> dirs = new ArrayList<>();
        for (String dir : value.split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return List.copyOf(dirs);
    }

    /** The signature policy file: {@value #POLICY_ENV}, else /etc/jcontainer/policy.json. */
    Path policyPath() {
        String value = env.get(POLICY_ENV);
        return value == null || value.isEmpty() ? io.jcontainer.image.trust.Policy.DEFAULT_PATH : Path.of(value);
    }

    /** The gpg home {@code push --sign-by}'s gpg uses: {@code GNUPGHOME} as the caller has it, or null (gpg's default). */
    String gnupgHome() {
        return env.get("GNUPGHOME");
    }

    /** Where signatures are configured to be stored: {@value #REGISTRIES_D_ENV}, else ours and containers/image's. */
    List<Path> registriesDirs() {
        String value = env.get(REGISTRIES_D_ENV);
        if (value == null) {
            return io.jcontainer.image.trust.RegistriesD.DEFAULT_DIRS;
        }
        List<Path> dirs = new ArrayList<>();
        for (String dir : value.split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return List.copyOf(dirs);
    }

    /** Where {@code jcontainer trust} stores the keys it is given: {@value #TRUST_DIR_ENV}, else /etc/jcontainer/trust. */
    Path trustDir() {
        String value = env.get(TRUST_DIR_ENV);
        return value == null || value.isEmpty() ? DEFAULT_TRUST_DIR : Path.of(value);
    }

    /** Where {@code run} writes its transient container files: the first search directory ({@code /run/jcontainer}). */
    Path transientDir() throws CliException {
        List<Path> dirs = searchDirs();
        if (dirs.isEmpty()) {
            throw new CliException(SEARCH_PATH_ENV + " names no directory: nowhere to write a container file.");
        }
        return dirs.get(0);
    }

    /** Whether the search path is set for this process only, so that a jnspawn it starts must be told too. */
    boolean searchPathOverridden() {
        return env.containsKey(SEARCH_PATH_ENV);
    }

    /** The jnspawn launcher: system property {@value #JNSPAWN_PROPERTY}, else {@link #DEFAULT_JNSPAWN}. */
    Path jnspawn() {
        String value = System.getProperty(JNSPAWN_PROPERTY);
        return value == null || value.isEmpty() ? DEFAULT_JNSPAWN : Path.of(value);
    }

    /**
     * Where jnspawn records running containers ({@code NAME.state}, for exec and kill): system property
     * {@code jcontainer.runtime}, else /run/jcontainer.
     */
    Path runtimeDir() {
        return io.jcontainer.jnspawn.ContainerState.defaultRuntimeDir();
    }

    /** Tells a jnspawn started by {@code builder} the runtime directory, when this process was given another one. */
    void passRuntimeDir(ProcessBuilder builder) {
        String value = System.getProperty("jcontainer.runtime");
        if (value != null && !value.isEmpty()) {
            String opts = builder.environment().getOrDefault("JCONTAINER_JAVA_OPTS", "");
            builder.environment().put("JCONTAINER_JAVA_OPTS", (opts + " -Djcontainer.runtime=" + value).strip());
        }
    }

    /** The command name of PID 1 ({@code /proc/1/comm}), for messages that explain why systemd is not there. */
    static String pid1Name() {
        try {
            return Files.readString(Path.of("/proc/1/comm")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    String busAddress() {
        String value = env.get(BUS_ENV);
        return value == null || value.isEmpty() ? DEFAULT_BUS : value;
    }

    SystemdManager systemd() throws MachinedException {
        return new SystemdManager(busAddress());
    }

    MachineManager machined() throws MachinedException {
        return new MachineManager(busAddress());
    }

    /** Whether systemd is PID 1 here, so that the journal has the containers' logs. */
    boolean systemdBooted() {
        return Files.isDirectory(SYSTEMD_RUNTIME_DIR);
    }
}
