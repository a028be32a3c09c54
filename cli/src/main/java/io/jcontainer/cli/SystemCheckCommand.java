package io.jcontainer.cli;

import io.jcontainer.image.StoreCheck;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer system check [--repair]}: {@link StoreCheck} over the store; exit 0 when it is consistent (after
 * the repair), 1 when a problem is left, 125 when the check itself fails.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Reads every ref, manifest, config, blob and layer directory of the image store and reports what "
            + "is inconsistent; exits 1 if anything is. --repair removes what killed commands left half written and "
            + "corrupt blobs no image needs; it never removes a blob an image needs, nor a name.",
        footer = {"", "Example:", "  jcontainer system check", "  jcontainer system check --repair"})
final class SystemCheckCommand implements Callable<Integer> {
    static final int INCONSISTENT = 1;

    @ParentCommand
    SystemCommand system;

    @Spec
    CommandSpec spec;

    @Option(names = "--repair", description = "Remove half-written entries and unneeded corrupt blobs (takes the store's"
            + " exclusive lock, as gc; root).")
    boolean repair;

    @Option(names = {"-v", "--verbose"}, description = "Also print notes (unnamed layers, staging of running commands).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        StoreCheck.Report r = StoreCheck.run(system.main.host().store(), repair);
        PrintWriter out = spec.commandLine().getOut();
        for (String s : r.repaired()) {
            out.println("repaired: " + s);
        }
        for (String s : r.problems()) {
            out.println("problem: " + s);
        }
        if (verbose) {
            for (String s : r.notes()) {
                out.println("note: " + s);
            }
        }
        out.println("Checked " + r.refs() + " refs, " + r.blobs() + " blobs and " + r.layers() + " unpacked layers: "
                + r.problems().size() + " problems" + (repair ? ", " + r.repaired().size() + " repaired" : "") + ".");
        out.flush();
        return r.clean() ? ExitCodePolicy.SUCCESS : INCONSISTENT;
    }
}
