package io.jcontainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Small images written byte by byte in the formats jcontainer imports, without root and without tools:
 * an OCI layout (directory or tar), a {@code docker save} archive and a plain rootfs tarball. Files only,
 * owned by 0:0 with a fixed mtime, so that digests are the same each run.
 */
final class TestImages {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final long MTIME = 1_700_000_000L;

    private TestImages() {
    }

    /** A layer (an uncompressed tar) with these files, path -> content. */
    static byte[] layer(Map<String, String> files) throws IOException {
        Map<String, byte[]> tar = new TreeMap<>();
        files.forEach((k, v) -> tar.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return tar(tar);
    }

    static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                e.setMode(0644);
                e.setModTime(MTIME * 1000);
                e.setIds(0, 0);
                out.putArchiveEntry(e);
                out.write(f.getValue());
                out.closeArchiveEntry();
            }
            out.finish();
        }
        return bytes.toByteArray();
    }

    /** The config for one layer: {@code Cmd} as given, created at a fixed time. */
    static byte[] config(byte[] layer, String cmd) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                + "\"config\":{\"Cmd\":[\"" + cmd + "\"],\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256(layer) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] manifest(byte[] config, byte[] layer) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"sha256:" + sha256(config) + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"" + OCI_LAYER + "\",\"digest\":\"sha256:" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The files of an OCI layout with one image tagged {@code tag}; returns the manifest digest. */
    static Map<String, byte[]> ociLayout(byte[] layer, String cmd, String tag) {
        byte[] config = config(layer, cmd);
        byte[] manifest = manifest(config, layer);
        Map<String, byte[]> files = new TreeMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        files.put("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST
                + "\",\"digest\":\"sha256:" + sha256(manifest) + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}").getBytes(StandardCharsets.UTF_8));
        for (byte[] blob : new byte[][] {layer, config, manifest}) {
            files.put("blobs/sha256/" + sha256(blob), blob);
        }
        return files;
    }

    static String manifestDigest(byte[] layer, String cmd) {
        return "sha256:" + sha256(manifest(config(layer, cmd), layer));
    }

    static Path ociLayoutDirectory(Path dir, byte[] layer, String cmd, String tag) throws IOException {
        for (Map.Entry<String, byte[]> f : ociLayout(layer, cmd, tag).entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        return dir;
    }

    static Path ociLayoutTar(Path file, byte[] layer, String cmd, String tag) throws IOException {
        Files.write(file, tar(ociLayout(layer, cmd, tag)));
        return file;
    }

    /** A {@code docker save} archive: manifest.json naming {@code repoTag}, the config and the layer. */
    static Path dockerArchive(Path file, byte[] layer, String cmd, String repoTag) throws IOException {
        byte[] config = config(layer, cmd);
        String configName = sha256(config) + ".json";
        String layerName = sha256(layer) + "/layer.tar";
        Map<String, byte[]> files = new TreeMap<>();
        files.put(layerName, layer);
        files.put(configName, config);
        files.put("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repoTag
                + "\"],\"Layers\":[\"" + layerName + "\"]}]").getBytes(StandardCharsets.UTF_8));
        Files.write(file, tar(files));
        return file;
    }

    static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
