package io.jcontainer.image;

/**
 * One entry of an image config's {@code history}: what made a step, and whether it added a layer
 * (OCI image spec, config "history": {@code created_by}, {@code comment}, {@code empty_layer}).
 */
public record HistoryStep(String createdBy, String comment, boolean emptyLayer) {
}
