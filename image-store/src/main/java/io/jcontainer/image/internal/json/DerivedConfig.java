package io.jcontainer.image.internal.json;

import io.jcontainer.image.Digest;
import io.jcontainer.image.HistoryStep;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config of an image made on top of another (commit, build): the base config with more {@code diff_ids}, new
 * execution defaults and one {@code history} entry per step (OCI image spec, "Properties": history's
 * {@code empty_layer} marks a step that added no layer). Fields of the base this program does not model are not
 * carried (Docker's {@code container_config}, {@code OnBuild}, ...).
 */
public final class DerivedConfig {
    private DerivedConfig() {
    }

    private static ImageConfigJson.HealthcheckJson healthcheck(ImageConfig.Healthcheck h) {
        if (h == null) {
            return null;
        }
        ImageConfigJson.HealthcheckJson j = new ImageConfigJson.HealthcheckJson();
        j.test = h.test();
        j.interval = h.interval() == 0 ? null : h.interval();
        j.timeout = h.timeout() == 0 ? null : h.timeout();
        j.startPeriod = h.startPeriod() == 0 ? null : h.startPeriod();
        j.retries = h.retries() == 0 ? null : h.retries();
        return j;
    }

    /**
     * @param base     the base image's config JSON, or null for an image from scratch
     * @param added    the DiffIDs of the new layers, bottom first
     * @param defaults the new image's execution defaults (replacing the base's)
     */
    public static byte[] write(byte[] base, Platform platform, List<Digest> added, ImageConfig.Defaults defaults,
                               List<HistoryStep> steps, String created) throws ImageStoreException {
        ImageConfigJson c = base == null ? new ImageConfigJson() : Json.read(base, ImageConfigJson.class, "the base image's config");
        if (base == null) {
            c.architecture = platform.architecture();
            c.os = platform.os();
            c.variant = platform.variant();
            c.rootfs = new ImageConfigJson.RootfsJson();
            c.rootfs.type = "layers";
            c.rootfs.diffIds = List.of();
        }
        c.created = created;
        List<String> diffIds = new ArrayList<>(c.rootfs.diffIds == null ? List.of() : c.rootfs.diffIds);
        added.forEach(d -> diffIds.add(d.toString()));
        c.rootfs.diffIds = diffIds;
        ImageConfigJson.ContainerConfigJson k = c.config == null ? new ImageConfigJson.ContainerConfigJson() : c.config;
        k.entrypoint = orNull(defaults.entrypoint());
        k.cmd = orNull(defaults.cmd());
        k.env = orNull(defaults.env());
        k.workingDir = defaults.workingDir();
        k.user = defaults.user();
        k.stopSignal = defaults.stopSignal();
        if (defaults.exposedPorts().isEmpty()) {
            k.exposedPorts = null;
        } else {
            k.exposedPorts = new TreeMap<>();
            defaults.exposedPorts().forEach(p -> k.exposedPorts.put(p, Map.of()));
        }
        k.labels = defaults.labels().isEmpty() ? null : new TreeMap<>(defaults.labels());
        k.healthcheck = healthcheck(defaults.healthcheck());
        c.config = k;
        List<Map<String, Object>> history = new ArrayList<>(c.history == null ? List.of() : c.history);
        for (HistoryStep s : steps) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("created", created);
            h.put("created_by", s.createdBy());
            if (s.comment() != null) {
                h.put("comment", s.comment());
            }
            if (s.emptyLayer()) {
                h.put("empty_layer", true);
            }
            history.add(h);
        }
        c.history = history;
        return Json.write(c);
    }

    private static <T> List<T> orNull(List<T> l) {
        return l.isEmpty() ? null : l;
    }
}
