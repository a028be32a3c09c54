package io.jcontainer.image.internal.registry;

import java.util.List;

/** Wire form of a registry's error body (OCI distribution spec, "Error Codes"). */
public class ErrorsJson {
    public List<ErrorJson> errors;

    /** One error: {@code {"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}}. */
    public static class ErrorJson {
        public String code;
        public String message;
    }
}
