package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a timed test: prints how long a pull of the test image takes next to {@code skopeo copy docker://... oci:...}
 * of the same image, for bench/ to pick up. Runs only with {@code -Djcontainer.bench=true}.
 */
class PullBenchTest {
    @TempDir
    Path tmp;

    @Test
    void pullVersusSkopeoCopy() throws Exception {
        assumeTrue(Boolean.getBoolean("jcontainer.bench"), "benchmark: run with -Djcontainer.bench=true");
        Path layout = TestImages.busyboxLayout(tmp);
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"))) {
            registry.push(layout, "t", "bb:1", null);
            registry.push(layout, "t", "bb:2", "v2s2");

            long t0 = System.nanoTime();
            ImagePuller.builder(new ImageStore(tmp.resolve("s1"))).insecure(true).authFile(AuthFile.none()).build()
                    .pull(ImageReference.parse(registry.host() + "/bb:1"));
            long cold = System.nanoTime() - t0;
            t0 = System.nanoTime();
            ImagePuller.builder(new ImageStore(tmp.resolve("s2"))).insecure(true).authFile(AuthFile.none()).build()
                    .pull(ImageReference.parse(registry.host() + "/bb:2"));
            long warm = System.nanoTime() - t0;
            t0 = System.nanoTime();
            RegistryTestSupport.sh(null, "skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + registry.host() + "/bb:1",
                    "oci:" + tmp.resolve("skopeo-out") + ":t");
            long skopeo = System.nanoTime() - t0;
            System.out.printf("BENCH pull (first in JVM) %.0f ms, pull (warm JVM) %.0f ms, skopeo copy %.0f ms, ratio cold %.2f warm %.2f%n",
                    cold / 1e6, warm / 1e6, skopeo / 1e6, (double) cold / skopeo, (double) warm / skopeo);
        }
    }
}
