package io.jcontainer.cli;

import io.jcontainer.image.HistoryStep;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.NewLayer;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer commit NAME IMAGE}: the container's changes (its overlayfs upper dir) become a new layer on top of
 * its image, with the image's config carried over and changed by {@code -c}.
 */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = {"Makes an image of a container's changes: its upper directory becomes a layer on top of the "
            + "container's image (overlayfs whiteouts become OCI whiteouts).",
            "A running container is refused: jcontainer cannot pause it, and files being written would be caught "
            + "half-way. With --running it commits what the upper directory holds at that moment."},
        footer = {"", "Example:", "  jcontainer commit -c 'CMD [\"httpd\", \"-f\"]' -m 'with the site' web example.org/web:2"})
final class CommitCommand implements Callable<Integer> {
    /** The Dockerfile instructions {@code -c} takes (Docker's {@code commit --change} list, less ONBUILD and VOLUME). */
    static final List<String> CHANGES = List.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "USER", "WORKDIR", "STOPSIGNAL");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
            description = "Apply a Dockerfile instruction to the config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, "
                + "WORKDIR or STOPSIGNAL (repeatable).")
    List<String> changes = new ArrayList<>();

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "A comment for the image's history.")
    String message;

    @Option(names = "--running", description = "Commit a running container as it is at this moment.")
    boolean running;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Parameters(index = "1", paramLabel = "IMAGE", description = "The new image's name: [REGISTRY/]REPOSITORY[:TAG].")
    String target;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        ImageReference to = ImageReference.parse(target);
        if (to.digest() != null) {
            throw new CliException("Cannot name an image with a digest reference '" + target + "', refusing.");
        }
        List<Dockerfile.Instruction> parsed = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            List<Dockerfile.Instruction> one = Dockerfile.parse(changes.get(i), "--change " + (i + 1));
            if (one.size() != 1 || !CHANGES.contains(one.get(0).keyword())) {
                throw new CliException("Unsupported --change '" + changes.get(i) + "': expected one of "
                        + String.join(", ", CHANGES) + ".");
            }
            parsed.add(one.get(0));
        }
        Path file;
        ContainerFile container;
        try {
            file = ContainerFiles.locate(name, host.searchDirs());
            container = ContainerFile.parse(file);
        } catch (SettingsException e) {
            throw new CliException("No such container: " + e.getMessage(), e);
        }
        if (container.image() == null) {
            throw new CliException("Container '" + name + "' (" + file + ") has no Image=: only a container of an "
                    + "image can be committed.");
        }
        if (!running && host.systemdBooted()) {
            try (ContainerStates states = ContainerStates.open(host)) {
                if (PsCommand.state(states, name).equals("running")) {
                    throw new CliException("Container '" + name + "' is running; stop it first ('jcontainer stop "
                            + name + "') or pass --running to commit its changes as they are now.");
                }
            }
        }
        ImageStore store = host.store();
        Path upper = store.root().resolve("containers").resolve(name).resolve("upper");
        if (!Files.isDirectory(upper)) {
            throw new CliException("Container '" + name + "' has no changes directory '" + upper
                    + "' (it has not run yet, or it is Ephemeral=yes).");
        }
        Image base = ImageArgument.resolve(store, container.image()).image();
        BuildConfig config = new BuildConfig(base.defaults());
        for (Dockerfile.Instruction change : parsed) {
            config.apply(change, Map.of());
        }
        Image image;
        try (var held = store.lockForWriting()) {
            NewLayer layer = store.writeLayer(upper);
            image = store.writeImage(base, List.of(layer), config.defaults(),
                    List.of(new HistoryStep("jcontainer commit " + name, message, false)), to);
        }
        out.println(image.manifestDigest());
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
