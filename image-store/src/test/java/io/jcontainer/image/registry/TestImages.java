package io.jcontainer.image.registry;

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
        script(dir, """
                umoci init --layout img && umoci new --image img:t
                mkdir -p l1/bin l1/etc/opaque && cp /bin/busybox l1/bin/busybox && ln -s busybox l1/bin/sh
                echo a > l1/etc/opaque/a; echo g > l1/etc/gone; echo k > l1/etc/kept; chmod 4755 l1/bin/busybox
                tar -C l1 --numeric-owner -cf l1.tar . && umoci raw add-layer --image img:t l1.tar
                mkdir -p l2/etc/opaque && touch l2/etc/.wh.gone l2/etc/opaque/.wh..wh..opq && echo c > l2/etc/opaque/c
                tar -C l2 --numeric-owner -cf l2.tar . && umoci raw add-layer --image img:t l2.tar
                mkdir -p l3/usr/bin && ln -s /bin/busybox l3/usr/bin/env && echo v3 > l3/version
                tar -C l3 --numeric-owner -cf l3.tar . && umoci raw add-layer --image img:t l3.tar
                umoci config --image img:t --config.cmd /bin/sh --config.entrypoint /bin/busybox --config.env A=1 \\
                  --config.workingdir /tmp --config.user 1:2 --config.stopsignal SIGTERM --config.exposedports 80/tcp
                umoci new --image img:arm
                mkdir -p a1 && echo arm64 > a1/arch && tar -C a1 --numeric-owner -cf a1.tar . && umoci raw add-layer --image img:arm a1.tar
                umoci config --image img:arm --architecture arm64 --config.cmd /arch
                """);
        return dir.resolve("img");
    }
}
