package io.jcontainer.image.internal.layer;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.store.DigestingOutputStream;
import io.jcontainer.image.internal.store.FsUtil;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an overlayfs upper directory as an OCI layer (tar+gzip): the changeset of a container on top of its
 * image, as the OCI image spec's "Representing Changes" section describes it (umoci {@code oci/layer/generate.go},
 * Docker's overlay whiteout converter).
 *
 * <ul>
 *   <li>a whiteout (a character device 0/0, overlayfs's mark of a removed lower entry) becomes an empty regular
 *       file {@code .wh.NAME} beside it;</li>
 *   <li>a directory with {@code trusted.overlay.opaque=y} (or {@code user.overlay.opaque}, userxattr mounts) is
 *       followed by {@code DIR/.wh..wh..opq}, which hides the lower layers' children;</li>
 *   <li>modes, numeric owners, mtimes (seconds), symlinks, hardlinks within the layer, device nodes, FIFOs and
 *       every other xattr (PAX {@code SCHILY.xattr.*}, byte for byte: {@code security.capability} is binary) are
 *       kept; overlayfs's own xattrs are not carried;</li>
 *   <li>a redirected directory or a metacopy-only file ({@code redirect_dir=on}, {@code metacopy=on} mounts) has
 *       its content in a lower layer, so such a directory is refused rather than written incomplete.</li>
 * </ul>
 * Entries are sorted by name, so an unchanged tree gives the same DiffID. Sockets are left out (not content).
 */
public final class LayerWriter {
    private static final int BUFFER = 256 * 1024;
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    /**
     * Files jnspawn bind-mounts its generated {@code /etc/hosts} and {@code /etc/resolv.conf} onto
     * (every network mode). Where the image lacks them it creates empty mount targets, which land
     * in the upper dir; the container's own writes go to the bound files, never to these. Empty,
     * they are left out of a layer, as Docker leaves its own (the "-init" layer) out of a commit.
     */
    private static final java.util.Set<String> MOUNT_TARGETS = java.util.Set.of("etc/hosts", "etc/resolv.conf");
    /** Whether {@code etc} holds nothing but empty {@link #MOUNT_TARGETS}. */
    private static boolean onlyMountTargets(Path etc) throws IOException {
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(etc)) {
            for (Path e : entries) {
                if (!MOUNT_TARGETS.contains("etc/" + e.getFileName()) || !Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS)
                        || Files.size(e) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static final List<String> OVERLAY_XATTR_PREFIXES = List.of("trusted.overlay.", "user.overlay.");
    private static final List<String> OPAQUE_XATTRS = List.of("trusted.overlay.opaque", "user.overlay.opaque");
    private static final List<String> INCOMPLETE_XATTRS = List.of("trusted.overlay.redirect", "user.overlay.redirect",
            "trusted.overlay.metacopy", "user.overlay.metacopy");

    /**
     * A layer written to a file.
     *
     * @param diffId the sha256 of the uncompressed tar ({@code rootfs.diff_ids})
     * @param blob   the sha256 of the file (the gzip stream), its blob digest
     * @param size   the file's size in bytes
     */
    public record Result(Digest diffId, Digest blob, long size) {
    }

    private final Path dir;
    private final Map<Object, String> firstLinks = new HashMap<>();
    private TarWriter tar;

    private LayerWriter(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code dir}'s tree (without the directory itself) as tar+gzip to the new file {@code target}, fsynced. */
    public static Result write(Path dir, Path target) throws ImageStoreException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageStoreException("'" + dir + "' is not a directory, refusing.");
        }
        LayerWriter w = new LayerWriter(dir);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DigestingOutputStream compressed = new DigestingOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER));
            GZIPOutputStream gzip = new GZIPOutputStream(compressed, BUFFER);
            DigestingOutputStream plain = new DigestingOutputStream(gzip);
            OutputStream buffered = new BufferedOutputStream(plain, BUFFER);
            w.tar = new TarWriter(buffered);
            w.writeChildren(dir, "");
            w.tar.finish();
            buffered.flush();
            gzip.finish();
            compressed.flush();
            ch.force(true);
            return new Result(plain.digest(), compressed.digest(), compressed.count());
        } catch (ImageStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageStoreException("Failed to write a layer of '" + dir + "' to '" + target + "': " + FsUtil.describe(e), e);
        }
    }

    private void writeChildren(Path parent, String parentName) throws IOException {
        TreeMap<String, Path> children = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
            for (Path p : ds) {
                children.put(p.getFileName().toString(), p);
            }
        }
        for (Map.Entry<String, Path> c : children.entrySet()) {
            writeEntry(c.getValue(), parentName + c.getKey(), parentName, c.getKey());
        }
    }

    private void writeEntry(Path p, String name, String parentName, String base) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int fmt = mode & 0170000;
        long uid = (Integer) a.get("uid") & 0xffffffffL;
        long gid = (Integer) a.get("gid") & 0xffffffffL;
        long mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
        Map<String, byte[]> all;
        try {
            all = NativeFiles.xattrs(p); // every namespace, read with llistxattr/lgetxattr (never through a link)
        } catch (IOException e) {
            throw new ImageStoreException("Failed to read the xattrs of '" + p + "': " + e.getMessage(), e);
        }
        for (String x : INCOMPLETE_XATTRS) {
            if (all.containsKey(x)) {
                throw new ImageStoreException("'" + p + "' has '" + x + "': its content is in a lower layer (an overlayfs "
                        + "redirect_dir or metacopy mount), so it cannot be written as a layer, refusing.");
            }
        }
        Map<String, byte[]> kept = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> x : new TreeMap<>(all).entrySet()) {
            if (OVERLAY_XATTR_PREFIXES.stream().noneMatch(x.getKey()::startsWith)) {
                kept.put(x.getKey(), x.getValue());
            }
        }
        switch (fmt) {
            case 0040000 -> {
                boolean opaque = OPAQUE_XATTRS.stream().anyMatch(x -> isY(all.get(x)));
                if (!opaque && name.equals("etc") && onlyMountTargets(p)) {
                    return; // copied up (or made) only to hold the mount targets: no change of the container's
                }
                tar.put(header(name + "/", '5', mode, uid, gid, 0, mtime, null, kept), null);
                if (opaque) {
                    tar.put(header(name + "/" + OPAQUE, '0', mode, uid, gid, 0, mtime, null, Map.of()), null);
                }
                writeChildren(p, name + "/");
            }
            case 0100000 -> {
                if ((Long) a.get("size") == 0 && MOUNT_TARGETS.contains(name)) {
                    return;
                }
                if ((Integer) a.get("nlink") > 1) {
                    String first = firstLinks.putIfAbsent(a.get("fileKey"), name);
                    if (first != null) {
                        tar.put(header(name, '1', mode, uid, gid, 0, mtime, first, kept), null);
                        return;
                    }
                }
                long size = (Long) a.get("size");
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    tar.put(header(name, '0', mode, uid, gid, size, mtime, null, kept), in);
                }
            }
            case 0120000 -> tar.put(header(name, '2', mode, uid, gid, 0, mtime, Files.readSymbolicLink(p).toString(), kept), null);
            case 0020000, 0060000 -> {
                long rdev = (Long) a.get("rdev");
                int major = (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfff));
                int minor = (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xff));
                if (fmt == 0020000 && rdev == 0) {
                    // overlayfs whiteout: OCI writes it as an empty file named .wh.NAME
                    tar.put(header(parentName + WHITEOUT_PREFIX + base, '0', 0600, uid, gid, 0, mtime, null, Map.of()), null);
                } else {
                    TarWriter.Header h = new TarWriter.Header(name, fmt == 0020000 ? '3' : '4', mode, uid, gid, 0, mtime,
                            null, major, minor, kept);
                    tar.put(h, null);
                }
            }
            case 0010000 -> tar.put(header(name, '6', mode, uid, gid, 0, mtime, null, kept), null);
            default -> {
                // sockets are not content
            }
        }
    }

    private static boolean isY(byte[] v) {
        return v != null && new String(v, StandardCharsets.ISO_8859_1).equals("y");
    }

    private static TarWriter.Header header(String name, char type, int mode, long uid, long gid, long size, long mtime,
                                           String link, Map<String, byte[]> xattrs) {
        return new TarWriter.Header(name, type, mode, uid, gid, size, mtime, link, 0, 0, xattrs);
    }
}
