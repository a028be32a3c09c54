package io.jcontainer.jnspawn.settings;

import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A container file, {@code /etc/jcontainer/NAME.container} or {@code /run/jcontainer/NAME.container},
 * parsed and checked: the {@code [Container]} settings as values, {@code [Unit]}, {@code [Service]}
 * and {@code [Install]} kept as entries for the unit.
 *
 * <p>Assignment rules are systemd's: for a key that takes one value the last assignment wins; list
 * keys accumulate, and an empty assignment empties the list. Single-value
 * keys have no empty form; leave them out for the default. Unknown keys and sections are errors,
 * not warnings: a typo should stop the container, not change it quietly.
 *
 * <p>Whether the settings fit together (an image or a directory, known capability names, ports)
 * is decided by the launcher, which reports it with {@link #lineOf} as {@code FILE:LINE: ...}.
 */
public final class ContainerFile {

    public static final String SECTION_CONTAINER = "Container";
    public static final String SECTION_UNIT = "Unit";
    public static final String SECTION_SERVICE = "Service";
    public static final String SECTION_INSTALL = "Install";

    /** The sections a container file may have; the last three pass through to the unit. */
    public static final List<String> SECTIONS =
            List.of(SECTION_CONTAINER, SECTION_UNIT, SECTION_SERVICE, SECTION_INSTALL);

    /** Every key of [Container]; keep in sync with {@link #apply}. */
    public static final Set<String> CONTAINER_KEYS = Set.of(
            "Image", "Directory", "Layer", "Exec", "Environment", "Hostname", "Bind", "BindReadOnly",
            "TemporaryFileSystem", "PublishPort", "Network", "User", "WorkingDirectory", "PrivateUsers",
            "ReadOnly", "Ephemeral", "Boot", "NoNewPrivileges", "NotifyReady", "KillSignal",
            "Capability", "DropCapability",
            // HealthSpec.KEYS
            "HealthCmd", "HealthInterval", "HealthTimeout", "HealthStartPeriod", "HealthRetries", "HealthOnFailure");

    /** The suffix of container files. */
    public static final String SUFFIX = ".container";

    private final Path source;
    private final Map<String, Integer> lines = new HashMap<>();

    private String image;
    private Path directory;
    private final List<Path> layers = new ArrayList<>();
    private List<String> exec = List.of();
    private final List<String> environment = new ArrayList<>();
    private String hostname;
    private final List<BindSpec> binds = new ArrayList<>();
    private final List<BindSpec> bindsReadOnly = new ArrayList<>();
    private final List<TmpfsSpec> temporaryFileSystems = new ArrayList<>();
    private final List<String> publishPorts = new ArrayList<>();
    private Network network = Network.PRIVATE;
    private String user;
    private String workingDirectory;
    private UserNsSpec privateUsers = UserNsSpec.NONE;
    private boolean readOnly;
    private boolean ephemeral;
    private boolean boot;
    private boolean noNewPrivileges;
    private boolean notifyReady;
    private Integer killSignal;
    private final List<String> capability = new ArrayList<>();
    private final List<String> dropCapability = new ArrayList<>();
    private final HealthSpec.Builder health = new HealthSpec.Builder();
    private final List<UnitFile.Entry> unitSection;
    private final List<UnitFile.Entry> serviceSection;
    private final List<UnitFile.Entry> installSection;

    private ContainerFile(UnitFile file) {
        this.source = Path.of(file.displayName());
        this.unitSection = file.section(SECTION_UNIT);
        this.serviceSection = file.section(SECTION_SERVICE);
        this.installSection = file.section(SECTION_INSTALL);
    }

    /**
     * Reads and parses a container file.
     *
     * @throws SettingsException the first problem, as {@code FILE:LINE: ...}
     */
    public static ContainerFile parse(Path file) throws SettingsException {
        return parse(UnitFile.parse(file));
    }

    /**
     * Interprets a parsed unit file as a container file; its display name is taken as the
     * {@link #source()}.
     *
     * @throws SettingsException the first problem in file order, as {@code FILE:LINE: ...}
     */
    public static ContainerFile parse(UnitFile file) throws SettingsException {
        ContainerFile c = new ContainerFile(file);
        String name = file.displayName();
        for (UnitFile.Entry e : file.entries()) {
            if (!SECTIONS.contains(e.section())) {
                // Reported at its first entry: an empty unknown section changes nothing.
                throw SettingsException.atLine(name, e.line(), "Unknown section ["
                        + e.section() + "], expected one of " + SECTIONS.stream()
                        .map(s -> "[" + s + "]").collect(Collectors.joining(", ")));
            }
            if (!e.section().equals(SECTION_CONTAINER)) {
                continue;
            }
            if (!CONTAINER_KEYS.contains(e.key())) {
                throw SettingsException.atLine(name, e.line(), "Unknown key "
                        + SettingsException.quote(e.key()) + " in section [" + SECTION_CONTAINER + "]");
            }
            try {
                c.apply(e.key(), e.value());
            } catch (SettingsException ex) {
                throw ex.at(name, e.line(), e.key(), e.value());
            }
            c.lines.put(e.key(), e.line());
        }
        String orphan = c.health.keyWithoutCommand();
        if (orphan != null) {
            throw SettingsException.atLine(name, c.lineOf(orphan), "Key " + SettingsException.quote(orphan)
                    + " needs " + HealthSpec.KEY_CMD + "= (a health check) in section [" + SECTION_CONTAINER + "]");
        }
        return c;
    }

    private void apply(String key, String value) throws SettingsException {
        boolean reset = value.isEmpty();
        switch (key) {
            case "Image" -> image = nonEmpty("image", value);
            case "Directory" -> directory = PathRules.absolute("directory", value, null, value);
            case "Layer" -> {
                if (reset) {
                    layers.clear();
                } else {
                    layers.add(PathRules.absolute("layer", value, null, value));
                }
            }
            case "Exec" -> exec = Words.split(value);
            case "Environment" -> {
                if (reset) {
                    environment.clear();
                }
                for (String word : Words.split(value)) {
                    environment.add(environmentAssignment(word));
                }
            }
            case "Hostname" -> hostname = Hostname.validate(value);
            case "Bind" -> {
                if (reset) {
                    binds.clear();
                } else {
                    binds.add(BindSpec.parse(value, false));
                }
            }
            case "BindReadOnly" -> {
                if (reset) {
                    bindsReadOnly.clear();
                } else {
                    bindsReadOnly.add(BindSpec.parse(value, true));
                }
            }
            case "TemporaryFileSystem" -> {
                if (reset) {
                    temporaryFileSystems.clear();
                } else {
                    temporaryFileSystems.add(TmpfsSpec.parse(value));
                }
            }
            case "PublishPort" -> {
                if (reset) {
                    publishPorts.clear();
                } else {
                    PortMapping.parse(value);
                    publishPorts.add(value);
                }
            }
            case "Network" -> network = Network.parse(value);
            case "User" -> user = nonEmpty("user", value);
            case "WorkingDirectory" -> {
                String problem = PathRules.problem(value);
                if (problem != null) {
                    throw SettingsException.invalid("working directory", value, problem);
                }
                workingDirectory = value;
            }
            case "PrivateUsers" -> privateUsers = UserNsSpec.parse(value);
            case "ReadOnly" -> readOnly = Booleans.parse(value);
            case "Ephemeral" -> ephemeral = Booleans.parse(value);
            case "Boot" -> boot = Booleans.parse(value);
            case "NoNewPrivileges" -> noNewPrivileges = Booleans.parse(value);
            case "NotifyReady" -> notifyReady = Booleans.parse(value);
            case "KillSignal" -> killSignal = Signals.parse(value);
            case "Capability" -> capabilityList(capability, value);
            case "DropCapability" -> capabilityList(dropCapability, value);
            case "HealthCmd", "HealthInterval", "HealthTimeout", "HealthStartPeriod", "HealthRetries",
                 "HealthOnFailure" -> health.apply(key, value);
            default -> throw new IllegalStateException("Key " + key + " in CONTAINER_KEYS but not handled");
        }
    }

    private static String nonEmpty(String what, String value) throws SettingsException {
        if (value.isEmpty()) {
            throw SettingsException.invalid(what, value, "must not be empty");
        }
        return value;
    }

    private static String environmentAssignment(String word) throws SettingsException {
        int eq = word.indexOf('=');
        if (eq < 0) {
            throw SettingsException.invalid("environment assignment", word, "expected NAME=VALUE");
        }
        if (!isEnvironmentName(word, eq)) {
            throw SettingsException.invalid("environment assignment", word,
                    "variable name must match [A-Za-z_][A-Za-z0-9_]*");
        }
        return word;
    }

    /**
     * Whether {@code word}'s first {@code length} characters match {@code [A-Za-z_][A-Za-z0-9_]*}
     * (env_name_is_valid() in systemd, less its length limit). A loop, not a regex: this runs on
     * the generator's boot path, where compiling the first {@code Pattern} costs milliseconds of
     * lambda bootstraps.
     */
    static boolean isEnvironmentName(String word, int length) {
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = word.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Names separated by commas and whitespace ({@code [\s,]+}), empty ones dropped. */
    private static void capabilityList(List<String> list, String value) {
        if (value.isEmpty()) {
            list.clear();
            return;
        }
        int start = -1;
        for (int i = 0; i <= value.length(); i++) {
            boolean separator = i == value.length() || isCapabilitySeparator(value.charAt(i));
            if (separator && start >= 0) {
                list.add(value.substring(start, i));
                start = -1;
            } else if (!separator && start < 0) {
                start = i;
            }
        }
    }

    /** {@code [\s,]}: a comma or what {@code \s} matches without UNICODE_CHARACTER_CLASS. */
    private static boolean isCapabilitySeparator(char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * The container file for {@code machine} in the first of {@code searchDirs} that has
     * {@code NAME.container}; callers pass {@code /run/jcontainer} before {@code /etc/jcontainer}
     * so that a transient container shadows a configured one of the same name.
     *
     * @throws SettingsException for an invalid machine name (which also keeps {@code ../x} from
     *                           leaving the directories), or {@code No container file for 'web' in
     *                           /run/jcontainer, /etc/jcontainer}
     */
    public static Path locate(String machine, List<Path> searchDirs) throws SettingsException {
        MachineName.validate(machine);
        for (Path dir : searchDirs) {
            Path candidate = dir.resolve(machine + SUFFIX);
            if (PlanInputs.exists(candidate)) {
                return candidate;
            }
        }
        throw new SettingsException("No container file for " + SettingsException.quote(machine) + " in "
                + searchDirs.stream().map(Path::toString).collect(Collectors.joining(", ")));
    }

    /** The file this was read from (the unit file's display name, for one parsed from text). */
    public Path source() {
        return source;
    }

    /** The line of the last assignment to a [Container] key, 0 if it is not assigned. */
    public int lineOf(String key) {
        return lines.getOrDefault(key, 0);
    }

    // Settings the file may leave out read as null: the launcher falls back to the command line,
    // then the image config, then a built-in default, and needs to tell "not set" from a value.

    /** {@code Image=}: the image reference as written, or null. */
    public String image() {
        return image;
    }

    /** {@code Directory=}: a root directory on the host, or null. */
    public Path directory() {
        return directory;
    }

    /** {@code Layer=}: read-only lower layers, bottom-most first. */
    public List<Path> layers() {
        return List.copyOf(layers);
    }

    /** {@code Exec=}: the command line; empty for the image's Entrypoint and Cmd. */
    public List<String> exec() {
        return exec;
    }

    /** {@code Environment=}: {@code NAME=VALUE} assignments in order. */
    public List<String> environment() {
        return List.copyOf(environment);
    }

    /** {@code Hostname=}, or null. */
    public String hostname() {
        return hostname;
    }

    /** {@code Bind=}, in file order. */
    public List<BindSpec> binds() {
        return List.copyOf(binds);
    }

    /** {@code BindReadOnly=}, in file order. */
    public List<BindSpec> bindsReadOnly() {
        return List.copyOf(bindsReadOnly);
    }

    /** {@code TemporaryFileSystem=}. */
    public List<TmpfsSpec> temporaryFileSystems() {
        return List.copyOf(temporaryFileSystems);
    }

    /** {@code PublishPort=} values as written, checked where networking is set up. */
    public List<String> publishPorts() {
        return List.copyOf(publishPorts);
    }

    /** {@code PublishPort=} values, parsed (each was checked when the file was read). */
    public List<PortMapping> publishedPorts() throws SettingsException {
        List<PortMapping> out = new ArrayList<>();
        for (String p : publishPorts) {
            out.add(PortMapping.parse(p));
        }
        return out;
    }

    /** {@code Network=}; {@link Network#PRIVATE} by default. */
    public Network network() {
        return network;
    }

    /** {@code User=} as written ({@code name}, {@code uid}, {@code uid:gid}), or null; resolved in the image. */
    public String user() {
        return user;
    }

    /** {@code WorkingDirectory=}, an absolute path inside the container, or null. */
    public String workingDirectory() {
        return workingDirectory;
    }

    /** {@code PrivateUsers=}; {@link UserNsSpec#NONE} by default. */
    public UserNsSpec privateUsers() {
        return privateUsers;
    }

    /** {@code ReadOnly=}. */
    public boolean readOnly() {
        return readOnly;
    }

    /** {@code Ephemeral=}. */
    public boolean ephemeral() {
        return ephemeral;
    }

    /** {@code Boot=}. */
    public boolean boot() {
        return boot;
    }

    /** {@code NoNewPrivileges=}. */
    public boolean noNewPrivileges() {
        return noNewPrivileges;
    }

    /** {@code NotifyReady=}. */
    public boolean notifyReady() {
        return notifyReady;
    }

    /** {@code KillSignal=}, or null for the default (the image's StopSignal, or SIGRTMIN+3 with Boot=). */
    public Integer killSignal() {
        return killSignal;
    }

    /** {@code Capability=}: names as written, checked by the launcher. */
    public List<String> capability() {
        return List.copyOf(capability);
    }

    /** {@code DropCapability=}: names as written, checked by the launcher. */
    public List<String> dropCapability() {
        return List.copyOf(dropCapability);
    }

    /** The health keys as assigned; {@link HealthSpec#effective} merges them with the image's check. */
    HealthSpec.Builder healthSettings() {
        return health;
    }

    /** The [Unit] entries, for the unit. */
    public List<UnitFile.Entry> unitSection() {
        return unitSection;
    }

    /** The [Service] entries, for the unit. */
    public List<UnitFile.Entry> serviceSection() {
        return serviceSection;
    }

    /** The [Install] entries, for the unit. */
    public List<UnitFile.Entry> installSection() {
        return installSection;
    }
}
