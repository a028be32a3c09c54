package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JNA (the store's NativeFiles) is loaded only where a layer is unpacked: a start from an image whose layers are
 * unpacked loads none of it, a start that must unpack a missing layer does. The JVM's class+load log tells.
 */
@Tag("root")
class NativeFilesLoadTest {
    @TempDir
    Path tmp;
    Path store;
    Image image;

    @BeforeEach
    void imageInAStore() throws Exception {
        requireRoot();
        Path rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.writeString(rootfs.resolve("bin/true"), "not run: --dry-run\n");
        store = tmp.resolve("store");
        image = new ImageStore(store).importDirectory(rootfs, ImageReference.parse("jna-load:1"));
    }

    private Result dryRunLoggingClasses() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "JCONTAINER_ROOT=" + store));
        List<String> jnspawn = jnspawnCommand(List.of("--dry-run", "--image=jna-load:1", "-M", "jna-load", "/bin/true"));
        jnspawn.add(1, "-Xlog:class+load=info:stdout");
        cmd.addAll(jnspawn);
        Result r = exec(cmd, 120);
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("io.jcontainer.image.ImageStore "), "the start resolved the image through the store");
        return r;
    }

    @Test
    void aStartFromUnpackedLayersLoadsNoJna() throws Exception {
        Result r = dryRunLoggingClasses();

        assertFalse(r.stdout().contains("com.sun.jna."), "JNA loaded: "
                + r.lines().stream().filter(l -> l.contains("com.sun.jna.")).findFirst().orElse(""));
        assertFalse(r.stdout().contains("NativeFiles"));
    }

    @Test
    void aStartThatUnpacksAMissingLayerLoadsIt() throws Exception {
        for (Path layer : new ImageStore(store).lowerDirs(image)) {
            try (Stream<Path> s = Files.walk(layer)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }

        Result r = dryRunLoggingClasses();

        assertTrue(r.stdout().contains("io.jcontainer.image.internal.layer.NativeFiles "), "the unpack used NativeFiles");
        assertTrue(r.stdout().contains("com.sun.jna.Native "), "and so loaded JNA");
    }
}
