package io.jcontainer.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code jcontainer} command: parses the verb and hands over to its class.
 *
 * <p>Main stays thin: one class per verb, and {@link ExitCodePolicy} alone decides what an
 * error prints and which exit code it gives. What verbs need of the host comes from {@link #host()}.
 */
@Command(
        name = "jcontainer",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Runs containers as systemd units (jcontainer@NAME.service).",
        footer = {"", "Environment: JCONTAINER_ROOT (the store, like --root), JCONTAINER_DEBUG (stack traces).",
                "Example:", "  jcontainer import busybox.tar && jcontainer images"},
        subcommands = {
            // images (issue 3)
            PullCommand.class, ImportCommand.class, ExportCommand.class, ImagesCommand.class, InspectCommand.class,
            TagCommand.class, RmiCommand.class, GcCommand.class, SystemCommand.class,
            // containers as units (issue 4)
            VerifyCommand.class, ListCommand.class, StatusCommand.class, ShowCommand.class,
            // the Docker-like front end (issue 7)
            RunCommand.class, PsCommand.class, StopCommand.class, RmCommand.class, LogsCommand.class,
            CommitCommand.class, BuildCommand.class,
            // scriptable image building, acbuild's verbs (issue 21)
            ImageVerbs.class,
            PushCommand.class, SearchCommand.class,
            ExecCommand.class, KillCommand.class, RestartCommand.class, AttachCommand.class, PortCommand.class,
            // issue 19
            CreateCommand.class, StartCommand.class, HealthcheckCommand.class,
            // trust (issue 15): signature policy and keys
            TrustCommand.class,
            // networking (issue 6): what a killed container left
            CleanupCommand.class,
            VersionCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR",
            description = "The image store (default: $JCONTAINER_ROOT, else /var/lib/jcontainer).")
    Path root;

    private final Map<String, String> env;
    /**
     * Whether a container run in the foreground shares this process's stdin, stdout and stderr (a terminal
     * stays a terminal); tests run jcontainer in-process and read what it printed from its writers instead.
     */
    private final boolean inheritStdio;
    /** The caller's effective uid for tests; -1: the process's own. */
    private final int effectiveUid;

    public Main() {
        this.env = System.getenv();
        this.inheritStdio = true;
        this.effectiveUid = -1;
    }

    /**
     * For tests: the environment the verbs read instead of the process's; output goes to the writers. The caller
     * counts as root (uid 0) whoever runs the test, unless {@link #Main(Map, int)} says otherwise.
     */
    Main(Map<String, String> env) {
        this(env, 0);
    }

    /** For tests: as {@link #Main(Map)}, with the caller's effective uid. */
    Main(Map<String, String> env, int effectiveUid) {
        this.env = env;
        this.inheritStdio = false;
        this.effectiveUid = effectiveUid;
    }

    public static void main(String[] args) {
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        endHttpSelectors();
        System.exit(code);
    }

    /**
     * Ends java.net.http's selector threads (pull, push, search, login), which otherwise sit in epoll_wait, native
     * code, when the JVM exits: the exit then waits up to 300 ms for threads in native code
     * (VM_Exit::wait_for_threads_in_native_to_block), a third of a second on every such verb. The selector leaves
     * its loop when interrupted (Java 17's HttpClient has no close()).
     */
    private static void endHttpSelectors() {
        Thread[] threads = new Thread[Thread.activeCount() + 16];
        int n = Thread.enumerate(threads);
        for (int i = 0; i < n; i++) {
            String name = threads[i].getName();
            if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
                threads[i].interrupt();
                try {
                    threads[i].join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Runs jcontainer with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The command tree with jcontainer's output streams and exit code policy. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(new Main(), out, err);
    }

    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(main);
        commandLine.setOut(out);
        commandLine.setErr(err);
        // docker run IMAGE CMD...: what follows the image is the container's command, options included.
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        commandLine.getSubcommands().get("create").setStopAtPositional(true);
        commandLine.getSubcommands().get("exec").setStopAtPositional(true);
        CommandLine image = commandLine.getSubcommands().get("image");
        image.getSubcommands().get("run").setStopAtPositional(true);
        image.getSubcommands().get("set-exec").setStopAtPositional(true);
        ExitCodePolicy.applyTo(commandLine);
        return commandLine;
    }

    boolean inheritStdio() {
        return inheritStdio;
    }

    /** The host as this command line and environment describe it. */
    Host host() {
        return new Host(env, root, effectiveUid);
    }

    /** Without a verb: the usage, like {@code docker} alone. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodePolicy.SUCCESS;
    }
}
