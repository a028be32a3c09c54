package io.jcontainer.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcontainer.image.internal.registry.AuthChallenge;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WWW-Authenticate as registries send it (RFC 7235): quoted values with commas, several challenges. */
class AuthChallengeTest {
    @Test
    void parsesDockerHubBearerChallenge() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));
        assertEquals(List.of(new AuthChallenge("bearer", Map.of("realm", "https://auth.docker.io/token",
                "service", "registry.docker.io", "scope", "repository:library/busybox:pull"))), c);
    }

    @Test
    void keepsCommasInsideQuotesAndReadsSeveralChallenges() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of(
                "Basic realm=\"Registry Realm\", Bearer realm=\"https://a/t\", scope=\"repository:x:pull,push\"",
                "Negotiate"));
        assertEquals(3, c.size());
        assertEquals("basic", c.get(0).scheme());
        assertEquals("Registry Realm", c.get(0).param("realm"));
        assertEquals("repository:x:pull,push", c.get(1).param("scope"));
        assertEquals("negotiate", c.get(2).scheme());
    }

    @Test
    void unquotedValuesAndEscapes() {
        AuthChallenge c = AuthChallenge.parse(List.of("bearer realm=https://a/t,service=reg, error=\"a \\\"b\\\"\"")).get(0);
        assertEquals(Map.of("realm", "https://a/t", "service", "reg", "error", "a \"b\""), c.params());
    }
}
