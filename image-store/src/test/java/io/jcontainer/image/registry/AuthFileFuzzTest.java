package io.jcontainer.image.registry;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcontainer.image.Fuzzing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes {@code auth.json} ({@link AuthFile}): a lookup either finds credentials that make a valid
 * {@code Authorization} header, finds none, or fails with one line. No credential helper is on the search path,
 * so a helper the file names is reported as missing, never run.
 */
class AuthFileFuzzTest {
    @FuzzTest
    void authFile(byte[] json) throws IOException {
        Path dir = Fuzzing.tempDir("authfuzz");
        try {
            Path file = Files.write(dir.resolve("auth.json"), json);
            Optional<Credentials> c;
            try {
                c = AuthFile.of(file).withHelperPath(List.of(dir)).find("registry.example.org", "team/web");
            } catch (RegistryException e) {
                Fuzzing.oneLine(e);
                return;
            }
            if (c.isPresent()) {
                HttpRequest.newBuilder(URI.create("https://registry.example.org/v2/"))
                        .header("Authorization", c.get().basicHeader()).build();
            }
        } finally {
            Fuzzing.delete(dir);
        }
    }
}
