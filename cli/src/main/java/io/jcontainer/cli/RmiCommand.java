package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer rmi IMAGE... [-f]}: removes names. Refuses a name that a container file's {@code Image=}
 * needs, naming the file: the name itself, or the last name of the image a container file names otherwise
 * (by another name that resolves to it, or by digest). Blobs and layers stay until {@code gc}.
 */
@Command(name = "rmi", mixinStandardHelpOptions = true,
        description = "Removes images from the store by name or ID (an ID removes all its names). Refuses an image "
            + "that a container file in /etc/jcontainer or /run/jcontainer uses (Image=), unless --force. "
            + "Blobs and unpacked layers are freed by 'jcontainer gc'.",
        footer = {"", "Example:", "  jcontainer rmi example.org/web:1.1", "  jcontainer rmi -f 3f57d9401f8d"})
final class RmiCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Names or image IDs.")
    List<String> images;

    @Option(names = {"-f", "--force"},
            description = "Remove even an image that container files use, and every name of an ID.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        ImageStore store = host.store();
        PrintWriter out = spec.commandLine().getOut();
        for (String text : images) {
            ImageArgument arg = ImageArgument.resolve(store, text);
            List<ImageReference> allNames = arg.allNames(store);
            List<ImageReference> targets = arg.byId() ? allNames : List.of(arg.image().reference());
            if (!force) {
                if (targets.size() > 1) {
                    throw new CliException("Image ID '" + text + "' has " + targets.size() + " names (" + joined(targets)
                            + "): remove them by name, or all at once with -f, refusing.");
                }
                refuseIfInUse(store, host, text, arg.image().manifestDigest(), targets, allNames);
            }
            for (ImageReference name : targets) {
                store.remove(name);
                out.println("Untagged: " + name);
            }
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private void refuseIfInUse(ImageStore store, Host host, String text, Digest digest, List<ImageReference> targets,
            List<ImageReference> allNames) throws CliException {
        List<ImageReference> remaining = new ArrayList<>(allNames);
        remaining.removeAll(targets);
        for (ContainerFiles.ImageUse use : ContainerFiles.imageUses(host.searchDirs())) {
            ImageReference wanted;
            try {
                wanted = ImageReference.parse(use.image());
            } catch (ImageStoreException e) {
                continue; // a name that cannot be valid uses nothing in the store
            }
            boolean namesIt = targets.contains(wanted);
            boolean lastNameOfItsImage = remaining.isEmpty() && resolvesTo(store, wanted, digest);
            if (namesIt || lastNameOfItsImage) {
                throw new CliException("Image '" + text + "' is used by container file " + use.where()
                        + "; -f removes it anyway, refusing.");
            }
        }
    }

    private static boolean resolvesTo(ImageStore store, ImageReference wanted, Digest digest) {
        if (digest.equals(wanted.digest())) {
            return true;
        }
        try {
            return store.inspect(wanted).manifestDigest().equals(digest);
        } catch (ImageStoreException e) {
            return false;
        }
    }

    private static String joined(List<ImageReference> names) {
        return String.join(", ", names.stream().map(ImageReference::toString).toList());
    }
}
