package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * {@code jcontainer build -t IMAGE [-f FILE] [--build-arg K=V] DIR}: builds an image from a Dockerfile (the subset
 * in docs/build.md), RUN steps in jnspawn containers, every step cached.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Builds an image from a Dockerfile: FROM, RUN, COPY, ADD (local files and tar archives), ENV, ARG, "
            + "WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE, LABEL, STOPSIGNAL. RUN runs in a jnspawn container. A step whose "
            + "parent image, instruction and copied files are unchanged is taken from the cache ('---> Using cache').",
            "Exit status: 0; a failed RUN's own status; 125 for a bad Dockerfile (FILE:LINE: ...) or another error."},
        footer = {"", "Example:", "  jcontainer build -t example.org/web:1.0 --build-arg VERSION=2 ."})
final class BuildCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--tag"}, required = true, paramLabel = "IMAGE", description = "The name of the built image.")
    String tag;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The Dockerfile (default: DIR/Dockerfile).")
    Path file;

    @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "A value for an ARG (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "DIR", description = "The build context: COPY and ADD read from here.")
    Path context;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageReference name = ImageReference.parse(tag);
        if (name.digest() != null) {
            throw new CliException("Cannot name a build with a digest reference '" + tag + "', refusing.");
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            if (eq <= 0 || !Dockerfile.NAME.matcher(a.substring(0, eq)).matches()) {
                throw new CliException("Malformed --build-arg '" + a + "': expected NAME=VALUE.");
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        if (!Files.isDirectory(context)) {
            throw new CliException("The build context '" + context + "' is not a directory.");
        }
        Path dockerfile = file != null ? file : context.resolve("Dockerfile");
        List<Dockerfile.Instruction> steps = Dockerfile.read(dockerfile, dockerfile.toString());
        Host host = main.host();
        ImageStore store = host.store();
        ImageBuild build = new ImageBuild(host, store, context, args, out, err, main.inheritStdio());
        Image image;
        try (var held = store.lockForWriting()) {
            image = build.run(steps);
            store.register(name, image.manifestDigest());
        } catch (ImageBuild.RunFailed e) {
            err.println("jcontainer: " + e.getMessage());
            err.flush();
            return e.status;
        }
        out.println("Successfully built " + Formats.shortId(image.manifestDigest()) + " (" + build.builtSteps
                + " steps run, " + build.cachedSteps + " from the cache)");
        out.println("Successfully tagged " + name);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
