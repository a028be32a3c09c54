package io.jcontainer.cli;

import io.jcontainer.image.BlobStore;
import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer inspect NAME [--json]}: a container (as {@code show}, with its settings and its running
 * process), or else an image: what it is and what it runs by default. A container wins, as with docker.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows a container: its file, image, unit and machine state, its settings and, while it runs, "
            + "its PID 1 and confinement. Or, when no container has that name (or with --type image), an image: "
            + "its names, digest, platform, layers and the defaults its config gives a container (Entrypoint, Cmd, "
            + "Env, WorkingDir, User, StopSignal, ExposedPorts)."},
        footer = {"", "Example:", "  jcontainer inspect example.org/web:1.2",
            "  jcontainer inspect --json example.org/web:1.2 | jq .config.config.Env",
            "  jcontainer inspect --type container --json web | jq .process.leader"})
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A container, or an image's name or ID.")
    String image;

    @Option(names = "--type", paramLabel = "TYPE", description = "container or image (default: a container if one "
            + "has that name, else an image).")
    String type;

    @Option(names = "--json", description = "Print the stored manifest and config as they are, with the name and digest.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (type != null && !type.equals("container") && !type.equals("image")) {
            throw new CliException("Invalid --type '" + type + "': expected container or image.");
        }
        if (!"image".equals(type)) {
            Map<String, Object> container = ContainerInspection.of(main.host(), image, "container".equals(type));
            if (container != null) {
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    JsonOutput.print(out, container);
                } else {
                    ShowCommand.flatten("", container, out);
                    out.flush();
                }
                return ExitCodePolicy.SUCCESS;
            }
        }
        ImageStore store = main.host().store();
        ImageArgument arg = ImageArgument.resolve(store, image);
        Image img = arg.image();
        List<ImageReference> names = arg.allNames(store);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("reference", img.reference().toString());
            o.put("names", names.stream().map(ImageReference::toString).toList());
            o.put("id", Formats.shortId(img.manifestDigest()));
            o.put("digest", img.manifestDigest().toString());
            o.put("size", img.size());
            io.jcontainer.image.trust.Verification v = io.jcontainer.image.trust.Verification.read(store.root(), img.manifestDigest());
            o.put("verification", v == null ? null : v.toMap());
            o.put("manifest", stored(store, img.manifestDigest(), "manifest"));
            o.put("config", stored(store, img.manifest().config().digest(), "config"));
            JsonOutput.print(out, o);
            return ExitCodePolicy.SUCCESS;
        }
        ImageConfig config = img.config();
        ImageConfig.Defaults d = config.defaults();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"Name", img.reference().toString()});
        if (names.size() > 1) {
            lines.add(new String[] {"Names", names.stream().map(ImageReference::toString).collect(Collectors.joining(", "))});
        }
        lines.add(new String[] {"ID", Formats.shortId(img.manifestDigest())});
        lines.add(new String[] {"Digest", img.manifestDigest().toString()});
        lines.add(new String[] {"Created", config.created() == null ? "N/A" : config.created()});
        lines.add(new String[] {"Platform", config.os() + "/" + config.architecture()
                + (config.variant() == null ? "" : "/" + config.variant())});
        lines.add(new String[] {"Size", Formats.size(img.size())});
        io.jcontainer.image.trust.Verification verified = io.jcontainer.image.trust.Verification.read(store.root(), img.manifestDigest());
        lines.add(new String[] {"Verified", verified == null ? "- (no record: imported, or stored before verification)" : verified.describe()});
        lines.add(new String[] {"Entrypoint", words(d.entrypoint())});
        lines.add(new String[] {"Cmd", words(d.cmd())});
        lines.add(new String[] {"Env", orNone(String.join(" ", d.env()))});
        lines.add(new String[] {"WorkingDir", orNone(d.workingDir())});
        lines.add(new String[] {"User", orNone(d.user())});
        lines.add(new String[] {"StopSignal", orNone(d.stopSignal())});
        lines.add(new String[] {"ExposedPorts", orNone(String.join(" ", d.exposedPorts()))});
        lines.add(new String[] {"Labels", orNone(d.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")))});
        List<Digest> chain = img.chainIds();
        for (int i = 0; i < img.manifest().layers().size(); i++) {
            Descriptor layer = img.manifest().layers().get(i);
            lines.add(new String[] {i == 0 ? "Layers" : "", layer.digest() + " " + Formats.size(layer.size())
                    + (store.layerDir(chain.get(i)).toFile().isDirectory() ? " (unpacked)" : "")});
        }
        int width = lines.stream().mapToInt(l -> l[0].length()).max().orElse(0);
        for (String[] l : lines) {
            out.println(" ".repeat(width - l[0].length()) + l[0] + (l[0].isEmpty() ? "  " : ": ") + l[1]);
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private static Object stored(ImageStore store, Digest digest, String what) throws Exception {
        return JsonOutput.tree(store.blobs().read(digest, BlobStore.MAX_METADATA_BYTES), what + " " + digest);
    }

    /** An argv as a shell would take it back: words with blanks or quotes in single quotes. */
    static String words(List<String> argv) {
        if (argv.isEmpty()) {
            return "-";
        }
        return argv.stream().map(w -> w.isEmpty() || w.matches(".*[\\s'\"\\\\$`].*")
                ? "'" + w.replace("'", "'\\''") + "'" : w).collect(Collectors.joining(" "));
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
