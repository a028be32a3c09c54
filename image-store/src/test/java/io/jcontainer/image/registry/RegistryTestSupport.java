package io.jcontainer.image.registry;

import io.jcontainer.image.TestSupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Helpers for the registry tests; the general ones are the image package's {@link TestSupport}.
 */
final class RegistryTestSupport {
    private RegistryTestSupport() {
    }

    static void requireRoot(String why) {
        TestSupport.requireRoot();
    }

    static void requireCommand(String command) {
        TestSupport.requireCommand(command);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String sh(Path cwd, String... command) throws IOException, InterruptedException {
        return TestSupport.sh(cwd, command);
    }

    static String script(Path cwd, String script) throws IOException, InterruptedException {
        return TestSupport.script(cwd, script);
    }

    /** A listing of a tree (path, type, mode, owner, size, link target), from GNU find; directory sizes left out. */
    static List<String> tree(Path dir) throws IOException, InterruptedException {
        return TestSupport.tree(dir, false);
    }

    /** Every path under the store's blobs/, layers/ and refs/ (to prove a failure left nothing behind). */
    static List<String> storeSnapshot(Path root) throws IOException {
        return TestSupport.storeSnapshot(root);
    }
}
