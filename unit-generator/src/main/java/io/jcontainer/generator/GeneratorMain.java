package io.jcontainer.generator;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jcontainer-generator}, a systemd generator (systemd.generator(7)): turns every container
 * file into a drop-in for {@code jcontainer@NAME.service} and the links of its {@code [Install]}
 * section.
 *
 * <pre>
 * jcontainer-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
 * jcontainer-generator --dry-run [NORMAL_DIR ...]
 * </pre>
 *
 * <p>Container files come from {@code /run/jcontainer/} and {@code /etc/jcontainer/}; for a name in
 * both, {@code /run} wins (a transient {@code jcontainer run} container shadows a configured one,
 * and a {@code /run} symlink to {@code /dev/null} masks one). systemd runs generators early at boot
 * and at every daemon-reload, so this reads no network and no D-Bus; under {@code /var}, which
 * may not be mounted yet, it only reads the image store for {@code Image=} when it is there
 * ({@link ImageConfigReader}); it writes only into NORMAL_DIR. One bad file is reported as
 * {@code FILE:LINE: REASON} on stderr and {@code /dev/kmsg} and skipped; the others are generated
 * and the exit status is {@value #EXIT_FAILED}.
 *
 * <p>Start time is the budget (100 files in 150 ms, JVM start included): no lambdas, streams,
 * {@code String.format} or record {@code equals}/{@code toString} on the path of a good run, each
 * of which costs an invokedynamic bootstrap.
 */
public final class GeneratorMain {

    public static final String PROGRAM = "jcontainer-generator";

    public static final int EXIT_OK = 0;
    /** At least one container file or output could not be handled; the rest was generated. */
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /** Where container files are looked for, highest precedence first. */
    public static final List<Path> DEFAULT_SEARCH_DIRS =
            List.of(Path.of("/run/jcontainer"), Path.of("/etc/jcontainer"));

    /** For tests: the search directories, separated by {@code :}, highest precedence first. */
    public static final String SEARCH_PATH_PROPERTY = "jcontainer.generator.searchPath";

    /** For tests: where kernel log lines go instead of {@code /dev/kmsg}; empty for nowhere. */
    public static final String KMSG_PROPERTY = "jcontainer.generator.kmsg";

    public static final Path DEFAULT_KMSG = Path.of("/dev/kmsg");

    /**
     * What the links of [Install] point at. As with {@code systemctl enable}, the name of a link
     * is what counts; systemd accepts a template as the target of an instance's link. Debian 12's
     * merged /usr makes this path valid for units installed in /lib/systemd/system too.
     */
    public static final String TEMPLATE_PATH = "/usr/lib/systemd/system/" + ContainerUnitConverter.TEMPLATE;

    /**
     * From this many container files on, a second thread parses, converts and writes too (when
     * there is a second CPU). Measured for docs/benchmarks-history.md "Generator speed, 2026-11-30".
     */
    static final int PARALLEL_MIN_FILES = 16;

    /** Prefix of temporary files next to their target; systemd skips hidden files in unit directories. */
    static final String TEMP_PREFIX = ".#";

    private static final String USAGE = "Usage: " + PROGRAM + " NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
            + "       " + PROGRAM + " --dry-run [NORMAL_DIR ...]\n"
            + "Writes jcontainer@NAME.service drop-ins for /run/jcontainer/*.container and "
            + "/etc/jcontainer/*.container.\n";

    private final List<Path> searchDirs;
    private final Path kmsg;
    private final PrintStream out;
    private final PrintStream err;
    private final ImageConfigReader images;
    private final ImagePolicy imagePolicy;
    private final Set<Path> madeDirectories = new HashSet<>();
    private String pid;
    private boolean failed;

    GeneratorMain(List<Path> searchDirs, Path kmsg, Path storeRoot, Path policyFile, PrintStream out, PrintStream err) {
        this.searchDirs = List.copyOf(searchDirs);
        this.kmsg = kmsg;
        this.images = new ImageConfigReader(storeRoot);
        this.imagePolicy = new ImagePolicy(storeRoot, policyFile);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, searchDirsFromProperty(), kmsgFromProperty(), ImageConfigReader.rootFromEnvironment(),
                ImagePolicy.pathFromEnvironment(), System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /**
     * Runs the generator as {@link #main} does, with its inputs and outputs given.
     *
     * @param searchDirs where container files are looked for, highest precedence first
     * @param kmsg       the kernel log device, or null to log to stderr only
     * @param storeRoot  the image store read for {@code Image=} ({@code $JCONTAINER_ROOT} or
     *                   /var/lib/jcontainer); one that does not exist is not an error
     * @param policyFile the signature policy an image of the store is checked against ({@code $JCONTAINER_POLICY}
     *                   or /etc/jcontainer/policy.json; absent: the built-in policy)
     * @return the exit status
     */
    public static int run(String[] args, List<Path> searchDirs, Path kmsg, Path storeRoot, Path policyFile,
                          PrintStream out, PrintStream err) {
        boolean dryRun = false;
        List<String> dirs = new ArrayList<>(3);
        for (String arg : args) {
            if (arg.equals("--dry-run")) {
                dryRun = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                out.print(USAGE);
                return EXIT_OK;
            } else if (arg.startsWith("-")) {
                err.println(PROGRAM + ": Unknown option " + UnitConversionException.quote(arg));
                err.print(USAGE);
                return EXIT_USAGE;
            } else {
                dirs.add(arg);
            }
        }
        // systemd passes three directories; one is handy by hand; --dry-run needs none.
        if (!(dirs.size() == 1 || dirs.size() == 3 || dryRun && dirs.isEmpty())) {
            err.println(PROGRAM + ": Expected 1 or 3 directories, got " + dirs.size());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        GeneratorMain generator = new GeneratorMain(searchDirs, kmsg, storeRoot, policyFile, out, err);
        return generator.generate(dirs.isEmpty() ? null : Path.of(dirs.get(0)), dryRun);
    }

    private int generate(Path normalDir, boolean dryRun) {
        Path[] files = containerFiles().values().toArray(new Path[0]);
        if (!dryRun) {
            suffix(); // read once here: the helper thread must not race for it
        }
        Outcome[] outcomes = new Outcome[files.length];
        Work work = new Work(files, outcomes, normalDir, dryRun);
        Thread helper = null;
        if (files.length >= PARALLEL_MIN_FILES && Runtime.getRuntime().availableProcessors() > 1) {
            helper = new Thread(work, PROGRAM + "-helper");
            helper.setDaemon(true); // should this thread fail, the helper must not keep the process
            helper.start();
        }
        work.handleAll();
        if (helper != null) {
            join(helper);
        }
        if (work.crash != null) {
            // A bug on the helper thread: fail as loudly as one on this thread would.
            throw new IllegalStateException("The helper thread failed", work.crash);
        }
        // Reports and dry-run text in file order, whichever thread handled the file.
        StringBuilder dryRunText = dryRun ? new StringBuilder() : null;
        for (Outcome outcome : outcomes) {
            if (outcome.reports != null) {
                for (String message : outcome.reports) {
                    report(message);
                }
            }
            if (dryRun && outcome.dryRunText != null) {
                dryRunText.append(outcome.dryRunText);
            }
        }
        if (dryRun) {
            out.print(dryRunText);
        }
        return failed ? EXIT_FAILED : EXIT_OK;
    }

    /** Waits for the helper thread to end; an interrupt is kept for later, not acted on. */
    private static void join(Thread helper) {
        boolean interrupted = false;
        while (true) {
            try {
                helper.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Files are handled by this thread and, from {@value #PARALLEL_MIN_FILES} files on, a helper
     * thread, each taking the next file not yet taken. An anonymous class, not a lambda: a lambda's
     * bootstrap costs more than the thread.
     */
    private final class Work implements Runnable {
        private final Path[] files;
        private final Outcome[] outcomes;
        private final Path normalDir;
        private final boolean dryRun;
        private final AtomicInteger next = new AtomicInteger();
        /** What ended the helper thread abnormally; read after join(). */
        private Throwable crash;

        Work(Path[] files, Outcome[] outcomes, Path normalDir, boolean dryRun) {
            this.files = files;
            this.outcomes = outcomes;
            this.normalDir = normalDir;
            this.dryRun = dryRun;
        }

        /** Handles files until none is left. */
        void handleAll() {
            for (int i = next.getAndIncrement(); i < files.length; i = next.getAndIncrement()) {
                outcomes[i] = handle(files[i], normalDir, dryRun);
            }
        }

        /** The helper thread's body. */
        @Override
        public void run() {
            try {
                handleAll();
            } catch (RuntimeException | Error e) {
                crash = e;
                next.set(files.length); // the main thread stops taking files too
            }
        }
    }

    /** What handling one file gave: its dry-run text, and its error reports in the order they arose. */
    private static final class Outcome {
        String dryRunText;
        List<String> reports;

        void report(String message) {
            if (reports == null) {
                reports = new ArrayList<>(2);
            }
            reports.add(message);
        }
    }

    /** Parses, converts and writes (or describes) one file; on any thread. */
    private Outcome handle(Path file, Path normalDir, boolean dryRun) {
        Outcome outcome = new Outcome();
        GeneratedUnit unit = convert(file, outcome);
        if (unit != null) {
            if (dryRun) {
                StringBuilder sb = new StringBuilder(unit.dropIn().length() + 128);
                describe(unit, sb);
                outcome.dryRunText = sb.toString();
            } else {
                write(normalDir, unit, outcome);
            }
        }
        return outcome;
    }

    /** Container files by file name, sorted; the first search directory that has a name wins. */
    private TreeMap<String, Path> containerFiles() {
        TreeMap<String, Path> files = new TreeMap<>();
        for (Path dir : searchDirs) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.endsWith(ContainerFile.SUFFIX) && !files.containsKey(name)) {
                        files.put(name, entry);
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                // Nothing configured there (or /run/jcontainer not made yet): not an error.
            } catch (IOException e) {
                report("Failed to read directory " + dir + ": " + reason(e));
            }
        }
        return files;
    }

    /** Parses and converts one file; null (reported) when it is bad or masked. */
    private GeneratedUnit convert(Path file, Outcome outcome) {
        try {
            if (isMasked(file)) {
                return null;
            }
            ContainerFile container = ContainerFile.parse(file);
            // The image config's defaults (StopSignal) when the store has the image; with no
            // store (/var not mounted yet) or the image not pulled, the file alone decides.
            Map<String, String> config = images.read(container);
            if (config != null) {
                // As jnspawn refuses to start it: the current policy against what accepted the image.
                imagePolicy.check(container, images.manifestDigest(container));
            }
            return ContainerUnitConverter.convert(container, config);
        } catch (SettingsException | UnitConversionException e) {
            outcome.report(e.getMessage());
            return null;
        }
    }

    /** A symlink to /dev/null masks a container, as it masks a unit. */
    private static boolean isMasked(Path file) {
        if (!Files.isSymbolicLink(file)) {
            return false;
        }
        try {
            return Files.readSymbolicLink(file).toString().equals("/dev/null");
        } catch (IOException e) {
            return false;
        }
    }

    private void describe(GeneratedUnit unit, StringBuilder sb) {
        for (GeneratedUnit.File f : unit.files()) {
            sb.append("---").append(f.path()).append("---\n").append(f.text());
        }
        String unitName = unit.unitName();
        for (GeneratedUnit.Link link : unit.links()) {
            sb.append("---").append(link.path(unitName)).append(" -> ").append(TEMPLATE_PATH).append("---\n");
        }
    }

    private void write(Path normalDir, GeneratedUnit unit, Outcome outcome) {
        String unitName = unit.unitName();
        for (GeneratedUnit.File f : unit.files()) {
            Path path = normalDir.resolve(f.path());
            try {
                directory(path.getParent());
                writeAtomically(path, f.text().getBytes(StandardCharsets.UTF_8), suffix());
            } catch (IOException e) {
                outcome.report("Failed to write " + path + ": " + reason(e));
                return;
            }
        }
        for (GeneratedUnit.Link link : unit.links()) {
            Path path = normalDir.resolve(link.path(unitName));
            try {
                directory(path.getParent());
                linkAtomically(path, Path.of(TEMPLATE_PATH), suffix());
            } catch (IOException e) {
                outcome.report("Failed to create link " + path + ": " + reason(e));
            }
        }
    }

    /**
     * Makes a directory once per run. Most containers share their link directories
     * ({@code machines.target.wants}); asking the file system again would cost an exception each.
     * Under the set's lock, so that the other thread does not link into it before it exists.
     */
    private void directory(Path dir) throws IOException {
        synchronized (madeDirectories) {
            if (madeDirectories.add(dir)) {
                Files.createDirectories(dir);
            }
        }
    }

    /**
     * Writes a temporary file beside {@code target}, then renames it over: systemd (or an admin
     * reading along) sees the old file or the new one, never half of one.
     */
    static void writeAtomically(Path target, byte[] content, String suffix) throws IOException {
        Path temp = tempPath(target, suffix);
        try {
            // java.io, not Files.write(): as for reading (UnitFile.parse), a FileChannel costs
            // about twice the time per file at boot. Same open(2): O_WRONLY|O_CREAT|O_TRUNC, 0666.
            try (FileOutputStream o = new FileOutputStream(temp.toFile())) {
                o.write(content);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            discard(temp, e);
            throw e;
        }
    }

    /** Makes or replaces a symlink atomically, by renaming a new one over it. */
    static void linkAtomically(Path link, Path target, String suffix) throws IOException {
        Path temp = tempPath(link, suffix);
        try {
            try {
                Files.createSymbolicLink(temp, target);
            } catch (FileAlreadyExistsException e) {
                // Left by a crashed run that had our pid.
                Files.delete(temp);
                Files.createSymbolicLink(temp, target);
            }
            Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            discard(temp, e);
            throw e;
        }
    }

    /** Removes a temporary file after {@code failure}; failing that too, keeps {@code failure} the one reported. */
    private static void discard(Path temp, IOException failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** {@code .#NAME.SUFFIX}: hidden, so systemd skips it should it ever be left behind. */
    private static Path tempPath(Path target, String suffix) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + '.' + suffix);
    }

    /**
     * This process's id, which keeps temporary names distinct per run; read from /proc/self
     * because ProcessHandle starts a thread pool and SecureRandom seeds itself, both at a cost
     * paid at every boot.
     */
    private String suffix() {
        if (pid == null) {
            pid = processId();
        }
        return pid;
    }

    static String processId() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return Long.toString(System.nanoTime());
        }
    }

    /** One line to stderr and, where it can be written, to the kernel log at level err. */
    private void report(String message) {
        failed = true;
        err.println(message);
        if (kmsg == null) {
            return;
        }
        String line = "<3>" + PROGRAM + '[' + suffix() + "]: " + message + '\n';
        // No CREATE: where /dev/kmsg is missing (a container), do not make a file of that name.
        // One write() is one kernel log record.
        try (OutputStream o = Files.newOutputStream(kmsg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            o.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            // Not writable (not root, no /dev/kmsg): stderr has the line.
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        if (e instanceof FileNotFoundException) {
            return UnitFile.openFailure((FileNotFoundException) e);
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static List<Path> searchDirsFromProperty() {
        String value = System.getProperty(SEARCH_PATH_PROPERTY);
        if (value == null) {
            return DEFAULT_SEARCH_DIRS;
        }
        List<Path> dirs = new ArrayList<>();
        for (String dir : value.split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return dirs;
    }

    static Path kmsgFromProperty() {
        String value = System.getProperty(KMSG_PROPERTY);
        if (value == null) {
            return DEFAULT_KMSG;
        }
        return value.isEmpty() ? null : Path.of(value);
    }
}
