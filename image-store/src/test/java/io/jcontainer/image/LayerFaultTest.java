package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layers whose xattrs the file system may refuse (issue 16): a 64 KiB value (Linux's XATTR_SIZE_MAX; ext4 keeps at
 * most a block, XFS and tmpfs take it) and 1,000 xattrs on one file (more than ext4's one block holds; 10,000 names are more than a file can list, refused everywhere). Whatever the
 * file system of the test's directory decides, the unpack is all or nothing: either every value reads back byte for
 * byte (getfattr, a test tool), or the import fails with one line naming the entry and leaves the store as it was,
 * with no partial layer directory.
 */
@Tag("root")
class LayerFaultTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        TestSupport.requireRoot(); // trusted.* and security.* need it; user.* would do, but not on every file system
        TestSupport.requireCommand("getfattr");
    }

    static Stream<Arguments> xattrs() {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            many.put(String.format("trusted.x%05d", i), "v");
        }
        return Stream.of(Arguments.of("a value of 64 KiB", Map.of("trusted.big", "a".repeat(64 * 1024))),
                Arguments.of("1,000 xattrs", many));
    }

    @org.junit.jupiter.api.Test
    void xattrNamesBeyondWhatAFileCanListAreRefusedOnEveryFileSystem() throws Exception {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            many.put(String.format("trusted.x%05d", i), "v"); // 15 bytes a name with its NUL: 150,000 > 65,536
        }
        ImageStore store = new ImageStore(tmp.resolve("store"));
        List<String> before = TestSupport.storeSnapshot(store.root());
        Path tar = HostileTars.withXattrs(tmp.resolve("x.tar"), "etc/big", many);

        ImageStoreException e = org.junit.jupiter.api.Assertions.assertThrows(ImageStoreException.class,
                () -> store.importRootfsTarball(tar, ImageReference.parse("example.org/xattrs:1")));
        assertTrue(e.getMessage().endsWith(": Layer entry 'etc/big' has 10000 xattrs whose names take 150000 bytes, "
                + "more than the 65536 a file can list, refusing."), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(before, TestSupport.storeSnapshot(store.root()), "no layer, blob or ref left");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("xattrs")
    void anXattrTheFileSystemRefusesFailsNamingTheEntryAndLeavesNoLayer(String what, Map<String, String> xattrs)
            throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("store"));
        List<String> before = TestSupport.storeSnapshot(store.root());
        Path tar = HostileTars.withXattrs(tmp.resolve("x.tar"), "etc/big", xattrs);

        Image image;
        try {
            image = store.importRootfsTarball(tar, ImageReference.parse("example.org/xattrs:1"));
        } catch (ImageStoreException e) {
            System.out.println(what + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("layer entry 'etc/big'"), e.getMessage());
            assertEquals(before, TestSupport.storeSnapshot(store.root()), "no layer, blob or ref left");
            try (Stream<Path> s = Files.list(store.root().resolve("tmp"))) {
                assertEquals(0, s.count(), "no staging left");
            }
            return;
        }
        System.out.println(what + ": taken by this file system; checking every value");
        Path file = store.lowerDirs(image).get(0).resolve("etc/big");
        String dump = TestSupport.sh("getfattr", "-h", "-d", "-m", "^trusted\\.", "--absolute-names", file.toString());
        for (Map.Entry<String, String> x : xattrs.entrySet()) {
            assertTrue(dump.contains("\n" + x.getKey() + "=\"" + x.getValue() + "\"\n"), x.getKey());
        }
        assertArrayEquals("x".getBytes(), Files.readAllBytes(file));
    }
}
