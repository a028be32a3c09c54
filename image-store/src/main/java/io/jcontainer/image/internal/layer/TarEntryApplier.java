package io.jcontainer.image.internal.layer;

import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies tar entries, one call per entry, to a layer directory as the OCI image-spec layer section says
 * ("Changesets", "Whiteouts"), writing overlayfs's representation of whiteouts (umoci {@code oci/layer/}).
 *
 * <p>Every path from the archive is an {@code unsafePath} until {@link #resolve} has placed it inside the root:
 * {@code ..} components and absolute paths are refused, and every parent is checked with lstat so that nothing is
 * ever written through a symlink. The root is a fresh directory that only this applier writes, so the checks
 * cannot be raced. Attributes are set without following links and without opening the file (a FIFO would block;
 * a device node must never be opened on the host). Order per file: owner, then mode (chown clears setuid and
 * security.capability), then xattrs (queued, set in {@link #finish}), then directory times last. The system calls
 * the JDK lacks go through {@link NativeFiles}.
 */
public final class TarEntryApplier {
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    /** Written by the store itself for whiteouts; a layer must not set overlayfs's own xattrs. */
    private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
    private static final byte[] OPAQUE_VALUE = {'y'};

    private final Path root;
    private final boolean root0 = isRootUser();
    /** This process's umask, or -1 when unknown: a file created with mode M has M exactly when M & umask is 0. */
    private final int umask = umask();
    private final Set<Path> knownDirs = new HashSet<>();
    private final Map<Path, Map<String, byte[]>> pendingXattrs = new LinkedHashMap<>();
    private final Map<Path, long[]> pendingDirTimes = new HashMap<>();
    private final byte[] buffer = new byte[256 * 1024];

    public TarEntryApplier(Path root) {
        this.root = root.toAbsolutePath().normalize();
        knownDirs.add(this.root);
    }

    /** Applies one entry; {@code content} yields a regular file's bytes. */
    public void apply(TarEntry entry, InputStream content) throws IOException {
        String unsafePath = entry.unsafePath();
        List<String> parts = components(unsafePath);
        String base = parts.isEmpty() ? "" : parts.get(parts.size() - 1);
        if (base.startsWith(WHITEOUT_PREFIX)) {
            applyWhiteout(entry, parts, base);
            return;
        }
        if (parts.isEmpty()) {
            if (entry.type() != TarEntry.Type.DIRECTORY) {
                throw malicious(unsafePath);
            }
            setAttributes(root, entry);
            return;
        }
        Path target = resolve(unsafePath, parts, true);
        switch (entry.type()) {
            case DIRECTORY -> {
                BasicFileAttributes existing = lstat(target);
                if (existing == null || !existing.isDirectory()) {
                    removeExisting(target, existing);
                    Files.createDirectory(target);
                }
                knownDirs.add(target);
                setAttributes(target, entry);
            }
            case FILE -> {
                // O_CREAT|O_EXCL first, with the entry's mode when the umask leaves it whole: it fails on anything
                // already there (a symlink included, never followed), and only then is that looked at and removed.
                // The usual new file so costs openat + write + close + utimensat, no lstat and no chmod.
                boolean exactMode = umask >= 0 && (entry.mode() & ~0777) == 0 && (entry.mode() & umask) == 0;
                java.nio.channels.SeekableByteChannel channel;
                try {
                    channel = create(target, entry.mode(), exactMode);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    removeExisting(target, lstat(target));
                    channel = create(target, entry.mode(), exactMode);
                }
                try (OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                    int n;
                    while ((n = content.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                    }
                }
                setAttributes(target, entry, !exactMode);
            }
            case SYMLINK -> {
                if (entry.unsafeLinkTarget() == null || entry.unsafeLinkTarget().isEmpty()) {
                    // empty: symlink(2) refuses it with ENOENT, which read as a missing parent (found by fuzzing)
                    throw new ImageStoreException("Invalid layer entry '" + unsafePath + "': symlink without a target, refusing.");
                }
                removeExisting(target, lstat(target));
                // The link text is never followed here; inside the container it resolves against the container's root.
                Files.createSymbolicLink(target, Path.of(entry.unsafeLinkTarget()));
                setOwner(target, entry);
                setTimes(target, entry);
            }
            case HARDLINK -> {
                String unsafeTarget = entry.unsafeLinkTarget();
                if (unsafeTarget == null) {
                    throw new ImageStoreException("Invalid layer entry '" + unsafePath + "': hardlink without a target, refusing.");
                }
                List<String> targetParts = components(unsafeTarget);
                if (targetParts.isEmpty()) {
                    throw malicious(unsafeTarget);
                }
                Path linkTarget = resolve(unsafeTarget, targetParts, false);
                BasicFileAttributes t = lstat(linkTarget);
                if (t == null) {
                    throw new ImageStoreException("Invalid layer entry '" + unsafePath + "': hardlink target '" + unsafeTarget
                            + "' is not in this layer, refusing.");
                }
                if (t.isDirectory()) {
                    throw malicious(unsafeTarget);
                }
                if (!linkTarget.equals(target)) {
                    removeExisting(target, lstat(target));
                    Files.createLink(target, linkTarget);
                }
            }
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
                char kind = entry.type() == TarEntry.Type.FIFO ? 'p' : entry.type() == TarEntry.Type.CHAR_DEVICE ? 'c' : 'b';
                if (kind != 'p' && !root0) {
                    throw new ImageStoreException("Layer entry '" + unsafePath + "' is a " + (kind == 'c' ? "character" : "block")
                            + " device (" + entry.devMajor() + ":" + entry.devMinor() + "): only root unpacks device nodes, refusing.");
                }
                removeExisting(target, lstat(target));
                try {
                    NativeFiles.mknod(target, kind, entry.devMajor(), entry.devMinor());
                } catch (IOException e) {
                    throw new ImageStoreException("Failed to create layer entry '" + unsafePath + "' ("
                            + (kind == 'p' ? "FIFO" : kind + " " + entry.devMajor() + ":" + entry.devMinor()) + "): " + e.getMessage(), e);
                }
                setOwner(target, entry);
                // unix:mode with links followed is chmod(2) on the path: no open (target was just made, not a link).
                Files.setAttribute(target, "unix:mode", entry.mode());
                setTimes(target, entry);
                queueXattrs(target, entry.xattrs());
            }
            default -> throw new IllegalStateException(entry.type().toString());
        }
    }

    /** Sets the queued xattrs, then directory times (creating entries inside a directory changes its mtime). */
    public void finish() throws IOException {
        for (Map.Entry<Path, Map<String, byte[]>> e : pendingXattrs.entrySet()) {
            for (Map.Entry<String, byte[]> x : e.getValue().entrySet()) {
                try {
                    NativeFiles.setXattr(e.getKey(), x.getKey(), x.getValue());
                } catch (IOException failure) {
                    throw new ImageStoreException("Failed to set xattr '" + x.getKey() + "' (" + x.getValue().length
                            + " bytes) on layer entry '" + entryName(e.getKey()) + "': " + failure.getMessage(), failure);
                }
            }
        }
        pendingXattrs.clear();
        for (Map.Entry<Path, long[]> e : pendingDirTimes.entrySet()) {
            if (Files.isDirectory(e.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                NativeFiles.setTimes(e.getKey(), e.getValue()[0], (int) e.getValue()[1]);
            }
        }
        pendingDirTimes.clear();
    }

    /** The archive name of a path this applier made ("." for the root). */
    private String entryName(Path p) {
        String rel = root.relativize(p).toString();
        return rel.isEmpty() ? "." : rel;
    }

    private void applyWhiteout(TarEntry entry, List<String> parts, String base) throws IOException {
        String unsafePath = entry.unsafePath();
        List<String> dirParts = parts.subList(0, parts.size() - 1);
        Path dir = dirParts.isEmpty() ? root : resolveDir(unsafePath, dirParts);
        if (base.equals(OPAQUE)) {
            // OCI: an opaque whiteout hides the lower layers' children of this dir; overlayfs: trusted.overlay.opaque=y.
            queueXattr(dir, "trusted.overlay.opaque", OPAQUE_VALUE);
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
            return; // other ".wh..wh." names are aufs bookkeeping (e.g. .wh..wh.plnk): ignored, as Docker does
        }
        String name = base.substring(WHITEOUT_PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw malicious(unsafePath);
        }
        Path target = dir.resolve(name);
        removeExisting(target, lstat(target));
        // overlayfs: a whiteout is a character device 0/0 in the upper (here: a lower) layer. Linux lets any user
        // make one (since 5.8) and the device cgroup always allows it.
        try {
            NativeFiles.mknod(target, 'c', 0, 0);
        } catch (IOException e) {
            throw new ImageStoreException("Failed to create the whiteout of layer entry '" + unsafePath + "': " + e.getMessage(), e);
        }
    }

    /** Splits an archive path into components; refuses absolute paths and any "..". */
    private List<String> components(String unsafePath) throws ImageStoreException {
        if (unsafePath == null || unsafePath.startsWith("/") || unsafePath.indexOf('\0') >= 0) {
            throw malicious(String.valueOf(unsafePath));
        }
        List<String> out = new ArrayList<>();
        for (String part : unsafePath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw malicious(unsafePath);
            }
            out.add(part);
        }
        return out;
    }

    /**
     * Places a path inside the root: every parent must be a real directory (created 0755 when missing, if
     * {@code create}); a symlinked parent or a non-directory parent is refused.
     */
    private Path resolve(String unsafePath, List<String> parts, boolean create) throws IOException {
        Path dir = resolveDirs(unsafePath, parts.subList(0, parts.size() - 1), create);
        return dir.resolve(parts.get(parts.size() - 1));
    }

    private Path resolveDir(String unsafePath, List<String> dirParts) throws IOException {
        return resolveDirs(unsafePath, dirParts, true);
    }

    private Path resolveDirs(String unsafePath, List<String> dirParts, boolean create) throws IOException {
        Path cur = root;
        for (String part : dirParts) {
            cur = cur.resolve(part);
            if (knownDirs.contains(cur)) {
                continue;
            }
            BasicFileAttributes a = lstat(cur);
            if (a == null) {
                if (!create) {
                    throw new ImageStoreException("Invalid layer entry '" + unsafePath + "': it is not in this layer, refusing.");
                }
                Files.createDirectory(cur);
            } else if (a.isSymbolicLink()) {
                throw malicious(unsafePath);
            } else if (!a.isDirectory()) {
                throw new ImageStoreException("Invalid layer entry '" + unsafePath + "': '" + root.relativize(cur)
                        + "' is not a directory, refusing.");
            }
            knownDirs.add(cur);
        }
        return cur;
    }

    private void removeExisting(Path target, BasicFileAttributes existing) throws IOException {
        if (existing == null) {
            return;
        }
        if (existing.isDirectory()) {
            io.jcontainer.image.internal.store.FsUtil.deleteRecursively(target);
            knownDirs.removeIf(p -> p.startsWith(target));
            pendingXattrs.keySet().removeIf(p -> p.startsWith(target));
            pendingDirTimes.keySet().removeIf(p -> p.startsWith(target));
        } else {
            Files.delete(target);
            pendingXattrs.remove(target);
        }
    }

    private static java.nio.channels.SeekableByteChannel create(Path target, int mode, boolean withMode) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (!withMode) {
            return Files.newByteChannel(target, options);
        }
        return Files.newByteChannel(target, options, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString(permissions(mode))));
    }

    private static String permissions(int mode) {
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder(9);
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }

    private void setAttributes(Path target, TarEntry entry) throws IOException {
        setAttributes(target, entry, true);
    }

    private void setAttributes(Path target, TarEntry entry, boolean chmod) throws IOException {
        setOwner(target, entry);
        // chmod(2) on the path: target is a directory or file this applier has just made or lstat'ed as a
        // directory, in a tree only it writes, so there is no link to follow. (The JDK implements "unix:mode"
        // with NOFOLLOW_LINKS as open(O_NOFOLLOW) + fchmod + close: two more syscalls per file.) Not needed for a
        // file created with its mode (no set-id bits, which a chown would clear, and none the umask takes away).
        if (chmod) {
            Files.setAttribute(target, "unix:mode", entry.mode());
        }
        queueXattrs(target, entry.xattrs());
        if (entry.type() == TarEntry.Type.DIRECTORY) {
            pendingDirTimes.put(target, new long[] {entry.mtimeSeconds(), entry.mtimeNanos()});
        } else {
            setTimes(target, entry);
        }
    }

    /** utimensat(AT_SYMLINK_NOFOLLOW): one call, no open (the JDK's NOFOLLOW setTimes opens the file). */
    private static void setTimes(Path target, TarEntry entry) throws IOException {
        NativeFiles.setTimes(target, entry.mtimeSeconds(), entry.mtimeNanos());
    }

    private void setOwner(Path target, TarEntry entry) throws IOException {
        if (entry.uid() > Integer.MAX_VALUE || entry.gid() > Integer.MAX_VALUE) {
            throw new ImageStoreException("Invalid layer entry '" + entry.unsafePath() + "': uid/gid out of range, refusing.");
        }
        if (!root0) {
            return; // unprivileged unpack (tests, rootless): files stay owned by the caller
        }
        if (entry.uid() == 0 && entry.gid() == 0) {
            return; // created by root as 0:0 already; saves two syscalls per file
        }
        NativeFiles.lchown(target, (int) entry.uid(), (int) entry.gid()); // one fchownat, where NIO makes two
    }

    private void queueXattrs(Path target, Map<String, byte[]> xattrs) throws ImageStoreException {
        // Linux lists a file's xattr names in at most XATTR_LIST_MAX bytes (each name and its NUL): a file with
        // more could be written on some file systems (tmpfs takes them) but never listed back, so commit, export
        // and tar could not read it. Refused on every file system alike.
        long listBytes = 0;
        for (String name : xattrs.keySet()) {
            listBytes += name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        }
        if (listBytes > NativeFiles.XATTR_LIST_MAX) {
            throw new ImageStoreException("Layer entry '" + entryName(target) + "' has " + xattrs.size()
                    + " xattrs whose names take " + listBytes + " bytes, more than the " + NativeFiles.XATTR_LIST_MAX
                    + " a file can list, refusing.");
        }
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            String name = x.getKey();
            if (name.startsWith(OVERLAY_XATTR_PREFIX)) {
                continue; // would change how overlayfs reads this layer; only the store writes these
            }
            if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != '=')) {
                throw new ImageStoreException("Invalid xattr name in layer entry '" + target.getFileName() + "', refusing.");
            }
            queueXattr(target, name, x.getValue());
        }
    }

    private void queueXattr(Path target, String name, byte[] value) {
        pendingXattrs.computeIfAbsent(target, k -> new LinkedHashMap<>()).put(name, value);
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static ImageStoreException malicious(String unsafePath) {
        return new ImageStoreException("malicious layer entry '" + unsafePath + "', refusing.");
    }

    private static int umask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring("Umask:".length()).strip(), 8);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static boolean isRootUser() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

}
