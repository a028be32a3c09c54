package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jnspawn -M NAME} runs what {@code NAME.container} describes; /run wins over /etc. */
@Tag("root")
class ContainerFileRunTest {
    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
    }

    @Test
    void runsTheContainerFilesPayloadWithItsSettings() throws Exception {
        Path etc = tmp.resolve("etc");
        Path run = tmp.resolve("run");
        Files.createDirectories(etc);
        Files.createDirectories(run);
        Path shared = tmp.resolve("web");
        Files.createDirectories(shared);
        Files.writeString(shared.resolve("index.html"), "hi");
        Files.writeString(etc.resolve("web.container"), String.join("\n",
                "# the admin's container",
                "[Container]",
                "Directory=" + root,
                "Exec=/bin/sh -c 'echo \"$MODE\"; hostname; id -u; cat /var/www/index.html; echo; touch /x || echo ro'",
                "Environment=MODE=prod",
                "Hostname=web",
                "BindReadOnly=" + shared + ":/var/www",
                "Network=none",
                "User=1000:1000",
                "ReadOnly=yes",
                "Ephemeral=no",
                "Boot=no",
                "[Service]",
                "MemoryMax=512M",
                "[Install]",
                "WantedBy=machines.target",
                ""));
        Result r = jnspawnWithSearchPath(etc, "-q", "-M", "web");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of("prod", "web", "1000", "hi", "ro"), r.lines());

        // A transient file of the same name in /run wins.
        Files.writeString(run.resolve("web.container"), "[Container]\nDirectory=" + root + "\nExec=echo from-run\n");
        Result fromRun = jnspawnWithSearchPath(run, "-q", "-M", "web");
        assertEquals("from-run\n", fromRun.stdout(), fromRun.stderr());
        List<String> cmd = jnspawnCommand(List.of("-q", "-M", "web"));
        cmd.add(1, "-Djcontainer.search.path=" + run + ":" + etc);
        assertEquals("from-run\n", exec(cmd, 60).stdout());
    }
}
