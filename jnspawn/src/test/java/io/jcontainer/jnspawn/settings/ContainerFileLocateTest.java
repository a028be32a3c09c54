package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerFileLocateTest {

    @TempDir
    Path root;
    private Path run;
    private Path etc;

    @BeforeEach
    void dirs() throws Exception {
        run = Files.createDirectories(root.resolve("run/jcontainer"));
        etc = Files.createDirectories(root.resolve("etc/jcontainer"));
    }

    @Test
    void runWinsOverEtc() throws Exception {
        Files.writeString(etc.resolve("web.container"), "[Container]\nImage=configured\n");
        Files.writeString(run.resolve("web.container"), "[Container]\nImage=transient\n");
        Path found = ContainerFile.locate("web", List.of(run, etc));
        assertEquals(run.resolve("web.container"), found);
        assertEquals("transient", ContainerFile.parse(found).image());
    }

    @Test
    void fallsBackToEtc() throws Exception {
        Files.writeString(etc.resolve("web.container"), "[Container]\n");
        Files.writeString(run.resolve("other.container"), "[Container]\n");
        assertEquals(etc.resolve("web.container"), ContainerFile.locate("web", List.of(run, etc)));
    }

    @Test
    void namesEveryDirectoryWhenNoneHasTheFile() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> ContainerFile.locate("web", List.of(run, etc)));
        assertEquals("No container file for 'web' in " + run + ", " + etc, e.getMessage());
    }

    @Test
    void refusesNamesThatWouldLeaveTheDirectories() throws Exception {
        Files.writeString(root.resolve("run/evil.container"), "[Container]\n");
        SettingsException e = assertThrows(SettingsException.class,
                () -> ContainerFile.locate("../evil", List.of(run, etc)));
        assertEquals("Invalid machine name '../evil': contains invalid character '/'", e.getMessage());
    }
}
