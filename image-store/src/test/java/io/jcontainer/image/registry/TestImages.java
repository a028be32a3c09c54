package io.jcontainer.image.registry;

import io.jcontainer.image.TestSupport;

import static io.jcontainer.image.registry.RegistryTestSupport.script;

import java.nio.file.Path;

/**
 * OCI layouts built with umoci, as the image package's ImageImportTest builds them: tag {@code t} is a 3-layer
 * busybox-static image whose second layer has a whiteout and an opaque directory; tag {@code arm} is a
 * one-layer linux/arm64 image (for index tests; nothing in it runs).
 */
final class TestImages {
    private TestImages() {
    }

    static Path busyboxLayout(Path dir) throws Exception {
        RegistryTestSupport.requireCommand("umoci");
        RegistryTestSupport.requireCommand("busybox");
        TestSupport.busyboxLayout(dir);
        script(dir, """
                umoci new --image img:arm
                mkdir -p a1 && echo arm64 > a1/arch && tar -C a1 --numeric-owner -cf a1.tar . && umoci raw add-layer --image img:arm a1.tar
                umoci config --image img:arm --architecture arm64 --config.cmd /arch
                """);
        return dir.resolve("img");
    }
}
