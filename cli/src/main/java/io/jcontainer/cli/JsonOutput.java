package io.jcontainer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;

/**
 * The {@code --json} output of the verbs: indented, keys in the order the verb puts them, nulls kept (a
 * script tests for {@code null} rather than for a missing key). Values are maps and lists built by the verb,
 * so the output's shape is visible where it is made.
 */
final class JsonOutput {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private JsonOutput() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Failed to write JSON", e);
        }
        out.flush();
    }

    /** Stored JSON (a manifest, a config) as a tree, to print it inside our own output unchanged. */
    static JsonNode tree(byte[] json, String what) throws CliException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CliException("Invalid JSON in " + what + ": " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new CliException("Failed to read JSON of " + what + ": " + e.getMessage(), e);
        }
    }
}
