package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer tag SOURCE TARGET}: a second name for an image. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = "Gives an image another name; an existing TARGET name moves to this image.",
        footer = {"", "Example:", "  jcontainer tag example.org/web:1.2 example.org/web:stable"})
final class TagCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "A name or an image ID.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The new name: [REGISTRY/]REPOSITORY[:TAG].")
    String target;

    @Override
    public Integer call() throws Exception {
        ImageReference to = ImageReference.parse(target);
        if (to.digest() != null) {
            throw new CliException("Cannot tag with a digest reference '" + target + "': a digest is not a name, refusing.");
        }
        ImageStore store = main.host().store();
        ImageArgument from = ImageArgument.resolve(store, source);
        store.tag(from.image().reference(), to);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Tagged " + to + " (" + Formats.shortId(from.image().manifestDigest()) + ")");
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
