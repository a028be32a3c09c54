package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker-registry with {@code auth: htpasswd}: HTTP basic credentials, from an auth file or given directly. */
class BasicAuthTest {
    @TempDir
    static Path shared;
    static LocalRegistry registry;
    static ImageReference name;

    @TempDir
    Path tmp;
    ImageStore store;

    @BeforeAll
    static void start() throws Exception {
        Path layout = TestImages.busyboxLayout(shared);
        registry = LocalRegistry.startWithHtpasswd(shared.resolve("registry"), "bob", "hunter2");
        registry.push(layout, "t", "bb:1", null);
        name = ImageReference.parse(registry.host() + "/bb:1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void newStore() throws Exception {
        store = new ImageStore(tmp.resolve("store"));
    }

    @Test
    void pullsWithCredentialsFromAnAuthFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("config.json"), "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("bob:hunter2".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        ImagePuller puller = ImagePuller.builder(store).insecure(true).authFile(AuthFile.of(file)).build();
        assertEquals(registry.manifestDigest("bb:1"), puller.pull(name).manifestDigest());
    }

    @Test
    void pullsWithCredentialsGivenDirectly() throws Exception {
        ImagePuller puller = ImagePuller.builder(store).insecure(true).authFile(AuthFile.none())
                .credentials(new Credentials("bob", "hunter2")).build();
        assertEquals(registry.manifestDigest("bb:1"), puller.pull(name).manifestDigest());
    }

    @Test
    void missingOrWrongCredentialsAreUnauthorized() throws Exception {
        RegistryException anonymous = assertThrows(RegistryException.class,
                () -> ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build().pull(name));
        RegistryException wrong = assertThrows(RegistryException.class, () -> ImagePuller.builder(store).insecure(true)
                .authFile(AuthFile.none()).credentials(new Credentials("bob", "nope")).build().pull(name));
        for (RegistryException e : new RegistryException[] {anonymous, wrong}) {
            assertEquals("Failed to pull manifest for '" + name + "': 401 Unauthorized (UNAUTHORIZED: authentication required)",
                    e.getMessage());
        }
    }
}
