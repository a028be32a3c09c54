package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker credential helpers named by an auth file ({@code credHelpers}, {@code credsStore}), run for real: small
 * shell programs {@code docker-credential-NAME} that answer as the protocol says, record what they were asked,
 * have nothing, or fail.
 */
class CredentialHelperTest {
    @TempDir
    Path tmp;

    private Path bin() throws Exception {
        return Files.createDirectories(tmp.resolve("bin"));
    }

    /** A helper whose {@code get} records its stdin in {@code asked-NAME} and runs {@code body}. */
    private void helper(String name, String body) throws Exception {
        Path p = bin().resolve("docker-credential-" + name);
        Files.writeString(p, "#!/bin/sh\n[ \"$1\" = get ] || exit 9\ncat > '" + tmp.resolve("asked-" + name) + "'\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private AuthFile auth(String json) throws Exception {
        return AuthFile.of(Files.writeString(tmp.resolve("config.json"), json)).withHelperPath(List.of(bin()));
    }

    private String asked(String name) throws Exception {
        return Files.readString(tmp.resolve("asked-" + name));
    }

    @Test
    void credHelpersAsksTheRegistrysHelperWithTheHostOnStdin() throws Exception {
        helper("pass", "echo '{\"ServerURL\":\"localhost:5000\",\"Username\":\"carol\",\"Secret\":\"pa ss\"}'");
        AuthFile a = auth("{\"credHelpers\":{\"localhost:5000\":\"pass\"},\"auths\":{\"localhost:5000\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("other:x".getBytes(StandardCharsets.UTF_8)) + "\"}}}");

        assertEquals(Optional.of(new Credentials("carol", "pa ss")), a.find("localhost:5000", "team/web"));
        assertEquals("localhost:5000", asked("pass"));
        assertEquals(Optional.empty(), a.find("localhost:5001", "team/web"), "another registry has no helper and no entry");
    }

    @Test
    void credsStoreServesRegistriesWithoutAnEntryAndDockerHubByItsV1Url() throws Exception {
        helper("store", "echo '{\"Username\":\"dave\",\"Secret\":\"s\"}'");
        String auth = Base64.getEncoder().encodeToString("erin:e".getBytes(StandardCharsets.UTF_8));
        AuthFile a = auth("{\"credsStore\":\"store\",\"auths\":{\"quay.io\":{\"auth\":\"" + auth + "\"}}}");

        assertEquals(Optional.of(new Credentials("erin", "e")), a.find("quay.io", "x/y"), "an entry with credentials wins");
        assertEquals(Optional.of(new Credentials("dave", "s")), a.find("docker.io", "library/busybox"));
        assertEquals("https://index.docker.io/v1/", asked("store"));
    }

    @Test
    void aHelperWithoutCredentialsMeansNone() throws Exception {
        helper("empty", "echo 'credentials not found in native keychain'; exit 1");

        assertEquals(Optional.empty(), auth("{\"credsStore\":\"empty\"}").find("localhost:5000", "web"));
    }

    @Test
    void aFailingHelperIsOneLineNamingItAndTheFile() throws Exception {
        helper("broken", "echo 'the keyring is locked' >&2; exit 3");
        AuthFile a = auth("{\"credHelpers\":{\"localhost:5000\":\"broken\"}}");

        RegistryException e = assertThrows(RegistryException.class, () -> a.find("localhost:5000", "web"));
        assertEquals("Failed to get credentials for 'localhost:5000' from 'docker-credential-broken' (named in '"
                + tmp.resolve("config.json") + "'): exit status 3 (the keyring is locked).", e.getMessage());
    }

    @Test
    void aMissingHelperOrABadAnswerIsRefused() throws Exception {
        RegistryException missing = assertThrows(RegistryException.class,
                () -> auth("{\"credsStore\":\"nowhere\"}").find("localhost:5000", "web"));
        assertTrue(missing.getMessage().endsWith("'docker-credential-nowhere' is not installed (not in PATH)."), missing.getMessage());

        helper("garbled", "echo 'not json'");
        RegistryException garbled = assertThrows(RegistryException.class,
                () -> auth("{\"credsStore\":\"garbled\"}").find("localhost:5000", "web"));
        assertTrue(garbled.getMessage().startsWith("Failed to get credentials for 'localhost:5000' from 'docker-credential-garbled'"),
                garbled.getMessage());
        assertEquals(1, garbled.getMessage().lines().count());

        helper("token", "echo '{\"Username\":\"<token>\",\"Secret\":\"t\"}'");
        RegistryException token = assertThrows(RegistryException.class,
                () -> auth("{\"credsStore\":\"token\"}").find("localhost:5000", "web"));
        assertTrue(token.getMessage().contains("identity token"), token.getMessage());
    }
}
