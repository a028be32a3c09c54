package io.jcontainer.image.internal.json;

import io.jcontainer.image.Descriptor;
import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageIndex;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Manifest;
import io.jcontainer.image.MediaType;
import io.jcontainer.image.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Maps the wire classes to the public records and back: the one place that knows both. */
public final class Wire {
    private Wire() {
    }

    /** What a manifest-or-index blob turned out to be. */
    public sealed interface Parsed permits ParsedManifest, ParsedIndex {
    }

    public record ParsedManifest(Manifest manifest) implements Parsed {
    }

    public record ParsedIndex(ImageIndex index) implements Parsed {
    }

    /**
     * Parses a manifest or an index. {@code declared} is the media type the referrer gave (may be null); the
     * JSON's own mediaType wins, and without either the shape decides (older OCI writers omit it).
     */
    public static Parsed parseManifestOrIndex(byte[] json, MediaType declared, String what) throws ImageStoreException {
        OciManifestJson m = Json.read(json, OciManifestJson.class, what);
        if (m.schemaVersion != null && m.schemaVersion == 1) {
            throw new ImageStoreException("Docker schema 1 manifest " + what + " is not supported, refusing.");
        }
        MediaType type = m.mediaType != null ? new MediaType(m.mediaType)
                : declared != null && !declared.equals(MediaType.OCTET_STREAM) ? declared
                : m.manifests != null ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
        if (type.isIndex()) {
            if (m.manifests == null) {
                throw new ImageStoreException("Index " + what + " has no 'manifests', refusing.");
            }
            List<Descriptor> entries = new ArrayList<>();
            for (DescriptorJson d : m.manifests) {
                entries.add(descriptor(d, what));
            }
            return new ParsedIndex(new ImageIndex(type, entries, noNulls(m.annotations, "annotations", what)));
        }
        if (!type.isManifest()) {
            throw new ImageStoreException("Unsupported manifest media type '" + type + "' in " + what + ", refusing.");
        }
        if (m.config == null || m.layers == null) {
            throw new ImageStoreException("Manifest " + what + " lacks 'config' or 'layers', refusing.");
        }
        if (m.layers.size() > Manifest.MAX_LAYERS) {
            throw new ImageStoreException("Manifest " + what + " has " + m.layers.size() + " layers, more than "
                    + Manifest.MAX_LAYERS + ", refusing.");
        }
        Descriptor config = descriptor(m.config, what);
        if (!config.mediaType().isConfig()) {
            throw new ImageStoreException("Unsupported config media type '" + config.mediaType() + "' in " + what + ", refusing.");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (DescriptorJson d : m.layers) {
            Descriptor layer = descriptor(d, what);
            if (layer.mediaType().layerCompression().isEmpty()) {
                throw new ImageStoreException("Unsupported layer media type '" + layer.mediaType() + "' in " + what + ", refusing.");
            }
            layers.add(layer);
        }
        return new ParsedManifest(new Manifest(type, config, layers));
    }

    public static ImageConfig parseConfig(byte[] json, String what) throws ImageStoreException {
        ImageConfigJson c = Json.read(json, ImageConfigJson.class, what);
        if (c.rootfs == null || c.rootfs.diffIds == null) {
            throw new ImageStoreException("Image config " + what + " lacks 'rootfs.diff_ids', refusing.");
        }
        if (!"layers".equals(c.rootfs.type)) {
            throw new ImageStoreException("Image config " + what + " has rootfs type '" + c.rootfs.type + "', not 'layers', refusing.");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (String d : c.rootfs.diffIds) {
            diffIds.add(Digest.parse(d));
        }
        ImageConfig.Defaults defaults = ImageConfig.Defaults.NONE;
        if (c.config != null) {
            var k = c.config;
            defaults = new ImageConfig.Defaults(noNulls(k.entrypoint, "config.Entrypoint", what), noNulls(k.cmd, "config.Cmd", what),
                    noNulls(k.env, "config.Env", what), emptyToNull(k.workingDir), emptyToNull(k.user),
                    emptyToNull(k.stopSignal), k.exposedPorts == null ? null : new ArrayList<>(new TreeSet<>(k.exposedPorts.keySet())),
                    noNulls(k.labels, "config.Labels", what), healthcheck(k.healthcheck, what));
        }
        return new ImageConfig(c.os, c.architecture, c.variant, diffIds, defaults, c.created);
    }

    private static ImageConfig.Healthcheck healthcheck(ImageConfigJson.HealthcheckJson h, String what)
            throws ImageStoreException {
        if (h == null) {
            return null;
        }
        return new ImageConfig.Healthcheck(noNulls(h.test, "config.Healthcheck.Test", what), orZero(h.interval), orZero(h.timeout), orZero(h.startPeriod),
                h.retries == null ? 0 : h.retries);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** A minimal OCI config for an image this program builds (rootfs tarball, directory, docker archive). */
    public static byte[] writeConfig(Platform platform, List<Digest> diffIds, String created) {
        ImageConfigJson c = new ImageConfigJson();
        c.created = created;
        c.architecture = platform.architecture();
        c.os = platform.os();
        c.variant = platform.variant();
        c.config = new ImageConfigJson.ContainerConfigJson();
        c.rootfs = new ImageConfigJson.RootfsJson();
        c.rootfs.type = "layers";
        c.rootfs.diffIds = diffIds.stream().map(Digest::toString).toList();
        return Json.write(c);
    }

    public static byte[] writeManifest(Manifest manifest) {
        OciManifestJson m = new OciManifestJson();
        m.schemaVersion = 2;
        m.mediaType = manifest.mediaType().value();
        m.config = descriptorJson(manifest.config());
        m.layers = manifest.layers().stream().map(Wire::descriptorJson).toList();
        return Json.write(m);
    }

    public static byte[] writeIndex(ImageIndex index) {
        OciIndexJson i = new OciIndexJson();
        i.schemaVersion = 2;
        i.mediaType = index.mediaType().value();
        i.manifests = index.manifests().stream().map(Wire::descriptorJson).toList();
        i.annotations = index.annotations().isEmpty() ? null : new TreeMap<>(index.annotations());
        return Json.write(i);
    }

    public static Descriptor descriptor(DescriptorJson d, String what) throws ImageStoreException {
        if (d == null || d.digest == null || d.size == null || d.mediaType == null) {
            throw new ImageStoreException("Descriptor in " + what + " lacks mediaType, digest or size, refusing.");
        }
        if (d.size < 0) {
            throw new ImageStoreException("Descriptor " + d.digest + " in " + what + " has negative size, refusing.");
        }
        Platform platform = null;
        if (d.platform != null && d.platform.os != null && d.platform.architecture != null) {
            platform = new Platform(d.platform.os, d.platform.architecture, d.platform.variant);
        }
        return new Descriptor(new MediaType(d.mediaType), Digest.parse(d.digest), d.size, platform,
                noNulls(d.annotations, "annotations of " + d.digest, what));
    }

    private static DescriptorJson descriptorJson(Descriptor d) {
        DescriptorJson j = new DescriptorJson();
        j.mediaType = d.mediaType().value();
        j.digest = d.digest().toString();
        j.size = d.size();
        if (d.platform() != null) {
            j.platform = new PlatformJson();
            j.platform.os = d.platform().os();
            j.platform.architecture = d.platform().architecture();
            j.platform.variant = d.platform().variant();
        }
        if (!d.annotations().isEmpty()) {
            // Sorted: a Descriptor's Map.copyOf iterates in an order that changes from JVM to JVM, and the same
            // descriptor must be the same bytes (an unchanged 'image write' gives the same archive).
            j.annotations = new TreeMap<>(d.annotations());
        }
        return j;
    }

    /** A JSON list with a {@code null} in it is refused (found by fuzzing: the records' copies threw NullPointerException). */
    private static List<String> noNulls(List<String> list, String key, String what) throws ImageStoreException {
        if (list != null && list.contains(null)) {
            throw new ImageStoreException("'" + key + "' in " + what + " has a null entry, refusing.");
        }
        return list;
    }

    private static Map<String, String> noNulls(Map<String, String> map, String key, String what) throws ImageStoreException {
        if (map != null && map.containsValue(null)) {
            throw new ImageStoreException("'" + key + "' in " + what + " has a null value, refusing.");
        }
        return map;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

}
