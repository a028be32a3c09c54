package io.jcontainer.image.internal.json;

import java.util.List;
import java.util.Map;

/** Wire form of an OCI descriptor (also Docker schema 2's). */
public class DescriptorJson {
    public String mediaType;
    public String digest;
    public Long size;
    public PlatformJson platform;
    public List<String> urls;
    public Map<String, String> annotations;
}
