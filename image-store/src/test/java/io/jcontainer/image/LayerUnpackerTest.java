package io.jcontainer.image;

import static io.jcontainer.image.TestSupport.script;
import static io.jcontainer.image.TestSupport.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Unpacking single layers made by GNU tar, compared with what GNU tar itself extracts. */
class LayerUnpackerTest {
    @TempDir
    Path tmp;

    private Digest unpack(Path tarFile, MediaType.Compression c, Path into) throws Exception {
        Files.createDirectories(into);
        try (InputStream in = Files.newInputStream(tarFile)) {
            return LayerUnpacker.unpack(in, c, into);
        }
    }

    @Test
    @Tag("root")
    void binaryCapabilityXattrSurvivesByteForByte() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("setcap");
        TestSupport.requireCommand("getfattr");
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("bin"));
        Files.copy(Path.of("/bin/true"), src.resolve("bin/ping"));
        sh("setcap", "cap_net_raw+ep", src.resolve("bin/ping").toString());
        String expected = sh("getfattr", "-n", "security.capability", "-e", "hex", "--absolute-names", src.resolve("bin/ping").toString())
                .lines().filter(l -> l.startsWith("security.capability=")).findFirst().orElseThrow();
        // the capability value has bytes that are not valid UTF-8: the case Commons Compress corrupts
        assertTrue(expected.length() > 30, expected);
        Path layer = tmp.resolve("layer.tar");
        script(src, "tar --xattrs --xattrs-include='*' --format=posix -cf " + layer + " .");
        Path out = tmp.resolve("out");
        unpack(layer, MediaType.Compression.NONE, out);
        String actual = sh("getfattr", "-n", "security.capability", "-e", "hex", "--absolute-names", out.resolve("bin/ping").toString())
                .lines().filter(l -> l.startsWith("security.capability=")).findFirst().orElseThrow();
        assertEquals(expected, actual);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NONE", "GZIP", "ZSTD"})
    @Tag("root")
    void unpacksLikeGnuTarAndReturnsTheDiffId(String compression) throws Exception {
        TestSupport.requireRoot();
        Path src = tmp.resolve("src");
        script(tmp, """
                mkdir -p src/etc src/usr/bin src/dev src/sticky src/empty
                echo hello > src/etc/hello; chmod 0640 src/etc/hello; chown 1000:1001 src/etc/hello
                cp /bin/true src/usr/bin/su; chmod 4755 src/usr/bin/su
                chmod 2755 src/usr/bin; chmod 1777 src/sticky
                ln -s ../etc/hello src/usr/bin/link; ln src/etc/hello src/etc/hardlink
                mknod src/dev/null c 1 3; mknod src/dev/loop0 b 7 0; mkfifo src/dev/fifo; chmod 0600 src/dev/fifo
                chown -h 5:6 src/usr/bin/link
                touch -h -d '2001-02-03 04:05:06.5' src/usr/bin/link src/dev/fifo src/etc/hello src/empty
                """);
        Path layer = tmp.resolve("layer.tar");
        script(src, "tar --numeric-owner --format=posix -cf " + layer + " .");
        Path file = layer;
        MediaType.Compression c = MediaType.Compression.valueOf(compression);
        if (c == MediaType.Compression.GZIP) {
            sh("gzip", "-k", layer.toString());
            file = tmp.resolve("layer.tar.gz");
        } else if (c == MediaType.Compression.ZSTD) {
            sh("zstd", "-q", layer.toString());
            file = tmp.resolve("layer.tar.zst");
        }
        Path ours = tmp.resolve("ours");
        Digest diffId = unpack(file, c, ours);
        assertEquals(Digest.sha256(Files.readAllBytes(layer)), diffId);
        Path theirs = tmp.resolve("theirs");
        Files.createDirectories(theirs);
        sh("tar", "--numeric-owner", "-xpf", layer.toString(), "-C", theirs.toString());
        assertEquals(TestSupport.tree(theirs), TestSupport.tree(ours));
        assertEquals(Files.readAttributes(ours.resolve("etc/hello"), "unix:ino"), Files.readAttributes(ours.resolve("etc/hardlink"), "unix:ino"));
    }

    @Test
    @Tag("root")
    void whiteoutsBecomeOverlayWhiteouts() throws Exception {
        TestSupport.requireRoot();
        script(tmp, """
                mkdir -p src/etc/opaque src/usr
                touch src/etc/.wh.gone src/etc/opaque/.wh..wh..opq src/etc/opaque/kept src/usr/.wh..wh.plnk
                cd src && tar --format=posix -cf ../layer.tar .
                """);
        Path out = tmp.resolve("out");
        unpack(tmp.resolve("layer.tar"), MediaType.Compression.NONE, out);
        String gone = sh("stat", "-c", "%F %t:%T", out.resolve("etc/gone").toString()).strip();
        assertEquals("character special file 0:0", gone);
        assertFalse(Files.exists(out.resolve("etc/.wh.gone"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(out.resolve("etc/opaque/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(out.resolve("usr/.wh..wh.plnk"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(out.resolve("etc/opaque/kept")));
        String opaque = sh("getfattr", "-n", "trusted.overlay.opaque", "--only-values", out.resolve("etc/opaque").toString());
        assertEquals("y", opaque);
    }

    @Test
    void truncatedGzipIsAOneLineError() throws Exception {
        script(tmp, "mkdir src; head -c 200000 /dev/urandom > src/big; tar -czf full.tgz -C src .; head -c 50000 full.tgz > cut.tgz");
        Path out = tmp.resolve("out");
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> unpack(tmp.resolve("cut.tgz"), MediaType.Compression.GZIP, out));
        assertTrue(e.getMessage().startsWith("Truncated or corrupt gzip layer data"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void pathsWithDotDotOrAbsoluteAreRefusedBeforeAnythingIsWritten() throws Exception {
        for (List<String> c : List.of(List.of("x/../../etc", "evil"), List.of("/etc/evil", "abs"))) {
            Path tar = HostileTars.single(tmp.resolve("h-" + c.get(1) + ".tar"), c.get(0), "pwned");
            Path out = tmp.resolve("out-" + c.get(1));
            ImageStoreException e = assertThrows(ImageStoreException.class, () -> unpack(tar, MediaType.Compression.NONE, out));
            assertEquals("malicious layer entry '" + c.get(0) + "', refusing.", e.getMessage());
            try (var s = Files.list(out)) {
                assertEquals(0, s.count());
            }
        }
    }

    @Test
    void writingThroughASymlinkedParentIsRefused() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Path tar = HostileTars.symlinkEscape(tmp.resolve("s.tar"), outside.toString());
        Path out = tmp.resolve("out");
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> unpack(tar, MediaType.Compression.NONE, out));
        assertEquals("malicious layer entry 'escape/pwned', refusing.", e.getMessage());
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void hardlinkToOutsideIsRefused() throws Exception {
        Path tar = HostileTars.hardlinkEscape(tmp.resolve("h.tar"), "../../../etc/shadow");
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> unpack(tar, MediaType.Compression.NONE, tmp.resolve("out")));
        assertEquals("malicious layer entry '../../../etc/shadow', refusing.", e.getMessage());
    }

    @Test
    void readsGnuLongNames() throws Exception {
        String longName = "d/" + "x".repeat(150) + "/" + "y".repeat(120);
        Files.createDirectories(tmp.resolve("src").resolve(longName).getParent());
        Files.writeString(tmp.resolve("src").resolve(longName), "long");
        script(tmp.resolve("src"), "tar --format=gnu -cf ../gnu.tar .");
        Path out = tmp.resolve("out");
        unpack(tmp.resolve("gnu.tar"), MediaType.Compression.NONE, out);
        assertEquals("long", Files.readString(out.resolve(longName)));
    }

}
