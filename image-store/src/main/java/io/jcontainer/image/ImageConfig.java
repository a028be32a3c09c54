package io.jcontainer.image;

import java.util.List;
import java.util.Map;

/**
 * The parts of an image config the store and the launcher use.
 *
 * @param diffIds {@code rootfs.diff_ids}: the sha256 of each uncompressed layer, bottom first
 * @param created the config's {@code created} text, or null
 */
public record ImageConfig(String os, String architecture, String variant, List<Digest> diffIds, Defaults defaults,
                          String created) {
    public ImageConfig {
        diffIds = List.copyOf(diffIds);
    }

    /**
     * The execution defaults a container file may override (OCI config {@code config} object). Lists are empty
     * and strings null when the image does not set them.
     */
    public record Defaults(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                           String stopSignal, List<String> exposedPorts, Map<String, String> labels,
                           Healthcheck healthcheck) {
        public Defaults {
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
            exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public static final Defaults NONE = new Defaults(null, null, null, null, null, null, null, null, null);

        /** The same defaults with another health check (null: none). */
        public Defaults withHealthcheck(Healthcheck h) {
            return new Defaults(entrypoint, cmd, env, workingDir, user, stopSignal, exposedPorts, labels, h);
        }
    }

    /**
     * Docker's {@code Healthcheck} of the {@code config} object (HEALTHCHECK): durations in nanoseconds, 0 for
     * Docker's default.
     *
     * @param test {@code ["CMD-SHELL", TEXT]}, {@code ["CMD", ARG...]} or {@code ["NONE"]}
     */
    public record Healthcheck(List<String> test, long interval, long timeout, long startPeriod, int retries) {
        public Healthcheck {
            test = test == null ? List.of() : List.copyOf(test);
        }
    }
}
