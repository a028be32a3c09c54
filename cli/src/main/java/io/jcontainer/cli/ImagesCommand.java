package io.jcontainer.cli;

import io.jcontainer.image.ImageSummary;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer images [--json]}: the names in the store, as {@code docker images} lists them. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "Lists the images in the store: one line per name. IMAGE ID is the start of the manifest digest; "
            + "SIZE is what the image's blobs take (compressed layers and config).",
        footer = {"", "Example:", "  jcontainer images", "  jcontainer images --json | jq -r '.[].reference'"})
final class ImagesCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array: reference, repository, tag, id, digest, created, size, verification.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<ImageSummary> images = main.host().store().list();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> array = new ArrayList<>();
            for (ImageSummary s : images) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("reference", s.reference().toString());
                o.put("repository", s.reference().name());
                o.put("tag", s.reference().tag());
                o.put("id", Formats.shortId(s.manifestDigest()));
                o.put("digest", s.manifestDigest().toString());
                o.put("created", s.created());
                o.put("size", s.size());
                io.jcontainer.image.trust.Verification v = io.jcontainer.image.trust.Verification.read(
                        main.host().storeRoot(), s.manifestDigest());
                o.put("verification", v == null ? null : v.toMap());
                array.add(o);
            }
            JsonOutput.print(out, array);
            return ExitCodePolicy.SUCCESS;
        }
        Instant now = Instant.now();
        Table table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (ImageSummary s : images) {
            table.row(s.reference().name(), s.reference().tag() == null ? "<none>" : s.reference().tag(),
                    Formats.shortId(s.manifestDigest()), Formats.age(s.created(), now), Formats.size(s.size()));
        }
        table.print(out);
        return ExitCodePolicy.SUCCESS;
    }
}
