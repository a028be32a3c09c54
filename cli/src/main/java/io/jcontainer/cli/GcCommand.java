package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.GcResult;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.jnspawn.ContainerState;
import io.jcontainer.jnspawn.LaunchException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer gc}: frees blobs and unpacked layers that no name reaches. The images that container files
 * name ({@code Image=}, by name or by digest) count as reached even without a name, and so do the layers of
 * every running container (the lowerdirs jnspawn records in {@code RUNTIME/NAME.state}, read under the store's
 * exclusive lock, which a starting jnspawn holds shared until that record is written).
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Removes blobs and unpacked layers that no image name, no container file's Image= and no "
            + "running container reaches, and leftovers of interrupted imports; prints what it freed.",
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
        // Running containers keep their layers even without a container file (jnspawn --image) or a name. Their
        // records are read under gc's exclusive lock: a starting jnspawn holds the shared one until its record is
        // written, so none is missed.
        GcResult result = store.gc(inUse, () -> {
            List<Path> running = new ArrayList<>();
            try {
                for (ContainerState state : ContainerState.running(host.runtimeDir())) {
                    running.addAll(state.lowers());
                }
            } catch (LaunchException e) {
                throw new ImageStoreException(e.getMessage() + " (gc needs to know which layers running containers use)", e);
            }
            return running;
        });
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
