package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.registry.ImagePusher;
import io.jcontainer.image.registry.PushProgress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer push IMAGE [DEST]}: an image of the store to an OCI distribution registry. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Pushes an image to a registry: blobs the repository has are skipped, blobs known to be in another "
            + "repository of the registry are mounted from there, the rest are uploaded and verified by digest; the "
            + "manifest goes as stored, so the image keeps its digest. DEST defaults to IMAGE's own name. Credentials "
            + "as for pull (auth.json, credential helpers, or --creds).",
        footer = {"", "Example:", "  jcontainer push registry.example.org/web:1.2",
            "  jcontainer push --insecure web:1.2 localhost:5000/team/web:1.2"})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image in the store: a name or an image ID.")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DEST",
            description = "Where to push: REGISTRY/REPOSITORY[:TAG] (default: IMAGE's name).")
    String destination;

    @Option(names = "--insecure", description = "Use plain HTTP (only for a registry you trust, such as one on localhost).")
    boolean insecure;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registry (default: from auth.json).")
    String creds;

    @Override
    public Integer call() throws Exception {
        ImageStore store = main.host().store();
        ImageArgument source = ImageArgument.resolve(store, image);
        ImageReference target;
        if (destination != null) {
            target = ImageReference.parse(destination);
        } else if (source.byId()) {
            throw new CliException("Push of image ID '" + image + "' needs a DEST name, refusing.");
        } else {
            target = source.image().reference();
        }
        ImagePusher.Builder builder = ImagePusher.builder(store).insecure(insecure);
        if (creds != null) {
            builder.credentials(PullCommand.credentials(creds));
        }
        ImagePusher.Result result = builder.build().push(source.image().reference(), target, PushProgress.forConsole(System.err));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Pushed " + result.target() + ": " + result.manifestDigest() + " (" + result.uploaded().size()
                + " uploaded, " + result.mounted().size() + " mounted, " + result.existed().size() + " already there)");
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
