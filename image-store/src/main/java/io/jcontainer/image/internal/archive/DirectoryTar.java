package io.jcontainer.image.internal.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes tars: a directory tree as one layer (sorted, numeric owners, hardlinks kept), and the plain files of an
 * OCI layout. Extended attributes of a directory are not carried (the JDK reads only {@code user.*}).
 */
public final class DirectoryTar {
    private DirectoryTar() {
    }

    public static TarArchiveOutputStream open(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    /** Adds a regular file with fixed metadata (mode 0644, owner 0:0). */
    public static void addFile(TarArchiveOutputStream tar, String name, long size, InputStream content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0100644);
        e.setModTime(FileTime.fromMillis(0));
        tar.putArchiveEntry(e);
        long copied = content.transferTo(tar);
        if (copied != size) {
            throw new IOException("'" + name + "' changed size while being archived");
        }
        tar.closeArchiveEntry();
    }

    public static void addDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040755);
        e.setModTime(FileTime.fromMillis(0));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    /** Writes {@code dir}'s tree (without following symlinks) as a layer tar to {@code out}. */
    public static void writeTree(Path dir, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = open(out)) {
            addTree(tar, dir, ".");
        }
    }

    /** Adds {@code dir}'s tree (sorted, without following symlinks) to {@code tar} under {@code prefix} (an ACI's rootfs). */
    public static void addTree(TarArchiveOutputStream tar, Path dir, String prefix) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(paths::add);
        }
        paths.sort(null);
        Map<Object, String> inodes = new HashMap<>();
        for (Path p : paths) {
            String rel = dir.relativize(p).toString();
            String name = rel.isEmpty() ? prefix + "/" : prefix + "/" + rel;
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int fmt = mode & 0170000;
            TarArchiveEntry e;
            boolean hasData = false;
            if (fmt == 0040000) {
                e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
            } else if (fmt == 0120000) {
                e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            } else if (fmt == 0100000) {
                Object key = a.get("fileKey");
                String first = (Integer) a.get("nlink") > 1 ? inodes.putIfAbsent(key, name) : null;
                if (first != null) {
                    e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
                    e.setLinkName(first);
                } else {
                    e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
                    e.setSize((Long) a.get("size"));
                    hasData = true;
                }
            } else if (fmt == 0020000 || fmt == 0060000) {
                e = new TarArchiveEntry(name, fmt == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK, true);
                long rdev = (Long) a.get("rdev");
                e.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfff)));
                e.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xff)));
            } else if (fmt == 0010000) {
                e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
            } else {
                continue; // sockets and doors are not content
            }
            e.setMode(mode);
            e.setUserId((Integer) a.get("uid"));
            e.setGroupId((Integer) a.get("gid"));
            e.setModTime((FileTime) a.get("lastModifiedTime"));
            tar.putArchiveEntry(e);
            if (hasData) {
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(tar);
                }
            }
            tar.closeArchiveEntry();
        }
    }
}
