package io.jcontainer.image.trust;

import io.jcontainer.image.Digest;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.registry.RegistryClient;
import io.jcontainer.image.registry.RegistryException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/**
 * The signatures of a registry image, where containers/image looks for them: the lookaside storage that
 * registries.d configures for its scope if any, else the registry's signature extension.
 */
public final class RegistrySignatures implements SignatureSource {
    private final RegistriesD config;
    private final RegistryClient client;
    private final ImageReference image;
    private final Digest manifest;
    private final HttpClient http;
    private final Duration timeout;

    public RegistrySignatures(RegistriesD config, RegistryClient client, ImageReference image, Digest manifest,
                              HttpClient http, Duration timeout) {
        this.config = config;
        this.client = client;
        this.image = image;
        this.manifest = manifest;
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public List<byte[]> signatures() throws TrustException {
        String base = config.lookasideFor(image);
        if (base != null) {
            return Lookaside.read(base, image, manifest, http, timeout);
        }
        try {
            return client.signatures(image, manifest);
        } catch (RegistryException e) {
            throw new TrustException(e.getMessage(), e);
        }
    }

    @Override
    public List<Cosign.Sig> cosignSignatures() throws TrustException {
        return Cosign.fetch(client, image, manifest);
    }

    /** Where cosign signatures are looked for. */
    public String describeCosign() {
        return "'" + image.name() + ":" + Cosign.tag(manifest) + "'";
    }

    @Override
    public String describe() {
        String base = config.lookasideFor(image);
        return base != null ? "'" + Lookaside.url(base, image, manifest, 1) + "'"
                : "the registry's signature API (no lookaside in registries.d for '" + image.name() + "')";
    }
}
