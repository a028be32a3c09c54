package io.jcontainer.image.internal.registry;

import io.jcontainer.image.ImageStoreException;
import io.jcontainer.image.internal.json.Json;
import io.jcontainer.image.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/_catalog} (every repository of a registry) and {@code GET /v2/NAME/tags/list} (a repository's
 * tags), each followed through the {@code Link: <...>; rel="next"} pages the distribution spec describes.
 */
public final class CatalogList {
    /** Stops a registry that pages forever. */
    public static final int MAX_PAGES = 1000;
    private static final int PAGE = 1000;
    private static final int MAX_BYTES = 8 * 1024 * 1024;
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    /** Wire form of both answers. */
    public static class ListJson {
        public List<String> repositories;
        public String name;
        public List<String> tags;
    }

    private final RegistryHttp http;
    private final String repository;

    /** @param repository null for the catalog, else the repository whose tags to list */
    public CatalogList(RegistryHttp http, String repository) {
        this.http = http;
        this.repository = repository;
    }

    public String description() {
        return repository == null ? "list the catalog of '" + http.registry() + "'"
                : "list the tags of '" + http.registry() + "/" + repository + "'";
    }

    public List<String> call() throws RegistryException {
        String path = repository == null ? "/v2/_catalog?n=" + PAGE : "/v2/" + repository + "/tags/list?n=" + PAGE;
        String scope = repository == null ? RegistryHttp.CATALOG_SCOPE : RegistryHttp.pullScope(repository);
        List<String> out = new ArrayList<>();
        for (int page = 0; path != null; page++) {
            if (page >= MAX_PAGES) {
                throw new RegistryException("Failed to " + description() + ": more than " + MAX_PAGES + " pages, refusing.");
            }
            HttpResponse<InputStream> r;
            byte[] body;
            try {
                r = http.send("GET", path, Map.of("Accept", "application/json"), scope);
                if (r.statusCode() != 200) {
                    throw new RegistryException("Failed to " + description() + ": " + RegistryHttp.describe(r), r.statusCode(), null);
                }
                try (InputStream in = http.body(r)) {
                    body = in.readNBytes(MAX_BYTES);
                }
            } catch (RegistryException e) {
                throw e;
            } catch (IOException e) {
                throw new RegistryException("Failed to " + description() + ": " + http.describe(e), e);
            }
            ListJson json;
            try {
                json = Json.read(body, ListJson.class, "the answer");
            } catch (ImageStoreException e) {
                throw new RegistryException("Failed to " + description() + ": " + e.getMessage(), e);
            }
            List<String> items = repository == null ? json.repositories : json.tags;
            if (items != null) {
                out.addAll(items);
            }
            path = null;
            for (String link : r.headers().allValues("Link")) {
                Matcher m = NEXT.matcher(link);
                if (m.find()) {
                    path = m.group(1);
                }
            }
        }
        return out;
    }
}
