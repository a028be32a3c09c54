package io.jcontainer.cli;

import io.jcontainer.image.ImageStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer export IMAGE FILE.tar}: an image as an OCI layout tar. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes an image as an OCI layout tar (what 'skopeo copy oci-archive:' and 'jcontainer import' "
            + "read). The tar appears whole or not at all.",
        footer = {"", "Example:", "  jcontainer export example.org/web:1.2 web.tar"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A name or an image ID.")
    String image;

    @Parameters(index = "1", paramLabel = "FILE", description = "The tar to write (replaced if it exists).")
    Path target;

    @Override
    public Integer call() throws Exception {
        ImageStore store = main.host().store();
        ImageArgument arg = ImageArgument.resolve(store, image);
        store.export(arg.image().reference(), target);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Exported " + arg.image().reference() + " to " + target);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
