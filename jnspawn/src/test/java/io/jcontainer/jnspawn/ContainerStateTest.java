package io.jcontainer.jnspawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of a running container that jnspawn leaves for {@code jcontainer exec}. */
class ContainerStateTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryFieldIncludingAwkwardEnvironmentValues() throws Exception {
        long self = ProcessHandle.current().pid();
        ContainerState state = new ContainerState("web", self, ContainerState.startTime(self), 0xa80425fbL, true,
                1000, 100, List.of(27, 4), "/srv/www", List.of("A=1", "MULTI=line1\nline2", "BS=a\\nb", "EMPTY="),
                List.of(Path.of("/var/lib/jcontainer/layers/" + "a".repeat(64)), Path.of("/srv/odd\nname")));

        state.write(dir);

        assertEquals(state, ContainerState.read(dir, "web").orElseThrow());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ContainerState.path(dir, "web"))));
        assertEquals(1, Files.list(dir).count(), "no temporary file left");
    }

    @Test
    void aLeaderIsAliveOnlyWhileThatVeryProcessRuns() {
        long self = ProcessHandle.current().pid();
        long start = ContainerState.startTime(self);

        assertTrue(new ContainerState("x", self, start, 0, false, 0, 0, List.of(), "/", List.of()).alive());
        assertFalse(new ContainerState("x", self, start + 1, 0, false, 0, 0, List.of(), "/", List.of()).alive(),
                "same pid, another start time: a reused pid");
        assertEquals(-1, ContainerState.startTime(Integer.MAX_VALUE));
    }

    @Test
    void noFileMeansNotRunningAndABadFileIsRefusedWithItsLine() throws Exception {
        assertTrue(ContainerState.read(dir, "none").isEmpty());

        Files.writeString(dir.resolve("bad.state"), "machine=bad\nleader=12x\n");
        LaunchException e = assertThrows(LaunchException.class, () -> ContainerState.read(dir, "bad"));
        assertEquals(dir.resolve("bad.state") + ":2: invalid leader '12x', refusing.", e.getMessage());
    }

    @Test
    void runningListsOnlyStatesWhoseLeaderLivesAndSkipsUnreadableOnes() throws Exception {
        long self = ProcessHandle.current().pid();
        ContainerState live = new ContainerState("live", self, ContainerState.startTime(self), 0, false, 0, 0, List.of(),
                "/", List.of(), List.of(Path.of("/store/layers/" + "b".repeat(64))));
        live.write(dir);
        new ContainerState("dead", self, 1, 0, false, 0, 0, List.of(), "/", List.of()).write(dir);
        Files.writeString(dir.resolve("bad.state"), "machine=bad\nleader=12x\n");

        assertEquals(List.of(live), ContainerState.running(dir));
        assertEquals(List.of(), ContainerState.running(dir.resolve("absent")));
    }

    @Test
    void removeKeepsTheStateOfARunningLeader() throws Exception {
        long self = ProcessHandle.current().pid();
        new ContainerState("live", self, ContainerState.startTime(self), 0, false, 0, 0, List.of(), "/", List.of())
                .write(dir);
        new ContainerState("dead", self, 1, 0, false, 0, 0, List.of(), "/", List.of()).write(dir);

        ContainerState.remove(dir, "live");
        ContainerState.remove(dir, "dead");

        assertTrue(Files.exists(ContainerState.path(dir, "live")));
        assertFalse(Files.exists(ContainerState.path(dir, "dead")));
    }
}
