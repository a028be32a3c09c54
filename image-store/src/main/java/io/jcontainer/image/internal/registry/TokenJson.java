package io.jcontainer.image.internal.registry;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Wire form of a token endpoint's answer (Docker token spec): {@code token}, or OAuth2's {@code access_token}. */
public class TokenJson {
    public String token;
    @JsonProperty("access_token")
    public String accessToken;
    @JsonProperty("expires_in")
    public Integer expiresIn;
}
