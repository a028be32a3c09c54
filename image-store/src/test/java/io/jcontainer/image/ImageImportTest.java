package io.jcontainer.image;

import static io.jcontainer.image.TestSupport.script;
import static io.jcontainer.image.TestSupport.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports of images that umoci and skopeo build here: a 3-layer busybox-static image whose second layer has a
 * whiteout and an opaque directory. The stacked result is compared with {@code umoci unpack} of the same image.
 */
@Tag("root")
class ImageImportTest {
    @TempDir
    Path tmp;
    Path layout;
    ImageStore store;

    @BeforeEach
    void buildImage() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("umoci");
        TestSupport.requireCommand("skopeo");
        TestSupport.requireCommand("busybox");
        TestSupport.busyboxLayout(tmp);
        layout = tmp.resolve("img");
        store = new ImageStore(tmp.resolve("store"));
    }

    private ImageReference ref(String s) throws ImageStoreException {
        return ImageReference.parse(s);
    }

    @Test
    void ociLayoutDirectoryStacksLikeUmociUnpack() throws Exception {
        Image image = store.importOciLayout(layout, ref("example.org/bb:t"));
        assertEquals(3, image.manifest().layers().size());
        ImageConfig.Defaults d = image.defaults();
        assertEquals(List.of("/bin/busybox"), d.entrypoint());
        assertEquals(List.of("/bin/sh"), d.cmd());
        assertTrue(d.env().contains("A=1"), d.env().toString());
        assertEquals("/tmp", d.workingDir());
        assertEquals("1:2", d.user());
        assertEquals("SIGTERM", d.stopSignal());
        assertEquals(List.of("80/tcp"), d.exposedPorts());

        List<Path> lower = store.lowerDirs(image);
        assertEquals(3, lower.size());
        assertEquals(store.layerDir(image.chainIds().get(2)), lower.get(0)); // top-most first
        // per layer: the whiteout and the opaque dir as overlayfs wants them
        Path l2 = lower.get(1);
        assertEquals("character special file 0:0", sh("stat", "-c", "%F %t:%T", l2.resolve("etc/gone").toString()).strip());
        assertEquals("y", sh("getfattr", "-n", "trusted.overlay.opaque", "--only-values", l2.resolve("etc/opaque").toString()));

        // stacked: the same tree as umoci unpack
        sh("umoci", "unpack", "--image", layout + ":t", tmp.resolve("bundle").toString());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        sh("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower.stream().map(Path::toString).collect(Collectors.joining(":")),
                mnt.toString());
        try {
            assertEquals(withoutTimes(TestSupport.tree(tmp.resolve("bundle/rootfs"))), withoutTimes(TestSupport.tree(mnt)));
            assertFalse(Files.exists(mnt.resolve("etc/gone")));
            assertFalse(Files.exists(mnt.resolve("etc/opaque/a")));
        } finally {
            sh("umount", mnt.toString());
        }
    }

    /** Directory mtimes differ by design (umoci sets them from its own walk); everything else must match. */
    private static List<String> withoutTimes(List<String> tree) {
        List<String> out = new ArrayList<>();
        for (String line : tree) {
            String[] f = line.split(" ");
            if (f[1].equals("d")) {
                f[f.length - 1] = "-";
            }
            out.add(String.join(" ", f));
        }
        return out;
    }

    @Test
    void ociArchiveAndDockerArchiveGiveTheSameLayers() throws Exception {
        sh("skopeo", "copy", "-q", "oci:" + layout + ":t", "oci-archive:" + tmp.resolve("oa.tar") + ":t");
        sh("skopeo", "copy", "-q", "oci:" + layout + ":t", "docker-archive:" + tmp.resolve("da.tar") + ":example.org/da:1");
        Image fromLayout = store.importOciLayout(layout, ref("example.org/bb:t"));
        Image fromOciTar = store.importOciLayout(tmp.resolve("oa.tar"), ref("example.org/oa:t"));
        Image fromDocker = store.importDockerArchive(tmp.resolve("da.tar"), null);
        assertEquals("example.org/da:1", fromDocker.reference().toString());
        assertEquals(fromLayout.manifestDigest(), fromOciTar.manifestDigest());
        assertEquals(fromLayout.chainIds(), fromDocker.chainIds());
        assertEquals(List.of("/bin/sh"), fromDocker.defaults().cmd());
        assertEquals(Set.of("example.org/bb:t", "example.org/oa:t", "example.org/da:1"),
                store.list().stream().map(s -> s.reference().toString()).collect(Collectors.toSet()));
    }

    @Test
    void exportWritesAnOciArchiveThatSkopeoReads() throws Exception {
        store.importOciLayout(layout, ref("example.org/bb:t"));
        Path out = tmp.resolve("export.tar");
        store.export(ref("example.org/bb:t"), out);
        sh("skopeo", "copy", "-q", "oci-archive:" + out + ":t", "oci:" + tmp.resolve("back") + ":t");
        ImageStore other = new ImageStore(tmp.resolve("store2"));
        Image again = other.importOciLayout(out, ref("example.org/again:t"));
        assertEquals(store.inspect(ref("example.org/bb:t")).manifestDigest(), again.manifestDigest());
    }

    @Test
    void rootfsTarballAndDirectoryBecomeOneLayerImages() throws Exception {
        script(tmp, "tar -C l1 --numeric-owner -czf rootfs.tgz .");
        Image tarball = store.importRootfsTarball(tmp.resolve("rootfs.tgz"), ref("example.org/rootfs:1"));
        assertEquals(MediaType.OCI_LAYER_GZIP, tarball.manifest().layers().get(0).mediaType());
        Path layer = store.lowerDirs(tarball).get(0);
        // GNU tar's default format keeps whole seconds
        assertEquals(wholeSeconds(TestSupport.tree(tmp.resolve("l1"))), TestSupport.tree(layer));

        Image dir = store.importDirectory(tmp.resolve("l1"), ref("example.org/dir:1"));
        Path dirLayer = store.lowerDirs(dir).get(0);
        assertEquals(wholeSeconds(TestSupport.tree(tmp.resolve("l1"))), wholeSeconds(TestSupport.tree(dirLayer)));
    }

    private static List<String> wholeSeconds(List<String> tree) {
        return tree.stream().map(l -> l.replaceAll("\\.\\d+$", ".0000000000")).toList();
    }

    @Test
    void tagRemoveAndGcKeepWhatIsReferenced() throws Exception {
        Image image = store.importOciLayout(layout, ref("example.org/bb:t"));
        store.tag(ref("example.org/bb:t"), ref("example.org/bb:copy"));
        store.remove(ref("example.org/bb:t"));
        GcResult kept = store.gc(Set.of());
        assertEquals(List.of(), kept.removedBlobs());
        assertTrue(Files.isDirectory(store.layerDir(image.chainIds().get(2))));
        store.remove(ref("example.org/bb:copy"));
        GcResult inUse = store.gc(Set.of(image.manifestDigest()));
        assertEquals(List.of(), inUse.removedBlobs());
        GcResult all = store.gc(Set.of());
        assertEquals(5, all.removedBlobs().size()); // manifest, config, 3 layers
        assertEquals(3, all.removedLayers().size());
        assertEquals(List.of(), TestSupport.storeSnapshot(store.root()).stream()
                .filter(p -> !Set.of("blobs", "blobs/sha256", "layers", "refs").contains(p)).toList());
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> store.inspect(ref("example.org/bb:t")));
        assertEquals("No such image 'example.org/bb:t'.", e.getMessage());
    }

    @Test
    void registerNamesBlobsAClientPut() throws Exception {
        Image image = store.importOciLayout(layout, ref("example.org/bb:t"));
        try (var held = store.lockForWriting()) {
            Image again = store.register(ref("example.org/pulled:1"), image.manifestDigest());
            assertEquals(image.chainIds(), again.chainIds());
        }
        assertEquals(image.manifestDigest(), store.inspect(ref("example.org/pulled:1")).manifestDigest());
    }

    @Test
    void containerDirsAreCreatedAndRemoved() throws Exception {
        ContainerDirs dirs = store.containerDirs("web");
        assertTrue(Files.isDirectory(dirs.upper()) && Files.isDirectory(dirs.work()));
        store.removeContainerDirs("web");
        assertFalse(Files.exists(dirs.upper().getParent()));
        assertThrows(ImageStoreException.class, () -> store.containerDirs("../etc"));
    }
}
