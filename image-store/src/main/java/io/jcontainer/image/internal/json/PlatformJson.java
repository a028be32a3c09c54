package io.jcontainer.image.internal.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Wire form of an index entry's platform. */
public class PlatformJson {
    public String architecture;
    public String os;
    @JsonProperty("os.version")
    public String osVersion;
    public String variant;
    public List<String> features;
}
