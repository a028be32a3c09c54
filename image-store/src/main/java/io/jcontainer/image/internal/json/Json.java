package io.jcontainer.image.internal.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jcontainer.image.ImageStoreException;
import java.io.IOException;

/**
 * The one {@link ObjectMapper} policy: unknown fields ignored (specs grow), nulls not written, fields in
 * declaration order, compact output (manifests this program writes are hashed as written).
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Json() {
    }

    /** Parses {@code bytes} as {@code type}; {@code what} names the file or digest in the error. */
    public static <T> T read(byte[] bytes, Class<T> type, String what) throws ImageStoreException {
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new ImageStoreException("Invalid JSON in " + what + ": null, refusing.");
            }
            return value;
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new ImageStoreException("Invalid JSON in " + what + ": " + m + ", refusing.", e);
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
