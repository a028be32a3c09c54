package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pulled image unpacks to the same layers as the OCI layout it was pushed from, imported directly: same
 * ChainIDs, same trees (whiteouts as 0/0 devices, ownership, modes). Pushed as Docker schema 2, so that the
 * pull goes through a conversion and still agrees. Unpacking needs root.
 */
@Tag("root")
class PullUnpackTest {
    @TempDir
    Path tmp;

    @Test
    void pulledLayersUnpackLikeTheLayoutImport() throws Exception {
        RegistryTestSupport.requireRoot("device nodes, trusted.* xattrs and chown when unpacking");
        RegistryTestSupport.requireCommand("setfattr");
        Path layout = TestImages.busyboxLayout(tmp);
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"))) {
            registry.push(layout, "t", "bb:docker", "v2s2");
            ImageStore pulledStore = new ImageStore(tmp.resolve("pulled"));
            Image pulled = ImagePuller.builder(pulledStore).insecure(true).authFile(AuthFile.none()).build()
                    .pull(ImageReference.parse(registry.host() + "/bb:docker"));
            ImageStore importedStore = new ImageStore(tmp.resolve("imported"));
            Image imported = importedStore.importOciLayout(layout, ImageReference.parse("example.org/bb:t"));

            assertEquals(imported.chainIds(), pulled.chainIds());
            List<Path> a = pulledStore.lowerDirs(pulled);
            List<Path> b = importedStore.lowerDirs(imported);
            assertEquals(3, a.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(RegistryTestSupport.tree(b.get(i)), RegistryTestSupport.tree(a.get(i)), "layer " + i);
            }
        }
    }
}
