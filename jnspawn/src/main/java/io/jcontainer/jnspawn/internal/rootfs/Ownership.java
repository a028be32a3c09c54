package io.jcontainer.jnspawn.internal.rootfs;

import io.jcontainer.jnspawn.LaunchException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Shifts the ownership of a root tree into a user namespace's host id range.
 *
 * <p>systemd-nspawn's {@code --private-users-ownership=chown}: a file owned by uid N (below the
 * range) becomes owned by base+N, so that the container's root owns what the image's root owned.
 * The tree's top directory records the shift: when it is already owned by {@code base}, nothing is
 * done. Files already inside the range are left alone, so an interrupted shift can be redone.
 */
public final class Ownership {
    private Ownership() {
    }

    public static boolean isShifted(Path dir, int base) throws LaunchException {
        try {
            return ((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == base;
        } catch (IOException e) {
            throw new LaunchException("Failed to read the owner of '" + dir + "': " + e.getMessage(), e);
        }
    }

    /** Shifts {@code dir}'s tree into [base, base+range); the top directory is done last. */
    public static void shift(Path dir, int base, int range) throws LaunchException {
        if (isShifted(dir, base)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    shiftOne(file, base, range);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    shiftOne(d, base, range);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new LaunchException("Failed to shift the ownership of '" + dir + "' to " + base + ": " + e.getMessage(), e);
        }
    }

    private static void shiftOne(Path p, int base, int range) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        // chown clears setuid/setgid bits; keep the mode as it was.
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        boolean changed = false;
        if (Integer.compareUnsigned(uid, range) < 0) {
            Files.setAttribute(p, "unix:uid", base + uid, LinkOption.NOFOLLOW_LINKS);
            changed = true;
        }
        if (Integer.compareUnsigned(gid, range) < 0) {
            Files.setAttribute(p, "unix:gid", base + gid, LinkOption.NOFOLLOW_LINKS);
            changed = true;
        }
        if (changed && !Files.isSymbolicLink(p) && (mode & 06000) != 0) {
            Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
