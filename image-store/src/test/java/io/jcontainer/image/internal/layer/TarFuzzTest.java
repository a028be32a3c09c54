package io.jcontainer.image.internal.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcontainer.image.Fuzzing;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.LayerUnpacker;
import io.jcontainer.image.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fuzzes layer unpacking: raw (gzip or plain) tar bytes through {@link LayerUnpacker#unpack}, and entry sequences
 * made to be hostile ({@code ..}, absolute paths, symlinks and hardlinks out, whiteouts) straight into
 * {@link TarEntryApplier}. The layer directory sits next to a directory of bait files and a symlink to it; after
 * every input, the bait must be exactly as it was (names, sizes, link counts, modes, times): nothing may land
 * outside the root, ever. The only error allowed is a one-line {@link ImageStoreException}.
 */
class TarFuzzTest {
    @FuzzTest
    void unpackRawLayer(byte[] data) throws IOException {
        MediaType.Compression c = data.length > 1 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b
                ? MediaType.Compression.GZIP : MediaType.Compression.NONE;
        withBait((root, bait) -> {
            try {
                LayerUnpacker.unpack(new ByteArrayInputStream(data), c, root);
            } catch (ImageStoreException e) {
                Fuzzing.oneLine(e);
            }
        });
    }

    /** Path pieces the fuzzer combines: the ones that matter for escapes and whiteouts. */
    private static final String[] PIECES = {"a", "b", "..", ".", "", "/", "bait", "out", ".wh.a", ".wh..wh..opq", ".wh.b",
        "/proc/self/root", "a/b", "../bait/x", "/etc"};

    @FuzzTest
    void applyHostileEntries(FuzzedDataProvider d) throws IOException {
        withBait((root, bait) -> {
            TarEntryApplier applier = new TarEntryApplier(root);
            try {
                int n = d.consumeInt(1, 8);
                for (int i = 0; i < n; i++) {
                    TarEntry.Type type = d.pickValue(TarEntry.Type.values());
                    String path = path(d);
                    String link = type == TarEntry.Type.SYMLINK || type == TarEntry.Type.HARDLINK
                            ? (d.consumeBoolean() ? path(d) : "../" + d.pickValue(new String[] {"bait", "out", "bait/file", "../.."}))
                            : null;
                    byte[] content = type == TarEntry.Type.FILE ? d.consumeBytes(64) : new byte[0];
                    int mode = d.consumeBoolean() ? 0755 : d.consumeInt(0, 07777);
                    TarEntry e = new TarEntry(type, path, link, mode, 0, 0, content.length, 1_000_000L, 0, 1, 3, Map.of());
                    applier.apply(e, new ByteArrayInputStream(content));
                }
                applier.finish();
            } catch (ImageStoreException e) {
                Fuzzing.oneLine(e);
            }
        });
    }

    private static String path(FuzzedDataProvider d) {
        StringBuilder p = new StringBuilder();
        int n = d.consumeInt(1, 4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                p.append('/');
            }
            p.append(d.pickValue(PIECES));
        }
        return p.toString();
    }

    interface Body {
        void run(Path root, Path bait) throws IOException;
    }

    /**
     * {@code base/layer} is the root; {@code base/bait/} holds a file and a directory, {@code base/out} is a symlink
     * to the bait, {@code base/layer/..} is base. All of base but the layer must be unchanged afterwards.
     */
    private static void withBait(Body body) throws IOException {
        Path base = Fuzzing.tempDir("tarfuzz");
        try {
            Path bait = Files.createDirectory(base.resolve("bait"));
            Files.writeString(bait.resolve("file"), "bait", StandardCharsets.UTF_8);
            Files.createDirectory(bait.resolve("dir"));
            Files.createSymbolicLink(base.resolve("out"), bait);
            Path root = Files.createDirectory(base.resolve("layer"));
            Map<String, String> before = snapshot(base, root);
            body.run(root, bait);
            assertEquals(before, snapshot(base, root), "something changed outside the layer directory");
            assertTrue(Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS), "the layer directory is no longer a directory");
        } finally {
            Fuzzing.delete(base);
        }
    }

    private static Map<String, String> snapshot(Path base, Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(root)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                String what = a.size() + " " + nlink + " " + Integer.toOctalString((Integer) mode) + " " + uid + " "
                        + a.lastModifiedTime() + (a.isSymbolicLink() ? " -> " + Files.readSymbolicLink(p) : "");
                out.put(base.relativize(p).toString(), what);
            }
        }
        return out;
    }
}
