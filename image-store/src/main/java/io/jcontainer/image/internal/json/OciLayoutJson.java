package io.jcontainer.image.internal.json;

/** An OCI layout's {@code oci-layout} file. */
public class OciLayoutJson {
    public String imageLayoutVersion;
}
