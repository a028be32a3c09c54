package io.jcontainer.jnspawn;

/**
 * The image store's shared lock while this jnspawn starts a container from an image: taken before the image's layers
 * are resolved (and missing ones unpacked), released once the state record naming them as lowerdirs is written, or
 * when the start fails. {@code jcontainer gc} reads those records under the exclusive lock, so it cannot remove a
 * layer of a container that is starting. The lock is the JVM's fcntl lock: the exec stage and the payload, separate
 * processes, never hold it, and it goes with this process if it dies.
 *
 * <p>A holder of its own, without image-store types, so that {@link Launcher} loads none of them for a container
 * whose root is a directory.
 */
final class StoreHold {
    private static AutoCloseable held;

    private StoreHold() {
    }

    static synchronized void hold(AutoCloseable lock) {
        release();
        held = lock;
    }

    /** Releases the lock if this jnspawn holds it; a failure to release is reported and ignored (exit releases it). */
    static synchronized void release() {
        AutoCloseable h = held;
        held = null;
        if (h != null) {
            try {
                h.close();
            } catch (Exception e) {
                System.err.println("jnspawn: " + e.getMessage() + "; ignoring");
            }
        }
    }
}
