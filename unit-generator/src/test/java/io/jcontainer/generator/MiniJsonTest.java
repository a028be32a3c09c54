package io.jcontainer.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's JSON reader accepts what Jackson (image-store's parser) accepts, and refuses what it refuses. */
class MiniJsonTest {

    @Test
    void readsAnImageConfigAsJacksonDoes() throws Exception {
        String text = " {\"architecture\":\"amd64\",\"config\":{\"Env\":[\"A=\\\"b\\\\c\\u00e9\\n\"],\"StopSignal\":\"SIGQUIT\","
                + "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":null,\"Tty\":false,\"Id\":-1.5e3},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]},\"config\":{\"StopSignal\":\"SIGINT\"}}\n";
        Map<?, ?> mine = (Map<?, ?>) MiniJson.parse(text);
        Map<?, ?> jackson = new ObjectMapper().readValue(text, Map.class);
        assertEquals("SIGINT", ((Map<?, ?>) mine.get("config")).get("StopSignal"), "a repeated key: the last wins");
        assertEquals(((Map<?, ?>) jackson.get("config")).get("StopSignal"), ((Map<?, ?>) mine.get("config")).get("StopSignal"));
        String again = "{\"Env\":[\"A=\\\"b\\\\c\\u00e9\\n\"],\"Volumes\":null,\"Tty\":false,\"Id\":-1.5e3}";
        Map<?, ?> m = (Map<?, ?>) MiniJson.parse(again);
        assertEquals(List.of("A=\"b\\c\u00e9\n"), m.get("Env"));
        assertTrue(m.containsKey("Volumes") && m.get("Volumes") == null);
        assertEquals(Boolean.FALSE, m.get("Tty"));
        assertEquals("-1.5e3", m.get("Id").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "01", "1.", "-", "tru", "\"a",
        "\"\\x\"", "\"\\u12\"", "{\"a\":1} x", "\"tab\tin string\"", "[1 2]", "{\"a\":1 \"b\":2}", "nul"})
    void refusesWhatJacksonRefuses(String text) {
        MiniJson.JsonException e = assertThrows(MiniJson.JsonException.class, () -> MiniJson.parse(text));
        assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        assertThrows(Exception.class, () -> {
            Object value = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(text, Object.class);
            if (value == null && text.isEmpty()) {
                throw new IllegalStateException("empty");
            }
        }, text);
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        char[] open = new char[MiniJson.MAX_DEPTH + 2];
        Arrays.fill(open, '[');
        assertThrows(MiniJson.JsonException.class, () -> MiniJson.parse(new String(open)));
    }
}
