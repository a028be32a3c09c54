package io.jcontainer.image;

import static io.jcontainer.image.TestSupport.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An overlayfs upper dir written as a layer ({@link ImageStore#writeLayer}) and unpacked again gives the same
 * tree: whiteouts, opaque dirs, binary xattrs, hardlinks, symlinks, devices, owners, modes and mtimes.
 */
@Tag("root")
class LayerWriterTest {
    @TempDir
    Path tmp;
    Path upper;
    ImageStore store;

    @BeforeEach
    void anUpperDir() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("setcap");
        TestSupport.requireCommand("getfattr");
        upper = tmp.resolve("upper");
        Files.createDirectories(upper);
        script(upper, String.join("\n",
                "mkdir -p etc opaque/sub bin deep/" + "d".repeat(90) + "/" + "e".repeat(60),
                "echo changed > etc/motd",
                "chmod 0640 etc/motd && chown 12:34 etc/motd",
                "mknod etc/removed c 0 0",
                "setfattr -n trusted.overlay.opaque -v y opaque",
                "echo new > opaque/sub/kept",
                "printf 'x' > bin/ping && setcap cap_net_raw+ep bin/ping",
                "ln bin/ping bin/ping2",
                "ln -s ../etc/motd bin/motd-link",
                "mkfifo bin/fifo",
                "mknod bin/null c 1 3",
                "setfattr -n user.note -v 'a b' etc/motd",
                "printf y > 'etc/sp ace\\back' && setfattr -n user.odd -v 1 'etc/sp ace\\back'",
                "echo long > deep/" + "d".repeat(90) + "/" + "e".repeat(60) + "/f",
                "find . -exec touch -h -d @1700000000 {} +"));
        store = new ImageStore(tmp.resolve("store"));
    }

    private Path roundTrip() throws Exception {
        NewLayer layer = store.writeLayer(upper);
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Digest diffId;
        try (InputStream in = store.blobs().open(layer.blob().digest())) {
            diffId = LayerUnpacker.unpack(in, MediaType.Compression.GZIP, out);
        }
        assertEquals(layer.diffId(), diffId);
        // the unpacker dates the whiteouts it makes (a whiteout's own mtime is not content)
        script(out, "touch -h -d @1700000000 . etc/removed");
        script(upper, "touch -h -d @1700000000 .");
        return out;
    }

    @Test
    void unpackingTheLayerGivesTheUpperDirBack() throws Exception {
        Path out = roundTrip();

        assertEquals(TestSupport.tree(upper), TestSupport.tree(out));
        assertEquals(TestSupport.xattrs(upper), TestSupport.xattrs(out));
    }

    @Test
    void aBinaryCapabilitySurvives() throws Exception {
        Path out = roundTrip();

        assertEquals(script(upper, "getcap bin/ping"), script(out, "getcap bin/ping"));
        assertTrue(script(out, "getcap bin/ping").contains("cap_net_raw"));
    }

    @Test
    void whiteoutsAndOpaqueDirsAreOciEntries() throws Exception {
        NewLayer layer = store.writeLayer(upper);
        String listing = script(tmp, "tar -tzf " + store.blobs().path(layer.blob().digest()));

        List<String> names = listing.lines().toList();
        assertTrue(names.contains("etc/.wh.removed"), listing);
        assertTrue(names.contains("opaque/.wh..wh..opq"), listing);
        assertTrue(names.indexOf("opaque/.wh..wh..opq") < names.indexOf("opaque/sub/"), listing);
        assertTrue(names.stream().noneMatch(n -> n.startsWith("./") || n.equals("etc/removed")), listing);
    }

    @Test
    void anEtcHoldingOnlyJnspawnsMountTargetsIsLeftOut() throws Exception {
        Path run = tmp.resolve("run-upper");
        Path etc = Files.createDirectories(run.resolve("etc"));
        Files.write(etc.resolve("hosts"), new byte[0]);
        Files.write(etc.resolve("resolv.conf"), new byte[0]);
        Files.writeString(Files.createDirectories(run.resolve("srv")).resolve("made.txt"), "made\n");
        NewLayer layer = store.writeLayer(run);
        List<String> names = script(tmp, "tar -tzf " + store.blobs().path(layer.blob().digest())).lines().toList();
        assertEquals(List.of("srv/", "srv/made.txt"), names);
    }

    @Test
    void jnspawnsEmptyMountTargetsAreLeftOut() throws Exception {
        Path etc = Files.createDirectories(upper.resolve("etc"));
        Files.write(etc.resolve("hosts"), new byte[0]);
        Files.writeString(etc.resolve("resolv.conf"), "nameserver 192.0.2.53\n"); // written by the container: kept
        NewLayer layer = store.writeLayer(upper);
        List<String> names = script(tmp, "tar -tzf " + store.blobs().path(layer.blob().digest())).lines().toList();

        assertFalse(names.contains("etc/hosts"), names.toString());
        assertTrue(names.contains("etc/resolv.conf"), names.toString());
    }

    @Test
    void theSameTreeGivesTheSameLayer() throws Exception {
        NewLayer a = store.writeLayer(upper);
        NewLayer b = store.writeLayer(upper);

        assertEquals(a.diffId(), b.diffId());
        assertEquals(a.blob().digest(), b.blob().digest());
    }
}
