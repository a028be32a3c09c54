package io.jcontainer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * {@code jcontainer image VERB}: builds an image one process per step, as acbuild and buildah do, so that a Makefile
 * or a shell script drives it. The build lives in a working directory ({@link WorkingBuild}); {@code copy} and
 * {@code run} are layers made by {@code build}'s own steps and cache ({@link ImageBuild#layerStep}); the settings
 * verbs are in {@link ImageSettingVerbs}, {@code write} and {@code cat-manifest} in {@link ImageWriteCommand}.
 */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = {"Builds an image step by step, one process per step (acbuild's workflow): begin, copy, run, "
            + "set-exec, port add, label add, ..., write, end. The build is kept in --work DIR (default: "
            + ".jcontainer-build in the current directory); a failed step leaves it as it was.",
            "Exit status: 0; 125 for bad input or a failed step."},
        footer = {"", "Example:", "  jcontainer image begin", "  jcontainer image set-name example.com/hello",
            "  jcontainer image copy hello /bin/hello", "  jcontainer image set-exec -- /bin/hello",
            "  jcontainer image port add www tcp 5000", "  jcontainer image label add version 0.0.1",
            "  jcontainer image write hello-0.0.1-linux-amd64.aci", "  jcontainer image end"},
        subcommands = {ImageVerbs.Begin.class, ImageVerbs.Copy.class, ImageVerbs.CopyToDir.class, ImageVerbs.Run.class,
            ImageSettingVerbs.SetName.class, ImageSettingVerbs.SetExec.class, ImageSettingVerbs.SetEnv.class,
            ImageSettingVerbs.SetUser.class, ImageSettingVerbs.SetGroup.class, ImageSettingVerbs.SetWorkingDir.class,
            ImageSettingVerbs.Port.class, ImageSettingVerbs.Label.class, ImageSettingVerbs.Annotation.class,
            ImageSettingVerbs.Mount.class, ImageWriteCommand.class, ImageWriteCommand.CatManifest.class,
            ImageVerbs.End.class})
final class ImageVerbs implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    /** acbuild's place for its global flag: {@code jcontainer image --work DIR VERB}. */
    @Option(names = "--work", paramLabel = "DIR",
            description = "The build's working directory (default: .jcontainer-build in the current directory).")
    Path work;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodePolicy.SUCCESS;
    }

    /** What every verb has: the working directory and the command line. */
    abstract static class Verb implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--work", paramLabel = "DIR",
                description = "The build's working directory (default: that of 'image --work', else .jcontainer-build "
                    + "in the current directory).")
        Path work;

        private ImageVerbs verbs() {
            for (CommandSpec s = spec.parent(); s != null; s = s.parent()) { // a verb under 'port', 'label', ...
                if (s.userObject() instanceof ImageVerbs verbs) {
                    return verbs;
                }
            }
            throw new IllegalStateException("'" + spec.name() + "' is not under 'jcontainer image'");
        }

        Main main() {
            return verbs().main;
        }

        /** The working directory: this verb's --work, else the one given to 'image', else the default. */
        Path work() {
            return work != null ? work : verbs().work != null ? verbs().work : WorkingBuild.DEFAULT_DIR;
        }
    }

    /** A verb that changes the build: saved only when the change worked, so a failed one leaves it as it was. */
    abstract static class Change extends Verb {
        @Override
        public Integer call() throws Exception {
            WorkingBuild build = WorkingBuild.load(work());
            change(build);
            build.save();
            return ExitCodePolicy.SUCCESS;
        }

        /** Changes {@code build} in memory; throwing leaves the saved build as it was. */
        abstract void change(WorkingBuild build) throws Exception;

        /** Makes a copy or run layer on the build's image, as {@code build}'s step, and moves the build onto it. */
        void layer(WorkingBuild build, String keyword, List<String> words) throws Exception {
            Host host = main().host();
            ImageStore store = host.store();
            String args;
            try {
                args = JSON.writeValueAsString(words);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            Dockerfile.Instruction in = new Dockerfile.Instruction("image " + spec.name(), keyword, args);
            ImageBuild step = new ImageBuild(host, store, Path.of("/"), Map.of(), spec.commandLine().getOut(),
                    spec.commandLine().getErr(), main().inheritStdio());
            try (var held = store.lockForWriting()) {
                Image made = step.layerStep(build.layers(store), build.config(), build.settingsText(), in);
                build.image = made.manifestDigest();
            } catch (ImageBuild.RunFailed e) {
                throw new CliException("Failed to run " + String.join(" ", words) + ": exit status " + e.status
                        + "; the build is unchanged.", e);
            }
        }
    }

    /** {@code begin [BASE]}: a new build, empty or on an image of the store. */
    @Command(name = "begin", mixinStandardHelpOptions = true,
            description = "Starts a build in --work DIR: an empty image, or one on BASE-IMAGE (a name or an ID of "
                + "the store). Refuses if a build is already there ('jcontainer image end' removes it).")
    static final class Begin extends Verb {
        @Parameters(index = "0", arity = "0..1", paramLabel = "BASE-IMAGE", description = "The image to start from.")
        String base;

        @Override
        public Integer call() throws Exception {
            if (WorkingBuild.exists(work())) {
                throw new CliException("A build is already in '" + work() + "': 'jcontainer image end' it first, refusing.");
            }
            Image image = base == null ? null : ImageArgument.resolve(main().host().store(), base).image();
            WorkingBuild.begin(work(), image).save();
            return ExitCodePolicy.SUCCESS;
        }
    }

    /** The host paths of {@code given}, each of which must exist. */
    static List<Path> sources(List<String> given) throws CliException {
        List<Path> out = new ArrayList<>();
        for (String s : given) {
            Path p = Path.of(s).toAbsolutePath().normalize();
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliException("Failed to copy '" + s + "': no such file or directory; the build is unchanged.");
            }
            out.add(p);
        }
        return out;
    }

    /** {@code copy SRC... DEST}: files or directories' contents to DEST, as one layer. */
    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = {"Copies host files into the image as a new layer: one SRC to the path DEST (a directory's "
                + "contents into DEST), several into the directory DEST. Owned by root, modes kept.",
                "An unchanged copy (same parent, same settings, same file contents) is taken from build's cache."})
    static final class Copy extends Change {
        @Parameters(arity = "2..*", paramLabel = "SRC... DEST", description = "Host paths, then the path in the image.")
        List<String> args;

        @Override
        void change(WorkingBuild build) throws Exception {
            List<String> sources = args.subList(0, args.size() - 1);
            String dest = args.get(args.size() - 1);
            List<String> words = new ArrayList<>();
            sources(sources).forEach(p -> words.add(p.toString()));
            words.add(sources.size() > 1 && !dest.endsWith("/") ? dest + "/" : dest);
            layer(build, "COPY", words);
        }
    }

    /** {@code copy-to-dir SRC... DIR}: each source, by its name, into DIR. */
    @Command(name = "copy-to-dir", mixinStandardHelpOptions = true,
            description = "Copies host files and directories into the directory DIR of the image, each under its own "
                + "name (a directory as DIR/NAME), as one layer per directory source and one for the files.")
    static final class CopyToDir extends Change {
        @Parameters(arity = "2..*", paramLabel = "SRC... DIR", description = "Host paths, then the directory in the image.")
        List<String> args;

        @Override
        void change(WorkingBuild build) throws Exception {
            List<String> sources = args.subList(0, args.size() - 1);
            String dest = args.get(args.size() - 1);
            String dir = dest.endsWith("/") ? dest : dest + "/";
            List<String> files = new ArrayList<>();
            for (Path p : sources(sources)) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    layer(build, "COPY", List.of(p.toString(), dir + p.getFileName() + "/"));
                } else {
                    files.add(p.toString());
                }
            }
            if (!files.isEmpty()) {
                files.add(dir);
                layer(build, "COPY", files);
            }
        }
    }

    /** {@code run -- CMD ARGS}: a command in a jnspawn container on the build's layers; its changes a layer. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs CMD in a jnspawn container on the build's files (as build's RUN: the build's "
                + "environment, user and working directory); what it changes becomes a new layer.",
                "A command that fails leaves the build unchanged. An unchanged run is taken from build's cache."})
    static final class Run extends Change {
        @Parameters(index = "0", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
        List<String> command;

        @Override
        void change(WorkingBuild build) throws Exception {
            layer(build, "RUN", command);
        }
    }

    /** {@code end}: removes the working directory. */
    @Command(name = "end", mixinStandardHelpOptions = true,
            description = "Ends the build: removes --work DIR. The layers stay in the store (and in the cache) until "
                + "'jcontainer gc'.")
    static final class End extends Verb {
        @Override
        public Integer call() throws Exception {
            WorkingBuild.load(work());
            try {
                Files.delete(work().resolve(WorkingBuild.STATE_FILE));
                try (var s = Files.list(work())) {
                    for (Path p : s.toList()) {
                        ImageBuild.deleteQuietly(p);
                    }
                }
                Files.delete(work());
            } catch (IOException e) {
                throw new CliException("Failed to remove '" + work() + "': " + ContainerFiles.reason(e), e);
            }
            return ExitCodePolicy.SUCCESS;
        }
    }
}
