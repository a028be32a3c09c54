package io.jcontainer.cli;

import io.jcontainer.jnspawn.HostProgram;
import io.jcontainer.image.Digest;
import io.jcontainer.image.HistoryStep;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.NewLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs the steps of a Dockerfile ({@link Dockerfile}) against the store: each step's image is looked up in the
 * {@link BuildCache} first, else made: metadata steps write a config, RUN runs the command with jnspawn on an
 * overlay of the current layers with a fresh upper dir, COPY and ADD fill a fresh directory; either directory then
 * becomes the step's layer ({@link ImageStore#writeLayer}, as for {@code commit}).
 */
final class ImageBuild {
    private static final String ID_PREFIX = "build-";

    /** A RUN that exited non-zero: its status is the build's. */
    static final class RunFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        RunFailed(String message, int status) {
            super(message);
            this.status = status;
        }
    }

    private final Host host;
    private final ImageStore store;
    private final Path context;
    private final Map<String, String> buildArgs;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean inheritStdio;
    private final BuildCache cache;
    /** ARGs declared before FROM (usable in FROM only) and after it (in scope for the steps). */
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Map<String, String> args = new LinkedHashMap<>();
    private final java.util.Set<String> usedBuildArgs = new java.util.HashSet<>();
    private Image current;
    private BuildConfig config = new BuildConfig(ImageConfig.Defaults.NONE);
    private boolean fromSeen;
    /** What else the cache key of a step covers: the settings of a {@code jcontainer image} build. */
    private String keySalt = "";
    int cachedSteps;
    int builtSteps;

    ImageBuild(Host host, ImageStore store, Path context, Map<String, String> buildArgs, PrintWriter out, PrintWriter err,
               boolean inheritStdio) {
        this.host = host;
        this.store = store;
        this.context = context;
        this.buildArgs = buildArgs;
        this.out = out;
        this.err = err;
        this.inheritStdio = inheritStdio;
        this.cache = new BuildCache(store);
    }

    /** Runs every step; returns the final image (not yet named). */
    Image run(List<Dockerfile.Instruction> steps) throws Exception {
        for (int i = 0; i < steps.size(); i++) {
            Dockerfile.Instruction in = steps.get(i);
            out.println("Step " + (i + 1) + "/" + steps.size() + " : " + in);
            out.flush();
            switch (in.keyword()) {
                case "ARG" -> arg(in);
                case "FROM" -> from(in);
                default -> step(in);
            }
        }
        if (current == null) {
            current = store.writeImage(null, List.of(), config.defaults(), List.of(), null);
        }
        for (String k : buildArgs.keySet()) {
            if (!usedBuildArgs.contains(k)) {
                err.println("jcontainer: warning: --build-arg '" + k + "' was not consumed by any ARG.");
                err.flush();
            }
        }
        return current;
    }

    /**
     * One COPY or RUN of {@code jcontainer image} ({@link ImageVerbs}): on {@code base} (null: empty) with these
     * settings, cached as a Dockerfile step is, the settings' text joining the key. Returns the step's image.
     */
    Image layerStep(Image base, BuildConfig settings, String settingsText, Dockerfile.Instruction in) throws Exception {
        current = base;
        config = settings;
        keySalt = "\n" + settingsText;
        fromSeen = true;
        step(in);
        return current;
    }

    private void arg(Dockerfile.Instruction in) {
        String text = in.args().strip();
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        Map<String, String> scope = fromSeen ? args : globalArgs;
        String value;
        if (buildArgs.containsKey(name)) {
            value = buildArgs.get(name);
            usedBuildArgs.add(name);
        } else if (eq >= 0) {
            value = Dockerfile.substitute(text.substring(eq + 1), vars());
        } else {
            value = fromSeen ? globalArgs.get(name) : null; // an ARG after FROM inherits a global default
        }
        scope.put(name, value);
    }

    private void from(Dockerfile.Instruction in) throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        globalArgs.forEach((k, v) -> vars.put(k, v == null ? "" : v));
        String name = Dockerfile.words(in.args(), vars, true).get(0);
        fromSeen = true;
        if (name.equals("scratch")) {
            current = null;
            config = new BuildConfig(ImageConfig.Defaults.NONE);
            out.println(" ---> (scratch)");
        } else {
            try {
                current = ImageArgument.resolve(store, name).image();
            } catch (CliException e) {
                throw in.error(e.getMessage() + " Pull or import it first.");
            }
            config = new BuildConfig(current.defaults());
            out.println(" ---> " + Formats.shortId(current.manifestDigest()));
        }
        out.flush();
    }

    /** The variables of substitution: ARGs in scope, then ENV over them (ENV wins, as in Docker). */
    private Map<String, String> vars() {
        Map<String, String> vars = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (v != null) {
                vars.put(k, v);
            }
        });
        vars.putAll(config.env);
        return vars;
    }

    private void step(Dockerfile.Instruction in) throws Exception {
        Map<String, String> vars = vars();
        StringBuilder keyText = new StringBuilder(in.toString());
        new TreeMap<>(args).forEach((k, v) -> keyText.append("\nARG ").append(k).append('=').append(v));
        keyText.append(keySalt);
        List<Path> sources = null;
        if (in.keyword().equals("COPY") || in.keyword().equals("ADD")) {
            List<String> words = copyWords(in, vars);
            sources = sources(in, words.subList(0, words.size() - 1));
            keyText.append('\n').append(contentHash(sources));
        }
        Digest key = BuildCache.key(current, keyText.toString());
        Optional<Image> cached = cache.lookup(key);
        boolean cmdSet = config.cmdSet || in.keyword().equals("CMD");
        if (cached.isPresent()) {
            current = cached.get();
            config = new BuildConfig(current.defaults());
            config.cmdSet = cmdSet;
            cachedSteps++;
            out.println(" ---> Using cache");
            out.println(" ---> " + Formats.shortId(current.manifestDigest()));
            out.flush();
            return;
        }
        List<NewLayer> layers = new ArrayList<>();
        switch (in.keyword()) {
            case "RUN" -> layers.add(runStep(in, vars));
            case "COPY", "ADD" -> {
                List<String> words = copyWords(in, vars);
                layers.add(copyStep(in, sources, words.get(words.size() - 1)));
            }
            case "WORKDIR" -> {
                config.apply(in, vars);
                String rel = config.cwd().substring(1);
                if (!rel.isEmpty() && !inLowers(rel)) {
                    layers.add(inStaging(upper -> Files.createDirectories(upper.resolve(rel))));
                }
            }
            default -> config.apply(in, vars);
        }
        config.cmdSet = cmdSet;
        current = store.writeImage(current, layers, config.defaults(),
                List.of(new HistoryStep(in.toString(), "jcontainer build", layers.isEmpty())), null);
        cache.put(key, current.manifestDigest());
        builtSteps++;
        out.println(" ---> " + Formats.shortId(current.manifestDigest()));
        out.flush();
    }

    // ---------------------------------------------------------------- RUN

    private NewLayer runStep(Dockerfile.Instruction in, Map<String, String> vars) throws Exception {
        if (current == null || current.manifest().layers().isEmpty()) {
            throw in.error("RUN needs a base image with files (FROM scratch has no shell).");
        }
        List<Path> lowers = new ArrayList<>(store.lowerDirs(current));
        Collections.reverse(lowers); // jnspawn takes --layer bottom-most first
        String machine = ID_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        out.println(" ---> Running in " + machine);
        out.flush();
        return inStaging(upper -> {
            List<String> argv = new ArrayList<>(List.of(host.jnspawn().toString(), "-q", "-M", machine,
                    "--console=pipe", "--register=no", "-D", upper.toString()));
            for (Path l : lowers) {
                argv.add("--layer=" + l);
            }
            argv.add("--chdir=" + config.cwd());
            if (config.user != null && !config.user.isEmpty()) {
                argv.add("--user=" + config.user);
            }
            Map<String, String> env = new LinkedHashMap<>();
            args.forEach((k, v) -> {
                if (v != null) {
                    env.put(k, v);
                }
            });
            env.putAll(config.env);
            env.forEach((k, v) -> argv.add("--setenv=" + k + "=" + v));
            argv.add("--");
            argv.addAll(BuildConfig.command(in));
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().put(Host.ROOT_ENV, store.root().toString());
            int status = ChildProcess.start(pb, inheritStdio, false, out, err).waitFor();
            if (status != 0) {
                throw new RunFailed(in.where() + ": RUN " + in.args() + ": returned exit code " + status
                        + "; nothing tagged.", status);
            }
        });
    }

    // ---------------------------------------------------------------- COPY, ADD

    private static List<String> copyWords(Dockerfile.Instruction in, Map<String, String> vars) {
        List<String> exec = in.execForm();
        if (exec == null) {
            return Dockerfile.words(in.args(), vars, true);
        }
        List<String> w = new ArrayList<>();
        for (String s : exec) {
            w.add(Dockerfile.substitute(s, vars));
        }
        return w;
    }

    /** Each source resolved inside the context, wildcards in the last component expanded. */
    private List<Path> sources(Dockerfile.Instruction in, List<String> given) throws CliException {
        Path ctx = context.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        for (String s : given) {
            if (s.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
                throw in.error(in.keyword() + " from a URL ('" + s + "') is not supported; download it into the context.");
            }
            Path p = ctx.resolve(s.startsWith("/") ? s.substring(1) : s).normalize();
            if (!p.startsWith(ctx)) {
                throw in.error(in.keyword() + " source '" + s + "' is outside the build context '" + context + "'.");
            }
            String base = p.getFileName() == null ? "" : p.getFileName().toString();
            if (base.matches(".*[*?\\[].*")) {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + base);
                List<Path> found = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.getParent())) {
                    for (Path c : ds) {
                        if (m.matches(c.getFileName())) {
                            found.add(c);
                        }
                    }
                } catch (IOException e) {
                    found.clear();
                }
                if (found.isEmpty()) {
                    throw in.error(in.keyword() + " source '" + s + "' matches nothing in the build context '" + context + "'.");
                }
                Collections.sort(found);
                out.addAll(found);
            } else {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw in.error(in.keyword() + " source '" + s + "' is not in the build context '" + context + "'.");
                }
                out.add(p);
            }
        }
        return out;
    }

    /** What the copied files are (paths, types, modes, contents, link targets); owners and mtimes left out, as Docker does. */
    private static String contentHash(List<Path> sources) throws IOException {
        MessageDigest sha = Digest.newSha256();
        for (Path src : sources) {
            List<Path> all;
            try (Stream<Path> s = Files.walk(src)) {
                all = s.sorted().toList();
            }
            for (Path p : all) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,size", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String line = src.getFileName() + "/" + src.relativize(p) + " " + Integer.toOctalString(mode);
                sha.update(line.getBytes(StandardCharsets.UTF_8));
                if (Files.isSymbolicLink(p)) {
                    sha.update(("->" + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        byte[] buf = new byte[64 * 1024];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            sha.update(buf, 0, n);
                        }
                    }
                }
                sha.update((byte) '\n');
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private NewLayer copyStep(Dockerfile.Instruction in, List<Path> sources, String dest) throws Exception {
        String abs = dest.startsWith("/") ? dest : config.cwd() + "/" + dest;
        String rel = Path.of("/").resolve(abs).normalize().toString().substring(1);
        boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || sources.size() > 1 || rel.isEmpty()
                || Files.isDirectory(sources.get(0), LinkOption.NOFOLLOW_LINKS) || inLowers(rel);
        if (sources.size() > 1 && !dest.endsWith("/")) {
            throw in.error(in.keyword() + " with several sources needs a directory destination ending in '/': '" + dest + "'.");
        }
        return inStaging(upper -> {
            Path target = rel.isEmpty() ? upper : upper.resolve(rel);
            for (Path src : sources) {
                if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                    tool(in, HostProgram.CP, "-a", "--", src + "/.", target + "/");
                    tool(in, HostProgram.CHOWN, "-hR", "0:0", "--", target.toString());
                } else if (in.keyword().equals("ADD") && isArchive(src)) {
                    Files.createDirectories(target);
                    tool(in, HostProgram.TAR, "-x", "-p", "--same-owner", "-f", src.toString(), "-C", target.toString());
                } else {
                    Path to = destIsDir ? target.resolve(src.getFileName().toString()) : target;
                    Files.createDirectories(to.getParent());
                    tool(in, HostProgram.CP, "-a", "--", src.toString(), to.toString());
                    tool(in, HostProgram.CHOWN, "-h", "0:0", "--", to.toString());
                }
            }
        });
    }

    /** A local tar archive, plain or compressed (gzip, bzip2, xz, zstd), which ADD unpacks. */
    private static boolean isArchive(Path p) throws IOException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        byte[] h;
        try (InputStream in = Files.newInputStream(p)) {
            h = in.readNBytes(512);
        }
        boolean gzip = h.length > 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
        boolean bzip2 = h.length > 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h';
        boolean xz = h.length > 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z';
        boolean zstd = h.length > 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f
                && (h[3] & 0xff) == 0xfd;
        boolean tar = h.length >= 262 && new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        return gzip || bzip2 || xz || zstd || tar;
    }

    private static void tool(Dockerfile.Instruction in, HostProgram program, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.command()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw in.error(in.keyword() + " failed: " + program.command() + ": " + output.strip().replace('\n', ' '));
        }
    }

    // ---------------------------------------------------------------- shared

    /** Whether some layer of the current image has this directory (a cheap look, whiteouts not considered). */
    private boolean inLowers(String rel) throws ImageStoreException {
        if (current == null) {
            return false;
        }
        for (Path l : store.lowerDirs(current)) {
            if (Files.isDirectory(l.resolve(rel))) {
                return true;
            }
        }
        return false;
    }

    private interface Filler {
        void fill(Path upper) throws Exception;
    }

    /** A fresh directory under the store's {@code tmp/} (gc removes leftovers), filled, then written as a layer. */
    private NewLayer inStaging(Filler filler) throws Exception {
        Path stage = store.root().resolve("tmp").resolve(ID_PREFIX + UUID.randomUUID());
        Path upper = stage.resolve("upper");
        try {
            Files.createDirectories(upper);
            Files.setAttribute(upper, "unix:mode", 0755);
            filler.fill(upper);
            return store.writeLayer(upper);
        } finally {
            io.jcontainer.cli.ImageBuild.deleteQuietly(stage);
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // gc empties tmp/
        }
    }
}
