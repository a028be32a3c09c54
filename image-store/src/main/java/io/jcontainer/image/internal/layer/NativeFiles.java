package io.jcontainer.image.internal.layer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file system calls the JDK lacks, made through JNA's direct mapping to the C library: {@code mknodat},
 * {@code lsetxattr}/{@code llistxattr}/{@code lgetxattr}, {@code utimensat(AT_SYMLINK_NOFOLLOW)},
 * {@code fchownat(AT_SYMLINK_NOFOLLOW)} and {@code syncfs}.
 *
 * <p>Why: the JDK has no mknod(2); its xattr view ({@code UserDefinedFileAttributeView}) is limited to the
 * {@code user.} namespace while layers need {@code trusted.overlay.opaque} and {@code security.capability}; and
 * setting times or owners through NIO without following links opens the file (a FIFO would block, a device node
 * must never be opened on the host) or costs several calls. Every call here acts on the path itself, never on
 * what a symlink points to.
 *
 * <p>Only unpacking and writing layers reach this class (TarEntryApplier, LayerWriter, the store's layer commit):
 * its static initialiser loads JNA and its native library, which jnspawn's start from unpacked layers and the
 * generator never do (ImageStore refers to it only from the unpack path; NativeFilesLoadTest checks).
 *
 * <p>Failures are {@link IOException}s whose message is the C library's text for errno ("Operation not
 * permitted"); callers name the layer entry.
 */
public final class NativeFiles {
    /** Linux's limit on one xattr value and on the list of one file's names ({@code XATTR_SIZE_MAX}, {@code XATTR_LIST_MAX}). */
    public static final int XATTR_SIZE_MAX = 65536;
    public static final int XATTR_LIST_MAX = 65536;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int ENODATA = 61;
    private static final int ERANGE = 34;
    private static final int ENOTSUP = 95;
    /** The JDK encodes file names to bytes with this charset (sun.nio.fs); so must we. */
    private static final Charset PATH_CHARSET = pathCharset();

    static {
        Native.register(NativeFiles.class, Platform.C_LIBRARY_NAME);
    }

    private NativeFiles() {
    }

    // Direct mapping (JNA "Direct Mapping"): size_t and ssize_t are long on the 64-bit Linux this runs on; paths
    // and names are NUL-terminated byte arrays in the file system's encoding; struct timespec[2] is long[4].
    private static native int mknodat(int dirfd, byte[] path, int mode, long dev) throws LastErrorException;

    private static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws LastErrorException;

    private static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

    private static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;

    private static native long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

    private static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;

    private static native int open(byte[] path, int flags) throws LastErrorException;

    private static native int syncfs(int fd) throws LastErrorException;

    private static native int close(int fd);

    private static native String strerror(int errnum);

    /** A FIFO ({@code kind} 'p'), character ('c') or block ('b') device; permissions 0666 less the umask, as mknod(1) makes them. */
    static void mknod(Path path, char kind, int major, int minor) throws IOException {
        int type = switch (kind) {
            case 'p' -> S_IFIFO;
            case 'c' -> S_IFCHR;
            case 'b' -> S_IFBLK;
            default -> throw new IllegalArgumentException("kind " + kind);
        };
        try {
            mknodat(AT_FDCWD, cpath(path), type | 0666, kind == 'p' ? 0 : makedev(major, minor));
        } catch (LastErrorException e) {
            throw failure(e);
        }
    }

    /** Sets the numeric owner of the path itself (a symlink is not followed). */
    static void lchown(Path path, int uid, int gid) throws IOException {
        try {
            fchownat(AT_FDCWD, cpath(path), uid, gid, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw failure(e);
        }
    }

    /** Sets atime and mtime of the path itself, without opening it and without following a symlink. */
    static void setTimes(Path path, long seconds, int nanos) throws IOException {
        try {
            utimensat(AT_FDCWD, cpath(path), new long[] {seconds, nanos, seconds, nanos}, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw failure(e);
        }
    }

    /** Sets one xattr of the path itself, any namespace. */
    static void setXattr(Path path, String name, byte[] value) throws IOException {
        try {
            lsetxattr(cpath(path), cstring(name), value, value.length, 0);
        } catch (LastErrorException e) {
            throw failure(e);
        }
    }

    /** Every xattr of the path itself, all namespaces, byte for byte, by name; empty where the file system has none. */
    static Map<String, byte[]> xattrs(Path path) throws IOException {
        byte[] p = cpath(path);
        byte[] list = new byte[1024];
        long n;
        while (true) {
            try {
                n = llistxattr(p, list, list.length);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOTSUP) {
                    return Map.of();
                }
                if (e.getErrorCode() != ERANGE || list.length >= XATTR_LIST_MAX) {
                    throw failure(e);
                }
                list = new byte[XATTR_LIST_MAX];
            }
        }
        if (n == 0) {
            return Map.of();
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] value = new byte[4096];
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] != 0) {
                continue;
            }
            byte[] name = new byte[i - start + 1];
            System.arraycopy(list, start, name, 0, i - start);
            start = i + 1;
            while (true) {
                try {
                    long len = lgetxattr(p, name, value, value.length);
                    byte[] v = new byte[(int) len];
                    System.arraycopy(value, 0, v, 0, (int) len);
                    out.put(new String(name, 0, name.length - 1, PATH_CHARSET), v);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENODATA) {
                        break; // removed between list and get
                    }
                    if (e.getErrorCode() != ERANGE || value.length >= XATTR_SIZE_MAX) {
                        throw failure(e);
                    }
                    value = new byte[XATTR_SIZE_MAX];
                }
            }
        }
        return out;
    }

    /** syncfs(2) on the file system that holds {@code path}: one flush for a whole layer instead of one fsync per file. */
    public static void syncFileSystem(Path path) throws IOException {
        int fd;
        try {
            fd = open(cpath(path), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw failure(e);
        }
        try {
            syncfs(fd);
        } catch (LastErrorException e) {
            throw failure(e);
        } finally {
            close(fd);
        }
    }

    /** glibc's {@code makedev}: a dev_t from major and minor. */
    static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    private static IOException failure(LastErrorException e) {
        String text = strerror(e.getErrorCode());
        return new IOException(text == null ? "errno " + e.getErrorCode() : text, e);
    }

    private static byte[] cpath(Path path) {
        return cstring(path.toString());
    }

    private static byte[] cstring(String s) {
        byte[] b = s.getBytes(PATH_CHARSET);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
