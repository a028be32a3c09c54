package io.jcontainer.cli;

import io.jcontainer.image.HistoryStep;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.archive.DirectoryTar;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * An ACI (appc spec/aci.md): a tar of {@code manifest} and {@code rootfs/}, gzip-compressed when written, gzip,
 * bzip2, xz or plain when read. Written from a store image (its layers merged) and imported as a one-layer image
 * whose config comes from the manifest ({@link AciManifest}).
 */
final class AciArchive {
    static final String MANIFEST = "manifest";
    static final String ROOTFS = "rootfs";
    /** An appc manifest is a few kB. */
    static final int MAX_MANIFEST_BYTES = 1 << 20;

    private AciArchive() {
    }

    /** Whether {@code file}'s tar has a {@code manifest} and a {@code rootfs/} at its top (read up to both). */
    static boolean looksLikeAci(Path file) {
        boolean manifest = false;
        boolean rootfs = false;
        try (InputStream raw = open(file); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null && !(manifest && rootfs)) {
                String n = strip(e.getName());
                manifest |= n.equals(MANIFEST) && e.isFile();
                rootfs |= n.equals(ROOTFS) || n.startsWith(ROOTFS + "/");
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
        return manifest && rootfs;
    }

    private static String strip(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    /** The file's tar stream, decompressed by its magic bytes (gzip, bzip2, xz through {@code xz -dc}, or none). */
    private static InputStream open(Path file) throws IOException {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(6);
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        if (h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
            return new BZip2CompressorInputStream(in);
        }
        if (h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z') {
            in.close();
            Process xz = new ProcessBuilder("xz", "-dc", "--", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return xz.getInputStream();
        }
        return in;
    }

    // ---------------------------------------------------------------- write

    /**
     * Writes {@code image}'s files as {@code rootfs/} with {@code manifest} before them, to a temporary file renamed
     * to {@code target}. Entries are sorted with their stored mtimes and a zero gzip time, so an unchanged image gives
     * the same bytes. Several layers are merged by a read-only overlayfs mount (root only).
     */
    static void write(ImageStore store, Image image, byte[] manifest, Path target) throws CliException, ImageStoreException {
        List<Path> lowers = image == null ? List.of() : store.lowerDirs(image);
        Path stage = store.root().resolve("tmp").resolve("aci-" + UUID.randomUUID());
        Path tmp = target.toAbsolutePath().resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        boolean merged = lowers.size() > 1;
        boolean mounted = false;
        try {
            Path rootfs = lowers.size() == 1 ? lowers.get(0) : Files.createDirectories(stage.resolve("rootfs"));
            if (merged) {
                mount(lowers, rootfs);
                mounted = true;
            }
            try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 17));
                 TarArchiveOutputStream tar = DirectoryTar.open(out)) {
                DirectoryTar.addFile(tar, MANIFEST, manifest.length, new ByteArrayInputStream(manifest));
                DirectoryTar.addTree(tar, rootfs, ROOTFS);
                tar.finish();
            } finally {
                if (mounted && tool("umount", rootfs.toString())) {
                    mounted = false;
                }
            }
            if (mounted) {
                throw new CliException("Failed to unmount '" + rootfs + "' after writing '" + target + "', refusing "
                        + "to finish; unmount it by hand.");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException("Failed to write '" + target + "': " + ContainerFiles.reason(e), e);
        } finally {
            if (!mounted) {
                ImageBuild.deleteQuietly(stage); // never through a mount that is still there
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // a leftover .tmp- file beside the target, harmless
            }
        }
    }

    /** A read-only overlay of {@code lowers} (top-most first, as the store lists them) on {@code at}. */
    private static void mount(List<Path> lowers, Path at) throws CliException, IOException {
        List<String> dirs = new ArrayList<>();
        lowers.forEach(l -> dirs.add(l.toString()));
        if (!tool("mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + String.join(":", dirs), at.toString())) {
            throw new CliException("Failed to merge the image's " + lowers.size() + " layers for the ACI (an overlayfs "
                    + "mount, which needs root).");
        }
    }

    private static boolean tool(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return p.waitFor() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }

    // ---------------------------------------------------------------- import

    /**
     * Imports an ACI: its {@code rootfs/} as a one-layer image named by the manifest ({@code NAME:VERSION}), its
     * config the manifest's app. The rootfs tar is written under the store's {@code tmp/} first.
     */
    static Image importAci(ImageStore store, Path file) throws CliException, ImageStoreException {
        return importAci(store, file, file);
    }

    /** The ACI's {@code manifest}, at most {@link #MAX_MANIFEST_BYTES}; {@code shown} names the file in errors. */
    static byte[] manifest(Path file, Path shown) throws CliException {
        try (InputStream raw = open(file); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (strip(e.getName()).equals(MANIFEST) && e.isFile()) {
                    if (e.getSize() > MAX_MANIFEST_BYTES) {
                        throw new CliException("'" + shown + "': its manifest is larger than " + MAX_MANIFEST_BYTES
                                + " bytes, refusing.");
                    }
                    return in.readNBytes(MAX_MANIFEST_BYTES);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("Failed to read the ACI '" + shown + "': " + e.getMessage(), e);
        }
        throw new CliException("'" + shown + "' has no manifest: not an ACI, refusing.");
    }

    /** {@link #importAci(ImageStore, Path)} of {@code file}, a copy of {@code shown} (which errors and history name). */
    static Image importAci(ImageStore store, Path file, Path shown) throws CliException, ImageStoreException {
        Path layer = store.root().resolve("tmp").resolve("aci-" + UUID.randomUUID() + ".tar");
        byte[] manifest = null;
        try {
            Files.createDirectories(layer.getParent());
            try (InputStream raw = open(file); TarArchiveInputStream in = new TarArchiveInputStream(raw);
                 TarArchiveOutputStream out = DirectoryTar.open(new BufferedOutputStream(Files.newOutputStream(layer), 1 << 17))) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    String n = strip(e.getName());
                    if (n.equals(MANIFEST) && e.isFile()) {
                        manifest = in.readNBytes(MAX_MANIFEST_BYTES);
                    } else if (n.startsWith(ROOTFS + "/")) {
                        rebase(e, in, out);
                    }
                }
                out.finish();
            }
        } catch (IOException | IllegalArgumentException e) {
            ImageBuild.deleteQuietly(layer);
            throw new CliException("Failed to read the ACI '" + shown + "': " + e.getMessage(), e);
        }
        try {
            if (manifest == null) {
                throw new CliException("'" + shown + "' has no manifest: not an ACI, refusing.");
            }
            AciManifest.Imported aci = AciManifest.read(manifest, shown.toString());
            Image image = store.importRootfsTarball(layer, aci.name());
            return store.writeImage(image, List.of(), aci.defaults(),
                    List.of(new HistoryStep("jcontainer import " + shown.getFileName(), "from an ACI", true)), aci.name());
        } finally {
            ImageBuild.deleteQuietly(layer);
        }
    }

    /** Copies a {@code rootfs/} entry without that prefix (hard link targets too). */
    private static void rebase(TarArchiveEntry e, InputStream in, TarArchiveOutputStream out) throws IOException {
        String rel = e.getName().substring(e.getName().indexOf(ROOTFS + "/") + ROOTFS.length() + 1);
        if (rel.isEmpty()) {
            rel = "./";
        }
        TarArchiveEntry c = new TarArchiveEntry(rel, e.getLinkFlag(), true);
        c.setMode(e.getMode());
        c.setUserId(e.getLongUserId());
        c.setGroupId(e.getLongGroupId());
        c.setModTime(e.getLastModifiedTime());
        if (e.isSymbolicLink()) {
            c.setLinkName(e.getLinkName());
        } else if (e.isLink()) {
            String target = strip(e.getLinkName());
            c.setLinkName(target.startsWith(ROOTFS + "/") ? target.substring(ROOTFS.length() + 1) : target);
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) {
            c.setDevMajor(e.getDevMajor());
            c.setDevMinor(e.getDevMinor());
        }
        if (e.isFile() && !e.isLink()) {
            c.setSize(e.getSize());
        }
        e.getExtraPaxHeaders().forEach(c::addPaxHeader);
        out.putArchiveEntry(c);
        if (e.isFile() && !e.isLink()) {
            in.transferTo(out);
        }
        out.closeArchiveEntry();
    }
}
