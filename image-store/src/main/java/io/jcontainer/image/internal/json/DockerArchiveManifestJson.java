package io.jcontainer.image.internal.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One element of a {@code docker save} archive's manifest.json. */
public class DockerArchiveManifestJson {
    @JsonProperty("Config")
    public String config;
    @JsonProperty("RepoTags")
    public List<String> repoTags;
    @JsonProperty("Layers")
    public List<String> layers;
}
