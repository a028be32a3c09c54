package io.jcontainer.image.internal.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Wire form of a docker-style {@code auth.json} / {@code config.json}: {@code {"auths":{"host:port":{"auth":"..."}}}}. */
public class AuthJson {
    public Map<String, Entry> auths;
    /** Registry -> NAME of a {@code docker-credential-NAME} program for that registry. */
    public Map<String, String> credHelpers;
    /** NAME of the {@code docker-credential-NAME} program for every registry without its own. */
    public String credsStore;

    /** One registry's entry; {@code auth} is base64 of {@code user:password}. */
    public static class Entry {
        public String auth;
        public String username;
        public String password;
        @JsonProperty("identitytoken")
        public String identityToken;
    }
}
