package io.jcontainer.jnspawn;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A container root made of an image of the store: its layers as overlayfs lowers (unpacked at
 * first use), the container's own upper dir under {@code containers/NAME/}, and the image
 * config's defaults, which the container file and the command line override.
 *
 * <p>Kept apart from {@link LaunchPlanner} so that the image store (and Jackson) is loaded only
 * for containers that use an image.
 */
final class ImageRoot {
    private final LaunchPlan.Root root;
    private final ImageConfig.Defaults defaults;

    private ImageRoot(LaunchPlan.Root root, ImageConfig.Defaults defaults) {
        this.root = root;
        this.defaults = defaults;
    }

    /** The store this installation uses: {@code $JCONTAINER_ROOT}, else /var/lib/jcontainer. */
    static Path storeRoot() {
        String env = PlanInputs.getenv("JCONTAINER_ROOT");
        return env != null && !env.isEmpty() ? Path.of(env) : ImageStore.DEFAULT_ROOT;
    }

    /** The last path component of the image's repository, for a default machine name. */
    static String defaultMachineName(String imageName) {
        String s = imageName;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            s = s.substring(slash + 1);
        }
        int colon = s.indexOf(':');
        return colon >= 0 ? s.substring(0, colon) : s;
    }

    static ImageRoot resolve(String imageName, String machine, boolean ephemeral, boolean readOnly)
            throws LaunchException {
        try {
            ImageStore store = new ImageStore(storeRoot());
            // Held until the state record names the layers (Launcher), so that gc cannot remove them meanwhile.
            StoreHold.hold(store.lockForStart(lockTimeoutMillis()));
            ImageReference ref = ImageReference.parse(imageName);
            // A plan file's inputs: the ref (a re-tag replaces it) and the store's lock file; blobs are named by
            // their digests, layers below by their chain ids.
            PlanInputs.record(store.refFile(ref), PlanInputs.How.STAT);
            Image image;
            try {
                image = store.inspect(ref);
            } catch (ImageStoreException e) {
                throw new LaunchException("Image '" + imageName + "' is not in the store " + store.root()
                        + " (jcontainer pull or import it first): " + e.getMessage(), e);
            }
            ImageTrust.check(store.root(), image, imageName);
            List<Path> lowers = new ArrayList<>(store.lowerDirs(image)); // top-most first
            for (Path lower : lowers) {
                PlanInputs.record(lower, PlanInputs.How.LSTAT);
            }
            testHookAfterLayers();
            Collections.reverse(lowers);
            LaunchPlan.Root root;
            if (ephemeral) {
                root = new LaunchPlan.Root(lowers, null, null, true, readOnly);
            } else {
                io.jcontainer.image.ContainerDirs dirs = store.containerDirs(machine);
                PlanInputs.record(dirs.upper(), PlanInputs.How.LSTAT);
                root = new LaunchPlan.Root(lowers, dirs.upper(), dirs.work(), false, readOnly);
            }
            return new ImageRoot(root, image.defaults());
        } catch (ImageStoreException e) {
            StoreHold.release();
            throw new LaunchException(e.getMessage(), e);
        }
    }

    /**
     * How long a start waits for a gc that holds the store's lock: {@code jcontainer.store.lock.timeout} seconds,
     * by default 30 (gc holds it while it decides and renames, not while it deletes).
     */
    private static long lockTimeoutMillis() throws LaunchException {
        String s = System.getProperty("jcontainer.store.lock.timeout", "30");
        try {
            long seconds = Long.parseLong(s);
            if (seconds >= 0) {
                return seconds * 1000;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new LaunchException("Invalid system property jcontainer.store.lock.timeout '" + s
                + "': expected seconds (0 or more), refusing.");
    }

    /**
     * Test hook, for tests only: with system property {@code jcontainer.test.hook.afterLayers=PATH}, once the layers
     * are resolved (the store's lock held) this creates {@code PATH.reached} and waits (at most 120 s) until
     * {@code PATH} exists, so that a test can run gc inside the start's window.
     */
    private static void testHookAfterLayers() throws LaunchException {
        String hook = System.getProperty("jcontainer.test.hook.afterLayers");
        if (hook == null || hook.isEmpty()) {
            return;
        }
        Path go = Path.of(hook);
        try {
            java.nio.file.Files.writeString(Path.of(hook + ".reached"), "");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!java.nio.file.Files.exists(go) && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new LaunchException("Test hook '" + hook + "' failed: " + e.getMessage(), e);
        }
    }

    LaunchPlan.Root root() {
        return root;
    }

    List<String> entrypoint() {
        return defaults.entrypoint();
    }

    List<String> cmd() {
        return defaults.cmd();
    }

    List<String> env() {
        return defaults.env();
    }

    String workingDirectory() {
        return defaults.workingDir();
    }

    String user() {
        return defaults.user();
    }

    String stopSignal() {
        return defaults.stopSignal();
    }
}
