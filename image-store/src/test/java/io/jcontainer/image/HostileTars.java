package io.jcontainer.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Tars that no honest tool writes: GNU tar strips "../" and leading "/", so these are written entry by entry. */
final class HostileTars {
    private HostileTars() {
    }

    /** One regular file at {@code unsafePath}. */
    static Path single(Path tar, String unsafePath, String content) throws IOException {
        try (TarArchiveOutputStream out = open(tar)) {
            file(out, unsafePath, content);
        }
        return tar;
    }

    /** A symlink {@code escape -> target}, then a file written through it. */
    static Path symlinkEscape(Path tar, String target) throws IOException {
        try (TarArchiveOutputStream out = open(tar)) {
            TarArchiveEntry link = new TarArchiveEntry("escape", TarConstants.LF_SYMLINK, true);
            link.setLinkName(target);
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
            file(out, "escape/pwned", "pwned");
        }
        return tar;
    }

    /** A regular file, then a hardlink to a path outside the layer. */
    static Path hardlinkEscape(Path tar, String target) throws IOException {
        try (TarArchiveOutputStream out = open(tar)) {
            file(out, "ok", "ok");
            TarArchiveEntry link = new TarArchiveEntry("link", TarConstants.LF_LINK, true);
            link.setLinkName(target);
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
        }
        return tar;
    }

    /** One regular file {@code name} carrying these xattrs (PAX {@code SCHILY.xattr.*}, ASCII values). */
    static Path withXattrs(Path tar, String name, java.util.Map<String, String> xattrs) throws IOException {
        try (TarArchiveOutputStream out = open(tar)) {
            byte[] b = "x".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(b.length);
            e.setMode(0100644);
            xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
            out.putArchiveEntry(e);
            out.write(b);
            out.closeArchiveEntry();
        }
        return tar;
    }

    /** A directory {@code dev} and a character device {@code dev/null} 1:3 in it. */
    static Path deviceNode(Path tar) throws IOException {
        try (TarArchiveOutputStream out = open(tar)) {
            TarArchiveEntry dir = new TarArchiveEntry("dev/", TarConstants.LF_DIR, true);
            dir.setMode(040755);
            out.putArchiveEntry(dir);
            out.closeArchiveEntry();
            TarArchiveEntry dev = new TarArchiveEntry("dev/null", TarConstants.LF_CHR, true);
            dev.setMode(020666);
            dev.setDevMajor(1);
            dev.setDevMinor(3);
            out.putArchiveEntry(dev);
            out.closeArchiveEntry();
        }
        return tar;
    }

    private static TarArchiveOutputStream open(Path tar) throws IOException {
        OutputStream os = Files.newOutputStream(tar);
        TarArchiveOutputStream out = new TarArchiveOutputStream(os);
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        return out;
    }

    private static void file(TarArchiveOutputStream out, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        e.setMode(0100644);
        out.putArchiveEntry(e);
        out.write(b);
        out.closeArchiveEntry();
    }
}
