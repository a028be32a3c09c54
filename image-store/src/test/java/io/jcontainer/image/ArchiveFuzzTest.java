package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Fuzzes {@link ImageStore#importDockerArchive}: a {@code docker save} tar whose manifest.json, config and layer
 * the fuzzer writes (the config either fuzzed or made to match the layer, so that imports get as far as
 * unpacking). The import either fails with one line, or the image is in the store and inspects to the same
 * manifest; nothing is written outside the store's directory.
 */
class ArchiveFuzzTest {
    @FuzzTest
    void dockerArchive(FuzzedDataProvider d) throws IOException {
        Path base = Fuzzing.tempDir("archivefuzz");
        try {
            byte[] layer = layer(d);
            String configName = d.pickValue(new String[] {"config.json", "c/../config.json", "/config.json", "link"});
            String layerName = d.pickValue(new String[] {"layer.tar", "l/layer.tar", "../layer.tar", "link"});
            String manifest = d.consumeBoolean()
                    ? "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + d.consumeString(24) + "\"],\"Layers\":[\""
                            + layerName + "\"]}]"
                    : d.consumeString(400);
            byte[] config = d.consumeBoolean()
                    ? ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"" + d.consumeString(8)
                            + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(layer) + "\"]}}")
                            .getBytes(StandardCharsets.UTF_8)
                    : d.consumeBytes(400);
            Path tar = base.resolve("archive.tar");
            try (OutputStream os = Files.newOutputStream(tar); TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                file(out, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
                file(out, "config.json", config);
                file(out, d.consumeBoolean() ? "layer.tar" : "l/layer.tar", layer);
                if (d.consumeBoolean()) {
                    TarArchiveEntry link = new TarArchiveEntry("link", d.consumeBoolean() ? TarConstants.LF_SYMLINK : TarConstants.LF_LINK, true);
                    link.setLinkName(d.pickValue(new String[] {"config.json", "layer.tar", "../archive.tar", "/etc/passwd", "link"}));
                    out.putArchiveEntry(link);
                    out.closeArchiveEntry();
                }
            }
            ImageReference name = d.consumeBoolean() ? null : ImageReference.parse("fuzz/archive:1");
            Path root = base.resolve("store");
            ImageStore store = new ImageStore(root);
            try {
                Image image = store.importDockerArchive(tar, name);
                Image again = store.inspect(image.reference());
                assertEquals(image.manifestDigest(), again.manifestDigest());
                store.lowerDirs(again);
            } catch (ImageStoreException e) {
                Fuzzing.oneLine(e);
            }
            try (Stream<Path> s = Files.list(base)) {
                assertEquals(List.of("archive.tar", "store"), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        } finally {
            Fuzzing.delete(base);
        }
    }

    private static byte[] layer(FuzzedDataProvider d) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            int n = d.consumeInt(0, 3);
            for (int i = 0; i < n; i++) {
                file(out, d.pickValue(new String[] {"etc/hostname", "bin/sh", "../x", "/abs", ".wh.etc", "etc/.wh..wh..opq"}),
                        d.consumeBytes(32));
            }
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream out, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(content.length);
        e.setMode(0100644);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }
}
