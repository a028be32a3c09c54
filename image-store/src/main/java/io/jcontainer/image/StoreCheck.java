package io.jcontainer.image;

import io.jcontainer.image.internal.json.Wire;
import io.jcontainer.image.internal.store.FsUtil;
import io.jcontainer.image.internal.store.StoreLock;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code jcontainer system check}: reads every ref, manifest, config and blob of the store and every entry of
 * {@code layers/} and {@code tmp/}, and reports what is inconsistent: a ref that names nothing readable, a blob
 * whose content is not its digest, an image whose layer blob is missing, and what a killed command left half
 * written (a ref's temp file, a half-unpacked layer, staging in {@code tmp/}, an entry in {@code blobs/} that is
 * no blob).
 *
 * <p>With {@code repair} it takes the store's exclusive lock (as gc: no pull, import or start is writing) and
 * removes what is half written and the corrupt blobs that no ref needs. It never deletes a blob a ref needs, nor a
 * ref: a corrupt blob an image needs is reported (pull or import the image again), and so is a ref naming a
 * missing manifest ({@code jcontainer rmi} it, or pull it again). Without {@code repair} it holds the shared
 * lock, so entries of {@code tmp/} may be a running pull's and are only counted.
 */
public final class StoreCheck {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final String GC_TRASH = ".gc-";

    /** What a check found; {@code problems} are left as they were, {@code repaired} were removed. */
    public record Report(List<String> problems, List<String> repaired, List<String> notes, int refs, int blobs,
                         int layers) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    private final ImageStore store;
    private final boolean repair;
    private final List<String> problems = new ArrayList<>();
    private final List<String> repaired = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private StoreCheck(ImageStore store, boolean repair) {
        this.store = store;
        this.repair = repair;
    }

    public static Report run(ImageStore store, boolean repair) throws ImageStoreException {
        if (repair) {
            store.requireWritable();
        }
        StoreLock lock = StoreLock.forFile(store.root().resolve("store.lock"));
        try (StoreLock.Held held = repair ? lock.exclusive() : lock.shared()) {
            return new StoreCheck(store, repair).check();
        }
    }

    private Report check() throws ImageStoreException {
        Path root = store.root();
        Set<Digest> intact = new HashSet<>();
        List<Digest> corrupt = new ArrayList<>();
        int blobCount = 0;
        for (Path p : list(root.resolve("blobs").resolve(Digest.SHA256))) {
            String name = p.getFileName().toString();
            blobCount++;
            if (!HEX64.matcher(name).matches() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                halfWritten(p, "no blob (a blob is a regular file named by its sha256)");
                continue;
            }
            Digest d = new Digest(Digest.SHA256, name);
            if (sha256(p).equals(d)) {
                intact.add(d);
            } else {
                corrupt.add(d);
            }
        }

        Set<Digest> needed = new HashSet<>();
        Set<String> neededLayers = new HashSet<>();
        int refCount = 0;
        for (Path p : list(root.resolve("refs"))) {
            String name = p.getFileName().toString();
            if (name.startsWith(".")) {
                halfWritten(p, "a ref's temp file");
                continue;
            }
            refCount++;
            ImageReference ref;
            try {
                ref = ImageReference.parse(URLDecoder.decode(name, StandardCharsets.UTF_8));
            } catch (ImageStoreException | IllegalArgumentException e) {
                problems.add("Ref '" + p + "' is named by no image reference: " + e.getMessage());
                continue;
            }
            // What the ref needs, from the files themselves: a corrupt config must not make its blob look unneeded.
            neededBy(p, intact, needed);
            Image image;
            try {
                image = store.inspect(ref);
            } catch (ImageStoreException e) {
                problems.add("Image '" + ref + "': " + e.getMessage() + " (pull or import it again, or rmi it)");
                continue;
            }
            needed.add(image.manifestDigest());
            needed.add(image.manifest().config().digest());
            List<Digest> chain = image.chainIds();
            for (int i = 0; i < image.manifest().layers().size(); i++) {
                Digest layer = image.manifest().layers().get(i).digest();
                needed.add(layer);
                if (!intact.contains(layer) && !corrupt.contains(layer)) {
                    problems.add("Image '" + ref + "': layer " + (i + 1) + " blob " + layer + " is missing (pull or import"
                            + " it again)");
                }
                if (i < chain.size()) {
                    neededLayers.add(chain.get(i).hex());
                }
            }
        }
        for (Digest d : corrupt) {
            Path p = store.blobs().path(d);
            if (needed.contains(d)) {
                problems.add("Blob " + d + " is corrupt (its content has another digest) and an image needs it: pull"
                        + " or import that image again.");
            } else if (repair) {
                remove(p, "corrupt blob " + d + " that no image needs");
            } else {
                problems.add("Blob " + d + " is corrupt (its content has another digest); no image needs it.");
            }
        }

        int layerCount = 0;
        for (Path p : list(root.resolve("layers"))) {
            String name = p.getFileName().toString();
            if (HEX64.matcher(name).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                layerCount++;
                if (!neededLayers.contains(name)) {
                    notes.add("Layer '" + p + "' is named by no image (a running container may use it; gc frees it otherwise).");
                }
            } else if (!(name.startsWith(GC_TRASH) && gcAlive(name))) {
                halfWritten(p, "a layer left half unpacked or half deleted");
            }
        }
        for (Path p : list(root.resolve("tmp"))) {
            if (repair) {
                remove(p, "staging in tmp/ left by a killed command");
            } else {
                notes.add("'" + p + "' is staging of a command running now or killed (--repair removes it if killed).");
            }
        }
        return new Report(List.copyOf(problems), List.copyOf(repaired), List.copyOf(notes), refCount, blobCount,
                layerCount);
    }

    /** The manifest a ref file names and, when that blob is intact, the config and layers (or manifests) it names. */
    private void neededBy(Path refFile, Set<Digest> intact, Set<Digest> needed) {
        Digest manifest;
        try {
            manifest = Digest.parse(Files.readString(refFile).strip());
        } catch (IOException | RuntimeException e) {
            return; // reported by inspect below
        }
        needed.add(manifest);
        if (!intact.contains(manifest)) {
            return;
        }
        try {
            Wire.Parsed parsed = Wire.parseManifestOrIndex(Files.readAllBytes(store.blobs().path(manifest)), null,
                    manifest.toString());
            if (parsed instanceof Wire.ParsedManifest m) {
                needed.add(m.manifest().config().digest());
                m.manifest().layers().forEach(l -> needed.add(l.digest()));
            } else {
                ((Wire.ParsedIndex) parsed).index().manifests().forEach(d -> needed.add(d.digest()));
            }
        } catch (IOException e) {
            // reported by inspect below
        }
    }

    /** A half-written entry: removed with repair (no writer is running under the exclusive lock), else reported. */
    private void halfWritten(Path p, String what) throws ImageStoreException {
        if (repair) {
            remove(p, what);
        } else {
            problems.add("'" + p + "' is " + what + ", half written by a killed command (--repair removes it).");
        }
    }

    private void remove(Path p, String what) throws ImageStoreException {
        try {
            FsUtil.deleteRecursively(p);
        } catch (IOException e) {
            throw new ImageStoreException("Failed to remove '" + p + "' (" + what + "): " + FsUtil.describe(e), e);
        }
        repaired.add("Removed '" + p + "': " + what + ".");
    }

    /** Whether a layer entry is one a gc still running renamed aside and is deleting ({@code .gc-PID-...}). */
    private static boolean gcAlive(String name) {
        int dash = name.indexOf('-', GC_TRASH.length());
        try {
            long pid = Long.parseLong(name.substring(GC_TRASH.length(), dash < 0 ? name.length() : dash));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<Path> list(Path dir) throws ImageStoreException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p);
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to list '" + dir + "': " + FsUtil.describe(e), e);
        }
        out.sort(null);
        return out;
    }

    private static Digest sha256(Path p) throws ImageStoreException {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read blob '" + p + "': " + FsUtil.describe(e), e);
        }
        return Digest.ofSha256(md.digest());
    }
}
