package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcontainer import} of layers the unpack cannot write (issue 16): exit 125, one line naming the entry, and no
 * layer directory left. (image-store's LayerFaultTest and FullDiskTest cover the store's side of each.)
 */
@Tag("root")
class LayerFaultCliTest {
    @TempDir
    Path tmp;

    private static List<String> layers(Path store) throws Exception {
        try (Stream<Path> s = Files.list(store.resolve("layers"))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void anXattrTooLargeForTheFileSystemExits125NamingTheEntry() throws Exception {
        RunForegroundTest.requireRoot();
        Path tar = tmp.resolve("x.tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            TarArchiveEntry e = new TarArchiveEntry("etc/big", true);
            e.setSize(1);
            e.setMode(0100644);
            // More than any file system keeps for one value: Linux's XATTR_SIZE_MAX is 64 KiB.
            e.addPaxHeader("SCHILY.xattr.trusted.big", "a".repeat(64 * 1024 + 1));
            out.putArchiveEntry(e);
            out.write("x".getBytes(StandardCharsets.US_ASCII));
            out.closeArchiveEntry();
        }
        Jcontainer jc = new Jcontainer(tmp);

        Jcontainer.Outcome refused = jc.run("import", "--name", "example.org/x:1", tar.toString());

        assertEquals(125, refused.status(), refused.err());
        String line = refused.errLine();
        System.out.println("64 KiB + 1 xattr: " + line);
        assertTrue(line.contains("layer entry 'etc/big'") && line.contains("trusted.big"), line);
        assertEquals(List.of(), layers(tmp.resolve("store")));
    }

    @Test
    void aFullStoreDuringUnpackExits125NamingTheEntry() throws Exception {
        RunForegroundTest.requireRoot();
        Path small = Files.createDirectories(tmp.resolve("small"));
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs/opt"));
        byte[] noise = new byte[5 * 1024 * 1024];
        new Random(125).nextBytes(noise);
        Files.write(rootfs.resolve("noise"), noise);
        Path tar = tmp.resolve("rootfs.tar");
        assertEquals(0, new ProcessBuilder("tar", "-C", tmp.resolve("rootfs").toString(), "-cf", tar.toString(), "opt")
                .inheritIO().start().waitFor());
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString())
                .inheritIO().start().waitFor());
        try {
            Jcontainer jc = new Jcontainer(small);

            Jcontainer.Outcome refused = jc.run("import", "--name", "example.org/full:1", tar.toString());

            assertEquals(125, refused.status(), refused.err());
            String line = refused.errLine();
            System.out.println("8 MB store: " + line);
            assertTrue(line.contains("layer entry 'opt/noise'") && line.contains("No space left on device"), line);
            assertEquals(List.of(), layers(small.resolve("store")), "no partial layer directory");
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor();
        }
    }
}
