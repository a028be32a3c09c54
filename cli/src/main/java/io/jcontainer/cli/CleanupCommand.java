package io.jcontainer.cli;

import io.jcontainer.jnspawn.Cleanup;
import io.jcontainer.jnspawn.settings.MachineName;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer cleanup [NAME...]}: what {@code ExecStopPost=jnspawn --cleanup} does for a unit, for
 * containers whose cleanup never ran (a foreground jnspawn killed with SIGKILL, a host without systemd).
 * In-process: the same {@link Cleanup} jnspawn runs, so the two cannot drift apart.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = "Removes what stopped containers left on the host when their jnspawn was killed: address "
            + "leases, veths, published ports, staging directories, device cgroups, state records; the bridge and "
            + "the nftables table once no container uses them. Nothing of a running container is touched. Without "
            + "NAME: every container's leftovers. Prints what it removed.",
        footer = {"", "Example:", "  jcontainer cleanup", "  jcontainer cleanup web"})
final class CleanupCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Only these containers' leftovers (and stale "
            + "network state).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        for (String name : names) {
            try {
                MachineName.validate(name);
            } catch (SettingsException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        host.requireRoot("cleanup", "it removes root's network interfaces, nftables rules and files in "
                + host.runtimeDir());
        Cleanup cleanup = new Cleanup(host.runtimeDir());
        if (names.isEmpty()) {
            cleanup.all();
        } else {
            for (String name : names) {
                cleanup.machine(name);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String item : cleanup.removed()) {
            out.println("Removed " + item);
        }
        if (cleanup.removed().isEmpty()) {
            out.println("Nothing to clean up.");
        }
        out.flush();
        for (String warning : cleanup.warnings()) {
            err.println("jcontainer: " + warning);
        }
        err.flush();
        return cleanup.warnings().isEmpty() ? ExitCodePolicy.SUCCESS : ExitCodePolicy.FAILURE;
    }
}
