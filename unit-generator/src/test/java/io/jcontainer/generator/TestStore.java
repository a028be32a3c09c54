package io.jcontainer.generator;

import io.jcontainer.image.ImageReference;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Writes images into an image store directory as {@link io.jcontainer.image.ImageStore} lays them
 * out ({@code blobs/sha256/HEX}, {@code refs/URL-ENCODED-REF}), without layers: what the generator
 * reads. Byte for byte as given, so that a test can store a corrupt config; tests that store a
 * good one check with {@code ImageStore.inspect} that image-store reads the same image.
 */
final class TestStore {

    private TestStore() {
    }

    /** A config blob with {@code configObject} (JSON text) as its {@code config}, and no layers. */
    static String config(String configObject) {
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":" + configObject
                + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    }

    /** Stores {@code configBlob} and a manifest naming it, and the ref {@code name}; the manifest digest. */
    static String addImage(Path root, String name, String configBlob) throws Exception {
        String configDigest = putBlob(root, configBlob.getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + configBlob.getBytes(StandardCharsets.UTF_8).length + "},\"layers\":[]}";
        String manifestDigest = putBlob(root, manifest.getBytes(StandardCharsets.UTF_8));
        putRef(root, name, manifestDigest);
        return manifestDigest;
    }

    static void putRef(Path root, String name, String text) throws Exception {
        String file = URLEncoder.encode(ImageReference.parse(name).toString(), StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve("refs"));
        Files.writeString(root.resolve("refs").resolve(file), text + "\n");
    }

    /** Writes a blob under its sha256 name; its digest. */
    static String putBlob(Path root, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Path dir = Files.createDirectories(root.resolve("blobs/sha256"));
        Files.write(dir.resolve(hex), content);
        return "sha256:" + hex;
    }
}
