package io.jcontainer.cli;

import io.jcontainer.jnspawn.ContainerExec;
import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.LaunchException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer exec NAME CMD...}: runs a command in a running container, through {@code jnspawn --exec} (see
 * {@link ContainerExec}): in every namespace of the container, in its cgroups, confined as it is.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Runs a command in a running container: in all its namespaces and cgroups, with its "
            + "capabilities, system call filter and no_new_privs (never more than the container has), as its "
            + "user unless -u says otherwise, with its environment plus -e.",
            "Exit status: the command's; 125 when jcontainer fails (an unknown or stopped container), 126 when "
            + "the command cannot be executed, 127 when it is not found."},
        footer = {"", "Example:", "  jcontainer exec web ps", "  jcontainer exec -it -u 1000 -w /tmp web sh"})
final class ExecCommand implements Callable<Integer> {
    /** As {@code run -e}: a shell variable name. */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--interactive"}, description = "Pass stdin to the command.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal (a pty of the container's /dev/pts).")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-u", "--user"}, paramLabel = "USER",
            description = "Run as USER (a name of the container's /etc/passwd, or UID[:GID]); default: the container's.")
    String user;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The command's working directory.")
    String workdir;

    @Parameters(index = "0", paramLabel = "NAME", description = "The running container.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0 || !ENV_NAME.matcher(e.substring(0, eq)).matches()) {
                throw new CliException("Malformed -e '" + e + "': expected NAME=VALUE.");
            }
        }
        if (workdir != null && !workdir.startsWith("/")) {
            throw new CliException("Invalid -w '" + workdir + "': must be an absolute path.");
        }
        requireRunning(host, name);
        List<String> argv = new ArrayList<>(List.of(host.jnspawn().toString(), "-q", "--exec", "-M", name,
                "--console=" + (tty ? "interactive" : "pipe")));
        for (String e : env) {
            argv.add("--setenv=" + e);
        }
        if (user != null) {
            argv.add("--user=" + user);
        }
        if (workdir != null) {
            argv.add("--chdir=" + workdir);
        }
        argv.add("--");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv);
        host.passRuntimeDir(builder);
        return ChildProcess.start(builder, main.inheritStdio(), interactive, spec.commandLine().getOut(),
                spec.commandLine().getErr()).waitFor();
    }

    /**
     * The recorded state of a running container, or the one line that says why there is none: no such container, or
     * it is not running.
     */
    static ContainerState requireRunning(Host host, String name) throws CliException {
        host.containerFile(name);
        try {
            return ContainerExec.running(host.runtimeDir(), name);
        } catch (LaunchException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
