package io.jcontainer.image.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small file-system helpers shared by the store: fsync of directories, recursive removal, error text. */
public final class FsUtil {
    private FsUtil() {
    }

    /** fsyncs a directory so that a rename into it survives a crash (Linux allows opening a directory read-only). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Removes a file or a whole tree without following symlinks; absent is fine. The tree is walked through
     * directory file descriptors ({@link SecureDirectoryStream}: openat, unlinkat, O_NOFOLLOW), so that a user who
     * may write inside it (a member of group jcontainer, in the store's tmp/) cannot swap a directory for a symlink
     * while root removes it and make root remove files elsewhere.
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(path);
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
                if (ds instanceof SecureDirectoryStream<Path> sds) {
                    deleteEntry(sds, path.getFileName());
                    return;
                }
            }
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Removes {@code name} in {@code dir}, a directory's content first; symlinks are removed, never followed. */
    private static void deleteEntry(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isDirectory()) {
            dir.deleteFile(name);
            return;
        }
        // O_NOFOLLOW: if it became a symlink since, this fails rather than descending elsewhere.
        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> names = new ArrayList<>();
            for (Path entry : sub) {
                names.add(entry.getFileName());
            }
            for (Path n : names) {
                deleteEntry(sub, n);
            }
        }
        dir.deleteDirectory(name);
    }

    public static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException ignored) {
            // best effort: gc removes leftovers under tmp/
        }
    }

    /** The effective uid ({@code Uid:} line of /proc/self/status, second field); -1 if unreadable. */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Whether users other than the owner may create, rename or remove entries in {@code dir} (group or other write
     * permission): the store's group-writable directories (polkit/README.md, "Images"). False if unreadable.
     */
    public static boolean writableByOthers(Path dir) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            return p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A one-line reason for an I/O error, e.g. "No space left on device" rather than the exception class. */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return "'" + n.getFile() + "' does not exist";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
