package io.jcontainer.image.internal.json;

import java.util.List;
import java.util.Map;

/** Wire form of an OCI image manifest, also Docker's v2 schema 2 manifest (same shape). */
public class OciManifestJson {
    public Integer schemaVersion;
    public String mediaType;
    public DescriptorJson config;
    public List<DescriptorJson> layers;
    /** Present in an index: lets {@code ManifestParser} tell an index from a manifest when mediaType is absent. */
    public List<DescriptorJson> manifests;
    public Map<String, String> annotations;
}
