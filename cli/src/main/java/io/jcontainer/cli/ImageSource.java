package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.LayerUnpacker;
import io.jcontainer.image.MediaType;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What {@code jcontainer import SOURCE} was given, told apart by content rather than by file name:
 * an OCI layout (a directory or a tar with an {@code oci-layout} file at its top), a {@code docker save}
 * tar ({@code manifest.json} at its top; Docker 25 and later write an OCI layout beside it, and its
 * {@code manifest.json} is what names the image), a {@code dir:} directory of containers/image
 * ({@link ContainersDir}), an ACI ({@code manifest} and {@code rootfs/}), a plain root file system
 * tarball, or a directory.
 *
 * @param suggestedName the name the source gives itself (OCI index annotations), or null
 */
record ImageSource(Path path, Kind kind, String suggestedName) {

    enum Kind {
        OCI_LAYOUT_DIRECTORY("an OCI layout"),
        OCI_LAYOUT_TAR("an OCI layout archive"),
        DOCKER_ARCHIVE("a docker save archive"),
        ACI("an ACI"),
        CONTAINERS_DIR("a dir: image (skopeo copy ... dir:)"),
        ROOTFS_TARBALL("a root file system tarball"),
        DIRECTORY("a directory");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    static final String OCI_LAYOUT_FILE = "oci-layout";
    static final String OCI_INDEX_FILE = "index.json";
    static final String DOCKER_MANIFEST_FILE = "manifest.json";
    /** The annotation containerd, Docker and BuildKit put the full image name in. */
    static final String CONTAINERD_NAME = "io.containerd.image.name";
    static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";
    /** index.json larger than this is not read for a name (the store's own limit applies at import). */
    private static final int MAX_INDEX_BYTES = 1 << 20;

    static ImageSource detect(Path path) throws CliException {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(OCI_LAYOUT_FILE))) {
                return new ImageSource(path, Kind.OCI_LAYOUT_DIRECTORY, nameFromIndex(readIndex(path.resolve(OCI_INDEX_FILE)), path));
            }
            if (ContainersDir.is(path)) {
                return new ImageSource(path, Kind.CONTAINERS_DIR, null);
            }
            return new ImageSource(path, Kind.DIRECTORY, null);
        }
        if (!Files.exists(path)) {
            throw new CliException("'" + path + "' does not exist.");
        }
        if (!Files.isRegularFile(path)) {
            throw new CliException("'" + path + "' is neither a directory nor a file, refusing.");
        }
        return scanTar(path);
    }

    /** Reads the tar's entry names (only index.json's content) until it knows what the tar is. */
    private static ImageSource scanTar(Path path) throws CliException {
        boolean ociLayout = false;
        boolean aciManifest = false;
        boolean aciRootfs = false;
        byte[] index = null;
        boolean anyEntry = false;
        try {
            MediaType.Compression compression = LayerUnpacker.sniff(path);
            // FileInputStream: its skip() seeks, so the blobs of an uncompressed archive are not read.
            try (InputStream raw = new FileInputStream(path.toFile());
                 TarArchiveInputStream tar = new TarArchiveInputStream(
                         LayerUnpacker.decompress(new BufferedInputStream(raw, 1 << 16), compression))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    anyEntry = true;
                    aciRootfs |= isAciRootfs(entry.getName());
                    aciManifest |= entry.isFile() && AciArchive.MANIFEST.equals(topLevelName(entry.getName()));
                    if (aciRootfs && aciManifest) {
                        return new ImageSource(path, Kind.ACI, null);
                    }
                    String name = topLevelName(entry.getName());
                    if (!entry.isFile() || name == null) {
                        continue;
                    }
                    if (name.equals(DOCKER_MANIFEST_FILE)) {
                        return new ImageSource(path, Kind.DOCKER_ARCHIVE, null);
                    } else if (name.equals(OCI_LAYOUT_FILE)) {
                        ociLayout = true;
                    } else if (name.equals(OCI_INDEX_FILE) && entry.getSize() <= MAX_INDEX_BYTES) {
                        index = tar.readAllBytes();
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            if (AciArchive.looksLikeAci(path)) {
                return new ImageSource(path, Kind.ACI, null); // bzip2 or xz, which only ACIs are
            }
            throw new CliException("'" + path + "' is neither a directory nor a tar archive ("
                    + oneLine(e) + "), refusing.", e);
        }
        if (!anyEntry) {
            if (AciArchive.looksLikeAci(path)) {
                return new ImageSource(path, Kind.ACI, null); // bzip2 or xz, which only ACIs are
            }
            throw new CliException("'" + path + "' is neither a directory nor a tar archive (no entries), refusing.");
        }
        if (ociLayout) {
            return new ImageSource(path, Kind.OCI_LAYOUT_TAR, index == null ? null : nameFromIndex(index, path));
        }
        return new ImageSource(path, Kind.ROOTFS_TARBALL, null);
    }

    /** Whether a tar entry is an ACI's {@code rootfs/} or inside it. */
    private static boolean isAciRootfs(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n.equals(AciArchive.ROOTFS) || n.startsWith(AciArchive.ROOTFS + "/");
    }

    /** {@code oci-layout} for {@code oci-layout} and {@code ./oci-layout}; null for anything in a subdirectory. */
    private static String topLevelName(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n.isEmpty() || n.contains("/") ? null : n;
    }

    private static byte[] readIndex(Path file) {
        try {
            return Files.size(file) <= MAX_INDEX_BYTES ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            return null; // the import reports it, with the store's words
        }
    }

    /**
     * The name an index gives its only image: {@value #CONTAINERD_NAME}, or a {@value #OCI_REF_NAME} that is a
     * whole name (skopeo and umoci write only a tag there, which names nothing). Null otherwise.
     */
    private static String nameFromIndex(byte[] index, Path path) {
        if (index == null) {
            return null;
        }
        JsonNode manifests;
        try {
            manifests = JsonOutput.tree(index, "'" + path + "/" + OCI_INDEX_FILE + "'").path("manifests");
        } catch (CliException e) {
            return null;
        }
        if (!manifests.isArray() || manifests.size() != 1) {
            return null;
        }
        JsonNode annotations = manifests.get(0).path("annotations");
        String full = annotations.path(CONTAINERD_NAME).asText(null);
        if (full != null && !full.isEmpty()) {
            return full;
        }
        String ref = annotations.path(OCI_REF_NAME).asText(null);
        return ref != null && (ref.contains("/") || ref.contains(":")) ? ref : null;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse("").strip();
    }
}
