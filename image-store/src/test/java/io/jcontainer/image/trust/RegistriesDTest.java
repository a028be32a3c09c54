package io.jcontainer.image.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.image.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** registries.d as containers-registries.d(5) writes it: scopes on whole components, lookaside or sigstore, two dirs. */
class RegistriesDTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheMostSpecificLookaside() throws Exception {
        Path ours = Files.createDirectories(tmp.resolve("ours"));
        Path theirs = Files.createDirectories(tmp.resolve("theirs"));
        Files.writeString(theirs.resolve("default.yaml"), """
                # containers/image's default file
                default-docker:
                #  lookaside: file:///var/lib/containers/sigstore
                  lookaside: file:///theirs/default
                docker:
                  registry.example.com:5000/ns:
                    sigstore: https://sigs.example.com/ns   # the older key
                    sigstore-staging: file:///staging
                  example.com/app:
                    lookaside: "https://sigs.example.com/app"
                  quay.io:
                    use-sigstore-attachments: true
                """);
        Files.writeString(ours.resolve("jc.yaml"), """
                docker:
                  example.com/app:
                    lookaside: file:///ours/app
                """);
        RegistriesD d = RegistriesD.read(List.of(ours, theirs, tmp.resolve("absent")));
        assertEquals("file:///ours/app", d.lookasideFor(ImageReference.parse("example.com/app:1")));
        assertEquals("file:///ours/app", d.lookasideFor(ImageReference.parse("example.com/app/sub:1")));
        assertEquals("file:///theirs/default", d.lookasideFor(ImageReference.parse("example.com/app-evil:1")));
        assertEquals("https://sigs.example.com/ns", d.lookasideFor(ImageReference.parse("registry.example.com:5000/ns/x:1")));
        // a scope without a lookaside has none, as in containers/image: the default does not fill it in
        assertNull(d.lookasideFor(ImageReference.parse("quay.io/x:1")));
        assertEquals("file:///theirs/default", d.lookasideFor(ImageReference.parse("docker.io/library/x:1")));
        assertNull(RegistriesD.read(List.of(ours)).lookasideFor(ImageReference.parse("docker.io/library/x:1")));
    }

    @Test
    void aSignerWritesToTheStagingElseTheLookasideOfTheSameScope() throws Exception {
        Files.writeString(tmp.resolve("default.yaml"), """
                default-docker:
                  lookaside: https://sigs.example.com/all
                  lookaside-staging: file:///staging/all
                docker:
                  registry.example.com:5000/ns:
                    sigstore: https://sigs.example.com/ns
                    sigstore-staging: file:///staging/ns
                  example.com/app:
                    lookaside: file:///sigs/app
                  quay.io:
                    use-sigstore-attachments: true
                """);
        RegistriesD d = RegistriesD.read(List.of(tmp));
        assertEquals("file:///staging/ns", d.stagingFor(ImageReference.parse("registry.example.com:5000/ns/x:1")));
        assertEquals("file:///sigs/app", d.stagingFor(ImageReference.parse("example.com/app/sub:1")));
        assertEquals("file:///staging/all", d.stagingFor(ImageReference.parse("example.com/app-evil:1")));
        assertNull(d.stagingFor(ImageReference.parse("quay.io/x:1")), "a scope without either has none");
        assertEquals("https://sigs.example.com/all", d.lookasideFor(ImageReference.parse("example.com/other:1")));
    }

    @Test
    void refusesWhatItCannotRead() throws Exception {
        Files.writeString(tmp.resolve("a.yaml"), "docker:\n  example.com:\n    lookaside: ftp://x\n");
        TrustException e = assertThrows(TrustException.class, () -> RegistriesD.read(List.of(tmp)));
        assertTrue(e.getMessage().contains("a.yaml") && e.getMessage().contains("ftp://x"), e.getMessage());
        Files.writeString(tmp.resolve("a.yaml"), "docker:\n  example.com:\n    lookaside: file:///a\n");
        Files.writeString(tmp.resolve("b.yaml"), "docker:\n  example.com:\n    lookaside: file:///b\n");
        e = assertThrows(TrustException.class, () -> RegistriesD.read(List.of(tmp)));
        assertTrue(e.getMessage().contains("scope 'example.com' is set in two files"), e.getMessage());
    }
}
