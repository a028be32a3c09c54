package io.jcontainer.cli;

import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStore;
import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code run} and {@code create} say about a container, and the container file they write from it
 * ({@link TransientContainer}): the image, its command, binds, network, user, limits.
 */
final class ContainerOptions {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> NETWORKS = List.of("host", "none", "private");

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

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "Run as USER (name or UID[:GID]).")
    String user;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The command's working directory.")
    String workdir;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's entrypoint.")
    String entrypoint;

    @Option(names = {"-m", "--memory"}, paramLabel = "BYTES",
            description = "Memory limit: a number with an optional b, k, m or g suffix (MemoryMax= in [Service]).")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs the container may use, 1.5 for one and a half "
            + "(CPUQuota=150%% in [Service]).")
    String cpus;

    @Option(names = "--pids-limit", paramLabel = "N",
            description = "At most N tasks, -1 for no limit (TasksMax= in [Service]).")
    String pidsLimit;

    @Option(names = "--read-only", description = "Mount the container's root read-only (ReadOnly=yes).")
    boolean readOnly;

    @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]", description = "Mount a tmpfs (TemporaryFileSystem=).")
    List<String> tmpfs = new ArrayList<>();

    @Mixin
    HealthOptions health = new HealthOptions();

    @Option(names = "--insecure-options", paramLabel = "image", split = ",",
            description = "rkt's flag: 'image' runs an image file unverified (an ACI without a valid .asc by a key trusted for its name).")
    List<String> insecureOptions = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "IMAGE",
            description = "The image: a name or an ID of the store, or a file (an ACI, an OCI archive, a docker save "
                + "tar: a path starting with /, ./ or ../, or ending in .aci), imported and run.")
    String image;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "The command and its arguments (default: the image's).")
    List<String> command = new ArrayList<>();

    /**
     * The container file's lines from the options; every check that needs no file system.
     *
     * @param ephemeral whether the container's changes go when it ends ({@code run --rm})
     * @param err where the import of an image file says that it is unverified
     */
    TransientContainer describe(Host host, boolean ephemeral, PrintWriter err) throws Exception {
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
        for (String t : tmpfs) {
            try {
                TmpfsSpec.parse(t);
            } catch (SettingsException e) {
                throw new CliException("Malformed --tmpfs: " + e.getMessage() + ".", e);
            }
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
                ? ImageFile.importForRun(host, store, image, !insecureOptions.isEmpty(), err)
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
        if (ephemeral) {
            file.set("Ephemeral", "yes");
        }
        if (readOnly) {
            file.set("ReadOnly", "yes");
        }
        for (String t : tmpfs) {
            file.set("TemporaryFileSystem", t);
        }
        health.describe(file);
        if (memory != null) {
            file.service("MemoryMax", ResourceFlags.memory(memory));
        }
        if (cpus != null) {
            file.service("CPUQuota", ResourceFlags.cpus(cpus));
        }
        if (pidsLimit != null) {
            file.service("TasksMax", ResourceFlags.pidsLimit(pidsLimit));
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
    Path write(Host host, Path dir, TransientContainer file) throws CliException {
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

    static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - ContainerFile.SUFFIX.length());
    }
}
