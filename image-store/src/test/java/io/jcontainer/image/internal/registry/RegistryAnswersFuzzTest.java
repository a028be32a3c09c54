package io.jcontainer.image.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import io.jcontainer.image.Fuzzing;
import io.jcontainer.image.ImageStoreException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes what a registry says outside a blob: {@code WWW-Authenticate} challenges and token answers. Challenges
 * that parse are printed (quoted, escaped) and must parse back to the same; a token that is accepted must be
 * usable in an {@code Authorization} header.
 */
class RegistryAnswersFuzzTest {
    @FuzzTest
    void challenge(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        List<AuthChallenge> parsed = AuthChallenge.parse(List.of(header));
        for (AuthChallenge c : parsed) {
            assertFalse(c.scheme().isEmpty());
        }
        List<AuthChallenge> again = AuthChallenge.parse(List.of(print(parsed)));
        assertEquals(parsed, again, "printed as " + print(parsed));
    }

    @FuzzTest
    void tokenAnswer(byte[] body) {
        String token;
        try {
            token = TokenFetch.tokenFrom(body);
        } catch (ImageStoreException e) {
            Fuzzing.oneLine(e);
            return;
        }
        assertFalse(token.isEmpty());
        HttpRequest.newBuilder(URI.create("https://registry.example.org/v2/")).header("Authorization", "Bearer " + token).build();
    }

    /** RFC 7235 form: {@code scheme k="v", k2="v2", scheme2 ...}. */
    private static String print(List<AuthChallenge> challenges) {
        StringBuilder s = new StringBuilder();
        for (AuthChallenge c : challenges) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(c.scheme());
            String sep = " ";
            for (Map.Entry<String, String> p : c.params().entrySet()) {
                s.append(sep).append(p.getKey()).append("=\"")
                        .append(p.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                sep = ", ";
            }
        }
        return s.toString();
    }
}
