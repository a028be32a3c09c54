package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.Booleans;
import io.jcontainer.jnspawn.settings.Hostname;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.Signals;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import io.jcontainer.jnspawn.settings.UserNsSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * jnspawn's command line, with systemd-nspawn's option names where the two overlap.
 *
 * <p>Parsed by hand rather than with Picocli: jnspawn is on every container's start path and a
 * parser library costs more class loading than this whole class (see docs/start-time.md). A
 * {@code null} field was not given, so the container file (or the default) decides.
 */
public final class JnspawnOptions {
    public Path directory;
    public final List<Path> layers = new ArrayList<>();
    public String image;
    public Boolean ephemeral;
    public String machine;
    public String hostname;
    public final List<String> setenv = new ArrayList<>();
    public String chdir;
    public String user;
    public final List<BindSpec> binds = new ArrayList<>();
    public final List<TmpfsSpec> tmpfs = new ArrayList<>();
    public Boolean readOnly;
    public UserNsSpec privateUsers;
    public final List<String> capability = new ArrayList<>();
    public final List<String> dropCapability = new ArrayList<>();
    public Boolean noNewPrivileges;
    public Integer killSignal;
    public Boolean boot;
    public Boolean privateNetwork;
    /** nspawn's --network-veth/-n: a veth pair to the host's bridge (Network=private). */
    public Boolean networkVeth;
    public final List<PortMapping> ports = new ArrayList<>();
    public String console;
    public boolean quiet;
    public boolean dryRun;
    /** ExecStopPost=: remove what a container of this machine name left on the host. */
    public boolean cleanup;
    /** --plan (with -M): write the plan file, do not start; --plan-all: of every container file. */
    public boolean plan;
    public boolean planAll;
    /** jcontainer exec: run the command in the running container -M NAME (see ContainerExec). */
    public boolean exec;
    public boolean help;
    /** Register with systemd-machined when run by systemd (nspawn's --register, default yes). */
    public boolean register = true;
    public boolean version;
    public final List<String> command = new ArrayList<>();

    /** The options that take a value, long and short forms. */
    private static final List<String> WITH_VALUE = List.of(
            "--directory", "-D", "--layer", "--image", "--machine", "-M", "--hostname", "--setenv", "-E", "--chdir",
            "--user", "-u", "--bind", "--bind-ro", "--tmpfs", "--capability", "--drop-capability",
            "--kill-signal", "--console", "--private-users", "--port", "-p");

    public static final String USAGE = String.join("\n",
            "Usage: jnspawn [OPTIONS...] [COMMAND [ARGS...]]",
            "",
            "Runs a command or an init in a light-weight container, in the foreground.",
            "",
            "  -D --directory=PATH       root directory (with --layer: the overlay's writable upper dir)",
            "     --layer=PATH           a read-only lower layer, bottom-most first (repeatable)",
            "     --image=NAME           the root is an image of the store (JCONTAINER_ROOT, default /var/lib/jcontainer)",
            "  -x --ephemeral            changes go to a tmpfs and are gone at exit",
            "  -M --machine=NAME         machine name; without -D: run /etc/jcontainer/NAME.container",
            "     --hostname=NAME        hostname (default: the machine name)",
            "  -E --setenv=NAME=VALUE    set an environment variable (repeatable)",
            "     --chdir=PATH           working directory of the command (default /)",
            "  -u --user=USER            run as USER (a name of the container's /etc/passwd, or UID[:GID])",
            "     --bind=SRC[:DST[:OPTS]]    bind a host path (OPTS: rbind|norbind)",
            "     --bind-ro=SRC[:DST[:OPTS]] bind a host path read-only",
            "     --tmpfs=PATH[:OPTS]    mount a tmpfs",
            "     --read-only            mount the root read-only",
            "  -U                        --private-users=pick",
            "     --private-users=no|pick|BASE[:RANGE]  run in a user namespace",
            "     --capability=CAP,...   keep more capabilities (or 'all')",
            "     --drop-capability=CAP,...  drop capabilities",
            "     --no-new-privileges[=BOOL] set no_new_privs for the payload",
            "     --kill-signal=SIGNAL   signal that stops the container (default SIGTERM; SIGRTMIN+3 with -b)",
            "  -b --boot                 run the image's init as PID 1",
            "     --private-network      own network namespace (loopback only)",
            "  -n --network-veth         own network namespace with a veth to the bridge (Network=private)",
            "  -p --port=[tcp|udp:][IP:]HOST[:CONTAINER]  publish a port (with --network-veth; repeatable)",
            "     --console=MODE         interactive (a pty; default on a terminal) | pipe",
            "     --register=BOOL        register with systemd-machined when run by systemd (default yes)",
            "     --keep-unit            accepted for nspawn compatibility: jnspawn never makes a scope",
            "  -q --quiet                no informational output",
            "     --dry-run              print the launch plan and run nothing",
            "     --cleanup              with -M: remove what a stopped container left (ExecStopPost=)",
            "     --plan                 with -M: write the container's plan file (no JVM at its start), do not start",
            "     --plan-all             write the plan file of every container file, start nothing",
            "     --exec                 with -M: run COMMAND in that running container (jcontainer exec);",
            "                            honours -E, -u, --chdir and --console",
            "  -h --help                 show this help",
            "     --version              show the version");

    /** Parses argv; the first argument that is not an option starts the command (as nspawn's "+"). */
    public static JnspawnOptions parse(String[] args) throws SettingsException {
        JnspawnOptions o = new JnspawnOptions();
        int i = 0;
        while (i < args.length) {
            String arg = args[i];
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                break;
            }
            String name = arg;
            String value = null;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
            } else if (arg.length() > 2) {
                // -Dvalue, or a cluster of flags such as -bU
                String shortName = arg.substring(0, 2);
                if (WITH_VALUE.contains(shortName)) {
                    name = shortName;
                    value = arg.substring(2);
                } else {
                    for (int k = 1; k < arg.length(); k++) {
                        o.apply("-" + arg.charAt(k), null);
                    }
                    i++;
                    continue;
                }
            }
            if (WITH_VALUE.contains(name) && value == null) {
                if (name.equals("--private-users")) {
                    value = "yes";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new SettingsException("Option '" + name + "' needs a value");
                }
            }
            o.apply(name, value);
            i++;
        }
        for (; i < args.length; i++) {
            o.command.add(args[i]);
        }
        return o;
    }

    private void apply(String name, String value) throws SettingsException {
        switch (name) {
            case "-D": case "--directory": directory = absolute(name, value); break;
            case "--layer": layers.add(absolute(name, value)); break;
            case "--image": image = value; break;
            case "-x": case "--ephemeral": ephemeral = bool(name, value); break;
            case "-M": case "--machine": machine = MachineName.validate(value); break;
            case "--hostname": hostname = Hostname.validate(value); break;
            case "-E": case "--setenv":
                if (value.indexOf('=') <= 0) {
                    throw new SettingsException("Invalid --setenv '" + value + "': expected NAME=VALUE");
                }
                setenv.add(value);
                break;
            case "--chdir":
                if (!value.startsWith("/")) {
                    throw new SettingsException("Invalid --chdir '" + value + "': must be an absolute path");
                }
                chdir = value;
                break;
            case "-u": case "--user": user = value; break;
            case "--bind": binds.add(BindSpec.parse(value, false)); break;
            case "--bind-ro": binds.add(BindSpec.parse(value, true)); break;
            case "--tmpfs": tmpfs.add(TmpfsSpec.parse(value)); break;
            case "--read-only": readOnly = bool(name, value); break;
            case "-U": privateUsers = UserNsSpec.parse("pick"); break;
            case "--private-users": privateUsers = UserNsSpec.parse(value); break;
            case "--capability": capability.addAll(List.of(value.split("[,\\s]+"))); break;
            case "--drop-capability": dropCapability.addAll(List.of(value.split("[,\\s]+"))); break;
            case "--no-new-privileges": noNewPrivileges = bool(name, value); break;
            case "--kill-signal": killSignal = Signals.parse(value); break;
            case "-b": case "--boot": boot = bool(name, value); break;
            case "--private-network": privateNetwork = bool(name, value); break;
            case "-n": case "--network-veth": networkVeth = bool(name, value); break;
            case "-p": case "--port": ports.add(PortMapping.parseNspawn(value)); break;
            case "--console":
                if (!List.of("interactive", "pipe").contains(value)) {
                    throw new SettingsException("Invalid --console '" + value + "': expected interactive or pipe");
                }
                console = value;
                break;
            case "-q": case "--quiet": quiet = true; break;
            case "--dry-run": dryRun = true; break;
            case "--cleanup": cleanup = true; break;
            case "--plan": plan = true; break;
            case "--plan-all": planAll = true; break;
            case "--exec": exec = true; break;
            case "--register": register = bool(name, value); break;
            // nspawn's --keep-unit: jnspawn never creates a scope of its own, so it always keeps the unit.
            case "--keep-unit": break;
            case "-h": case "--help": help = true; break;
            case "--version": version = true; break;
            default: throw new SettingsException("Unknown option '" + name + "' (see jnspawn --help)");
        }
    }

    private static Path absolute(String option, String value) throws SettingsException {
        if (value.isEmpty() || !value.startsWith("/")) {
            throw new SettingsException("Invalid " + option + " '" + value + "': must be an absolute path");
        }
        return Path.of(value).normalize();
    }

    private static boolean bool(String option, String value) throws SettingsException {
        if (value == null) {
            return true;
        }
        try {
            return Booleans.parse(value);
        } catch (SettingsException e) {
            throw new SettingsException(e.getMessage() + " for " + option, e);
        }
    }
}
