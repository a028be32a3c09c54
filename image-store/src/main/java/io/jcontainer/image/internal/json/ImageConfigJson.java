package io.jcontainer.image.internal.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Wire form of an OCI image config (Docker's container image v1 JSON is the same for these fields). */
public class ImageConfigJson {
    public String created;
    public String author;
    public String architecture;
    public String os;
    public String variant;
    public ContainerConfigJson config;
    public RootfsJson rootfs;
    public List<Map<String, Object>> history;

    /** The {@code config} object: execution defaults. */
    public static class ContainerConfigJson {
        @JsonProperty("User")
        public String user;
        @JsonProperty("ExposedPorts")
        public Map<String, Object> exposedPorts;
        @JsonProperty("Env")
        public List<String> env;
        @JsonProperty("Entrypoint")
        public List<String> entrypoint;
        @JsonProperty("Cmd")
        public List<String> cmd;
        @JsonProperty("Volumes")
        public Map<String, Object> volumes;
        @JsonProperty("WorkingDir")
        public String workingDir;
        @JsonProperty("Labels")
        public Map<String, String> labels;
        @JsonProperty("StopSignal")
        public String stopSignal;
        @JsonProperty("Healthcheck")
        public HealthcheckJson healthcheck;
    }

    /** Docker's {@code Healthcheck} (durations in nanoseconds). */
    public static class HealthcheckJson {
        @JsonProperty("Test")
        public List<String> test;
        @JsonProperty("Interval")
        public Long interval;
        @JsonProperty("Timeout")
        public Long timeout;
        @JsonProperty("StartPeriod")
        public Long startPeriod;
        @JsonProperty("Retries")
        public Integer retries;
    }

    /** The {@code rootfs} object. */
    public static class RootfsJson {
        public String type;
        @JsonProperty("diff_ids")
        public List<String> diffIds;
    }
}
