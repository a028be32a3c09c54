package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.GcResult;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer gc}: frees blobs and unpacked layers that no name reaches. The images that container files
 * name ({@code Image=}, by name or by digest) count as reached even without a name.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Removes blobs and unpacked layers that no image name and no container file's Image= reaches, "
            + "and leftovers of interrupted imports; prints what it freed.",
        footer = {"", "Example:", "  jcontainer gc", "  jcontainer rmi example.org/web:1.1 && jcontainer gc"})
final class GcCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        ImageStore store = host.store();
        Set<Digest> inUse = new LinkedHashSet<>();
        for (ContainerFiles.ImageUse use : ContainerFiles.imageUses(host.searchDirs())) {
            try {
                ImageReference wanted = ImageReference.parse(use.image());
                if (wanted.digest() != null) {
                    inUse.add(wanted.digest());
                }
                inUse.add(store.inspect(wanted).manifestDigest());
            } catch (ImageStoreException e) {
                // not in the store (yet): nothing of it to keep
            }
        }
        GcResult result = store.gc(inUse);
        PrintWriter out = spec.commandLine().getOut();
        for (Digest d : result.removedBlobs()) {
            out.println("Deleted blob: " + d);
        }
        for (Digest d : result.removedLayers()) {
            out.println("Deleted layer: " + d);
        }
        out.println("Deleted " + result.removedBlobs().size() + " blobs and " + result.removedLayers().size()
                + " unpacked layers; reclaimed " + Formats.size(result.bytesFreed()) + " of blobs");
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
