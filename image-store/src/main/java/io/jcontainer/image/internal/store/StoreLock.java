package io.jcontainer.image.internal.store;

import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store-wide lock on {@code ROOT/store.lock}: shared for writers that only add (imports, pulls, unpacks,
 * tags), exclusive for gc, which deletes. Adding is safe concurrently because every addition is an atomic,
 * idempotent rename; deleting is not, hence gc waits for every writer and every writer waits for gc.
 *
 * <p>{@link FileLock}s are held per JVM, not per thread (a second {@code lock()} on an overlapping range
 * throws), so inside one JVM a read-write lock orders threads and one shared file lock is held while any
 * thread holds the read side.
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
        threads.readLock().lock();
        try {
            synchronized (this) {
                if (sharedHolders == 0) {
                    sharedLock = channel().lock(0, Long.MAX_VALUE, true);
                }
                sharedHolders++;
            }
        } catch (IOException e) {
            threads.readLock().unlock();
            throw new ImageStoreException("Failed to lock '" + file + "': " + FsUtil.describe(e), e);
        }
        return () -> {
            try {
                synchronized (this) {
                    if (--sharedHolders == 0) {
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

    public Held exclusive() throws ImageStoreException {
        if (threads.getReadHoldCount() > 0) {
            throw new IllegalStateException("exclusive store lock requested while holding the shared one");
        }
        threads.writeLock().lock();
        FileLock lock;
        try {
            lock = channel().lock(0, Long.MAX_VALUE, false);
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

    private synchronized FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            Files.createDirectories(file.getParent());
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (java.nio.file.AccessDeniedException e) {
                // A shared lock needs only read access: a member of group jcontainer whose store.lock is not group
                // writable still locks out gc (which runs as root and opens it for writing).
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
        }
        return channel;
    }
}
