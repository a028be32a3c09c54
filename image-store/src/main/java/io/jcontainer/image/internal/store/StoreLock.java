package io.jcontainer.image.internal.store;

import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store-wide lock on {@code ROOT/store.lock}: shared for writers that only add (imports, pulls, unpacks,
 * tags), exclusive for gc, which deletes. Adding is safe concurrently because every addition is an atomic,
 * idempotent rename; deleting is not, hence gc waits for every writer and every writer waits for gc.
 *
 * <p>{@link FileLock}s are held per JVM, not per thread (a second {@code lock()} on an overlapping range
 * throws), so inside one JVM a read-write lock orders threads and one shared file lock is held while any
 * thread holds the read side.
 *
 * <p>Only the lock file's owner (root on a packaged host) may open it for writing: an fcntl write lock needs a
 * writable descriptor, so a member of group {@code jcontainer} can take it shared only (a read lock never blocks
 * another read lock, so members cannot hold up a start; at worst they delay a gc). A group- or world-writable lock
 * file (the packages before issue 18 installed it 0664, which let any member hold it exclusively and block every
 * start for 30 s) is made {@code 0644} when its owner opens it, and a lock file this code creates is {@code 0644}.
 */
public final class StoreLock {
    private static final ConcurrentHashMap<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantReadWriteLock threads = new ReentrantReadWriteLock();
    private FileChannel channel;
    private FileLock sharedLock;
    private int sharedHolders;

    private StoreLock(Path file) {
        this.file = file;
    }

    public static StoreLock forFile(Path file) {
        return LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), StoreLock::new);
    }

    /** A held lock; close to release. */
    public interface Held extends AutoCloseable {
        @Override
        void close() throws ImageStoreException;
    }

    public Held shared() throws ImageStoreException {
        return shared(-1);
    }

    /**
     * The shared lock, waiting at most {@code timeoutMillis} for an exclusive holder (gc) to release it (negative: no
     * bound). A store on a read-only file system without a lock file needs no lock: nothing can delete from it.
     */
    public Held shared(long timeoutMillis) throws ImageStoreException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            if (timeoutMillis < 0) {
                threads.readLock().lock();
            } else if (!threads.readLock().tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw timedOut(timeoutMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageStoreException("Interrupted while waiting for the lock '" + file + "'", e);
        }
        try {
            synchronized (this) {
                if (sharedHolders == 0) {
                    FileChannel ch = channel();
                    if (ch == null) {
                        sharedLock = null;
                    } else if (timeoutMillis < 0) {
                        sharedLock = ch.lock(0, Long.MAX_VALUE, true);
                    } else {
                        while ((sharedLock = ch.tryLock(0, Long.MAX_VALUE, true)) == null) {
                            if (System.nanoTime() - deadline > 0) {
                                throw timedOut(timeoutMillis);
                            }
                            Thread.sleep(20);
                        }
                    }
                }
                sharedHolders++;
            }
        } catch (ImageStoreException | RuntimeException e) {
            threads.readLock().unlock();
            throw e;
        } catch (IOException e) {
            threads.readLock().unlock();
            throw new ImageStoreException("Failed to lock '" + file + "': " + FsUtil.describe(e), e);
        } catch (InterruptedException e) {
            threads.readLock().unlock();
            Thread.currentThread().interrupt();
            throw new ImageStoreException("Interrupted while waiting for the lock '" + file + "'", e);
        }
        return () -> {
            try {
                synchronized (this) {
                    if (--sharedHolders == 0 && sharedLock != null) {
                        sharedLock.release();
                        sharedLock = null;
                    }
                }
            } catch (IOException e) {
                throw new ImageStoreException("Failed to unlock '" + file + "': " + FsUtil.describe(e), e);
            } finally {
                threads.readLock().unlock();
            }
        };
    }

    private ImageStoreException timedOut(long timeoutMillis) {
        return new ImageStoreException("Timed out after " + (timeoutMillis + 999) / 1000 + " s waiting for '" + file
                + "': jcontainer gc holds it exclusively (or another process does), refusing.");
    }

    public Held exclusive() throws ImageStoreException {
        if (threads.getReadHoldCount() > 0) {
            throw new IllegalStateException("exclusive store lock requested while holding the shared one");
        }
        threads.writeLock().lock();
        FileLock lock;
        try {
            FileChannel ch = channel();
            if (ch == null) {
                throw new java.nio.file.FileSystemException(file.toString(), null, "Read-only file system");
            }
            lock = ch.lock(0, Long.MAX_VALUE, false);
        } catch (java.nio.channels.NonWritableChannelException e) {
            threads.writeLock().unlock();
            throw new ImageStoreException("Failed to lock '" + file + "' exclusively: it is not writable by this user"
                    + " (gc is root's), refusing.");
        } catch (IOException e) {
            threads.writeLock().unlock();
            throw new ImageStoreException("Failed to lock '" + file + "': " + FsUtil.describe(e), e);
        }
        return () -> {
            try {
                lock.release();
            } catch (IOException e) {
                throw new ImageStoreException("Failed to unlock '" + file + "': " + FsUtil.describe(e), e);
            } finally {
                threads.writeLock().unlock();
            }
        };
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_WRITES =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

    /** Takes group and other write permission off the lock file (this user owns it or could not have opened it so). */
    private void onlyOwnerWrites() throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
            java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class);
            String me = System.getProperty("user.name");
            if (a.owner().getName().equals(me) || "root".equals(me)) {
                p.remove(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
                p.remove(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
                Files.setPosixFilePermissions(file, p);
            }
        }
    }

    /** The lock file, opened for writing if this user may, else for reading; null on a read-only store without one. */
    private synchronized FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            try {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_WRITES));
                onlyOwnerWrites();
            } catch (java.nio.file.AccessDeniedException e) {
                // A shared lock needs only read access: a member of group jcontainer whose store.lock is not group
                // writable still locks out gc (which runs as root and opens it for writing).
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (java.nio.file.FileSystemException e) {
                if (!"Read-only file system".equals(e.getReason())) {
                    throw e;
                }
                try {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                } catch (java.nio.file.NoSuchFileException absent) {
                    return null; // nothing can delete from a read-only store, so there is nothing to lock out
                }
            }
        }
        return channel;
    }
}
