package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.Image;
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

/**
 * docker-registry with {@code auth: token} and {@link TestTokenIssuer}: credentials from an auth.json go to the
 * token realm, the token to the registry; anonymous and wrong credentials fail with the call that failed.
 */
class TokenAuthTest {
    @TempDir
    static Path shared;
    static TestTokenIssuer issuer;
    static LocalRegistry registry;
    static ImageReference name;

    @TempDir
    Path tmp;
    ImageStore store;

    @BeforeAll
    static void start() throws Exception {
        Path layout = TestImages.busyboxLayout(shared);
        issuer = new TestTokenIssuer(shared.resolve("issuer"), "alice", "s3cret:with colon");
        registry = LocalRegistry.start(shared.resolve("registry"), issuer);
        registry.push(layout, "t", "team/bb:1", null);
        name = ImageReference.parse(registry.host() + "/team/bb:1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @BeforeEach
    void newStore() throws Exception {
        store = new ImageStore(tmp.resolve("store"));
        issuer.requests.clear();
        issuer.oauthField = false;
    }

    private Path authFile(String key, String user, String password) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return Files.writeString(tmp.resolve("auth.json"), "{\"auths\":{\"" + key + "\":{\"auth\":\"" + auth + "\"}}}");
    }

    @Test
    void pullsWithCredentialsFromAnAuthFile() throws Exception {
        Path file = authFile(registry.host(), issuer.user(), issuer.password());
        Image image = ImagePuller.builder(store).insecure(true).authFile(AuthFile.of(file)).build().pull(name);

        assertEquals(1, issuer.requests.size(), issuer.requests.toString()); // one token serves manifest and blobs
        assertEquals("alice repository:team/bb:pull", issuer.requests.get(0));
        assertEquals(registry.manifestDigest("team/bb:1"), image.manifestDigest());
    }

    @Test
    void pullsWithCredentialsFromACredentialHelper() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-test");
        Files.writeString(helper, "#!/bin/sh\ncat > /dev/null\necho '{\"Username\":\"" + issuer.user() + "\",\"Secret\":\""
                + issuer.password() + "\"}'\n");
        Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = Files.writeString(tmp.resolve("config.json"), "{\"credHelpers\":{\"" + registry.host() + "\":\"test\"}}");

        Image image = ImagePuller.builder(store).insecure(true).authFile(AuthFile.of(file).withHelperPath(java.util.List.of(bin)))
                .build().pull(name);

        assertEquals("alice repository:team/bb:pull", issuer.requests.get(0));
        assertEquals(registry.manifestDigest("team/bb:1"), image.manifestDigest());
    }

    @Test
    void acceptsOAuthStyleAccessToken() throws Exception {
        issuer.oauthField = true;
        Path file = authFile("http://" + registry.host() + "/team", issuer.user(), issuer.password());
        Image image = ImagePuller.builder(store).insecure(true).authFile(AuthFile.of(file)).build().pull(name);
        assertEquals(registry.manifestDigest("team/bb:1"), image.manifestDigest());
    }

    @Test
    void anonymousPullIsUnauthorized() throws Exception {
        RegistryException e = assertThrows(RegistryException.class,
                () -> ImagePuller.builder(store).insecure(true).authFile(AuthFile.none()).build().pull(name));
        assertTrue(e.getMessage().startsWith("Failed to pull manifest for '" + name + "': 401 Unauthorized"), e.getMessage());
        assertEquals(401, e.status());
        assertEquals("- repository:team/bb:pull", issuer.requests.get(0));
    }

    @Test
    void wrongPasswordFailsAtTheTokenFetch() throws Exception {
        Path file = authFile(registry.host(), issuer.user(), "wrong");
        RegistryException e = assertThrows(RegistryException.class,
                () -> ImagePuller.builder(store).insecure(true).authFile(AuthFile.of(file)).build().pull(name));
        assertEquals("Failed to fetch a bearer token from '" + issuer.realm() + "' for scope 'repository:team/bb:pull': "
                + "401 Unauthorized ({\"details\":\"invalid credentials\"})", e.getMessage());
        assertEquals(401, e.status());
    }
}
