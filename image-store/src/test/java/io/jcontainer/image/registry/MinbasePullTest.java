package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real distribution image (issue 3): Debian 12 minbase from mmdebstrap (bench/make-minbase, built once and cached
 * under /var/cache keyed by its inputs), made an OCI image by umoci, pushed by skopeo to docker-registry on
 * loopback, pulled, and unpacked: the layer is the tree {@code umoci unpack} makes of the same image, entry for
 * entry (path, type, mode, owner, size, link target), some 8700 of them with hardlinks, setuid files and
 * dpkg's database. Needs root (mmdebstrap, ownership) and the network for the first, uncached build.
 */
@Tag("root")
class MinbasePullTest {
    @TempDir
    Path tmp;

    @Test
    void aDebianMinbaseImagePullsToTheTreeUmociUnpacks() throws Exception {
        RegistryTestSupport.requireRoot("mmdebstrap, and ownership when unpacking");
        for (String tool : List.of("mmdebstrap", "umoci", "skopeo")) {
            RegistryTestSupport.requireCommand(tool);
        }
        Path repo = Path.of(System.getProperty("user.dir")).getParent();
        String tarball = RegistryTestSupport.sh(tmp, repo.resolve("bench/make-minbase").toString()).strip();
        RegistryTestSupport.script(tmp, "umoci init --layout img && umoci new --image img:t"
                + " && gzip -dc '" + tarball + "' > rootfs.tar && umoci raw add-layer --image img:t rootfs.tar"
                + " && rm rootfs.tar && umoci config --image img:t --config.cmd /bin/bash");
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"))) {
            registry.push(tmp.resolve("img"), "t", "debian/minbase:12", null);
            ImageStore store = new ImageStore(tmp.resolve("store"));
            Image image = ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build()
                    .pull(ImageReference.parse(registry.host() + "/debian/minbase:12"));
            assertEquals(registry.manifestDigest("debian/minbase:12"), image.manifestDigest());
            List<Path> lower = store.lowerDirs(image);
            assertEquals(1, lower.size());
            Path layer = lower.get(0);
            assertTrue(Files.readString(layer.resolve("var/lib/dpkg/status")).contains("\nPackage: bash\n"));
            assertTrue(Files.isExecutable(layer.resolve("usr/bin/apt-get")));

            RegistryTestSupport.sh(tmp, "umoci", "unpack", "--image", "img:t", "bundle");
            List<String> expected = RegistryTestSupport.tree(tmp.resolve("bundle/rootfs"));
            List<String> actual = RegistryTestSupport.tree(layer);
            assertTrue(expected.size() > 5000, "a minbase root has thousands of entries: " + expected.size());
            assertEquals(expected, actual);
        }
    }
}
