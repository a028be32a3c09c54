package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Credentials from docker-style auth files: search path, key forms, scoped keys, and what is refused. */
class AuthFileTest {
    @TempDir
    Path tmp;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Path write(String name, String json) throws Exception {
        return Files.writeString(tmp.resolve(name), json);
    }

    @Test
    void searchPathIsRegistryAuthFileThenXdgRuntimeDirThenDockerConfig() {
        Path home = Path.of("/home/u");
        assertEquals(List.of(Path.of("/a/auth.json"), Path.of("/run/user/1/containers/auth.json"), Path.of("/home/u/.docker/config.json")),
                AuthFile.searchPath(Map.of("REGISTRY_AUTH_FILE", "/a/auth.json", "XDG_RUNTIME_DIR", "/run/user/1"), home));
        assertEquals(List.of(Path.of("/home/u/.docker/config.json")), AuthFile.searchPath(Map.of(), home));
    }

    @ParameterizedTest(name = "key {0} serves {1}/{2}: {3}")
    @CsvSource({
            "localhost:5000,                 localhost:5000, web,         yes",
            "https://localhost:5000,         localhost:5000, web,         yes",
            "http://localhost:5000/,         localhost:5000, web,         yes",
            "localhost:5000,                 localhost:5001, web,         no",
            "https://index.docker.io/v1/,    docker.io,      library/bb,  yes",
            "registry-1.docker.io,           docker.io,      library/bb,  yes",
            "docker.io,                      quay.io,        x/bb,        no",
            "quay.io/team,                   quay.io,        team/bb,     yes",
            "quay.io/team,                   quay.io,        teams/bb,    no",
    })
    void keyForms(String key, String registry, String repository, String found) throws Exception {
        Path f = write("auth.json", "{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64("u:p") + "\"}}}");
        Optional<Credentials> c = AuthFile.of(f).find(registry, repository);
        assertEquals(found.equals("yes") ? Optional.of(new Credentials("u", "p")) : Optional.empty(), c);
    }

    @Test
    void repositoryScopedKeyWinsOverTheRegistry() throws Exception {
        Path f = write("auth.json", "{\"auths\":{\"quay.io\":{\"auth\":\"" + b64("all:1") + "\"},"
                + "\"quay.io/team\":{\"auth\":\"" + b64("team:2") + "\"}}}");
        assertEquals("team", AuthFile.of(f).find("quay.io", "team/bb").orElseThrow().username());
        assertEquals("all", AuthFile.of(f).find("quay.io", "other/bb").orElseThrow().username());
    }

    @Test
    void firstFileWithAnEntryWinsAndMissingFilesAreSkipped() throws Exception {
        Path a = write("a.json", "{\"auths\":{\"other.io\":{\"auth\":\"" + b64("a:1") + "\"}}}");
        Path b = write("b.json", "{\"auths\":{\"quay.io\":{\"username\":\"b\",\"password\":\"2\"}}}");
        AuthFile files = AuthFile.of(tmp.resolve("missing.json"), a, b);
        assertEquals(new Credentials("b", "2"), files.find("quay.io", "x").orElseThrow());
        assertEquals(new Credentials("a", "1"), files.find("other.io", "x").orElseThrow());
    }

    @Test
    void passwordMayContainColons() throws Exception {
        Path f = write("auth.json", "{\"auths\":{\"quay.io\":{\"auth\":\"" + b64("u:p:q") + "\"}}}");
        assertEquals(new Credentials("u", "p:q"), AuthFile.of(f).find("quay.io", "x").orElseThrow());
    }

    @Test
    void brokenFilesAreRefusedWithTheirPath() throws Exception {
        Path bad = write("bad.json", "{\"auths\":");
        RegistryException e = assertThrows(RegistryException.class, () -> AuthFile.of(bad).find("quay.io", "x"));
        assertEquals(true, e.getMessage().startsWith("Invalid JSON in auth file '" + bad + "'"), e.getMessage());
        Path notBase64 = write("nb.json", "{\"auths\":{\"quay.io\":{\"auth\":\"%%%\"}}}");
        RegistryException n = assertThrows(RegistryException.class, () -> AuthFile.of(notBase64).find("quay.io", "x"));
        assertEquals("Failed to read credentials for 'quay.io' from '" + notBase64 + "': Invalid 'auth' value: not base64, refusing.",
                n.getMessage());
    }

    @Test
    void credentialsNeverPrintThePassword() {
        assertEquals("Credentials[u, ***]", new Credentials("u", "secret").toString());
    }
}
