package io.jcontainer.image.internal.layer;

import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.image.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The system calls through JNA, checked against what stat(1) and getfattr(1) (test tools) see. */
@Tag("root")
class NativeFilesTest {
    @TempDir
    Path tmp;

    @Test
    void mknodMakesTheDeviceNumbersStatReports() throws Exception {
        TestSupport.requireRoot();
        Path dev = tmp.resolve("dev");
        NativeFiles.mknod(dev, 'c', 259, 65537);
        NativeFiles.mknod(tmp.resolve("fifo"), 'p', 0, 0);

        assertEquals("character special file 259:65537", TestSupport.sh("stat", "-c", "%F %Hr:%Lr", dev.toString()).strip());
        assertEquals("fifo", TestSupport.sh("stat", "-c", "%F", tmp.resolve("fifo").toString()).strip());
    }

    @Test
    void xattrsOfEveryNamespaceRoundTripOnTheLinkItself() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("getfattr");
        Path file = tmp.resolve("a b\\c");
        Files.writeString(file, "x");
        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, file);
        byte[] cap = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

        NativeFiles.setXattr(file, "security.capability", cap);
        NativeFiles.setXattr(file, "user.empty", new byte[0]);
        NativeFiles.setXattr(link, "trusted.overlay.opaque", new byte[] {'y'});

        Map<String, byte[]> x = NativeFiles.xattrs(file);
        assertArrayEquals(cap, x.get("security.capability"));
        assertArrayEquals(new byte[0], x.get("user.empty"));
        assertFalse(x.containsKey("trusted.overlay.opaque"), "set on the link, not through it");
        assertArrayEquals(new byte[] {'y'}, NativeFiles.xattrs(link).get("trusted.overlay.opaque"));
        assertTrue(TestSupport.sh("getfattr", "-h", "-d", "-m", "-", "-e", "hex", file.toString())
                .contains("security.capability=0x0100000200200000"));
    }

    @Test
    void aValueLargerThanTheFirstBufferIsReadWhole() throws Exception {
        TestSupport.requireRoot();
        Path file = tmp.resolve("f");
        Files.writeString(file, "x");
        byte[] v = new byte[3000]; // ext4 keeps up to a block; more than xattrs()'s first guess of the list, less than 4 KiB
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) i;
        }
        NativeFiles.setXattr(file, "trusted.big", v);

        assertArrayEquals(v, NativeFiles.xattrs(file).get("trusted.big"));
    }

    @Test
    void timesAreSetOnASymlinkWithoutFollowingIt() throws Exception {
        Path file = tmp.resolve("f");
        Files.writeString(file, "x");
        Path link = tmp.resolve("l");
        Files.createSymbolicLink(link, file);
        long before = Files.getLastModifiedTime(file).toMillis();

        NativeFiles.setTimes(link, 1_000_000_000L, 5);

        assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).toMillis());
        assertEquals(before, Files.getLastModifiedTime(file).toMillis());
    }

    @Test
    void errorsCarryTheCLibrarysText() {
        IOException e = assertThrows(IOException.class, () -> NativeFiles.setTimes(tmp.resolve("missing"), 0, 0));
        assertEquals("No such file or directory", e.getMessage());
    }
}
