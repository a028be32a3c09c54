package io.jcontainer.image.internal.json;

import java.util.List;
import java.util.Map;

/** Wire form of an OCI image index, also Docker's manifest list, and an OCI layout's index.json. */
public class OciIndexJson {
    public Integer schemaVersion;
    public String mediaType;
    public List<DescriptorJson> manifests;
    public Map<String, String> annotations;
}
