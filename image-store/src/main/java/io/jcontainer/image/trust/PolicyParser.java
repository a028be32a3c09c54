package io.jcontainer.image.trust;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads containers-policy.json(5) strictly, as containers/image does: every object's keys are known, none is
 * repeated, each value has its type; the first problem is one line naming the file and the key's path.
 */
final class PolicyParser {
    /** Duplicate keys are refused by the parser itself; a policy is small, so a tree is fine. */
    static final ObjectMapper STRICT = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final String file;

    private PolicyParser(String file) {
        this.file = file;
    }

    static Policy parse(byte[] bytes, String file) throws TrustException {
        JsonNode root;
        try {
            root = STRICT.readTree(bytes);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new TrustException("Invalid JSON in policy '" + file + "': " + m + ", refusing.", e);
        }
        return new PolicyParser(file).policy(root);
    }

    private Policy policy(JsonNode root) throws TrustException {
        object(root, "the top level", Set.of("default", "transports"));
        if (!root.has("default")) {
            throw fail("the top level has no \"default\" (containers-policy.json(5) requires it)");
        }
        List<Requirement> defaults = requirements(root.get("default"), "default");
        Map<String, Map<String, List<Requirement>>> transports = new LinkedHashMap<>();
        JsonNode t = root.get("transports");
        if (t != null) {
            object(t, "transports", null);
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String transport = e.getKey();
                if (!Policy.TRANSPORTS.contains(transport)) {
                    throw fail("unknown transport '" + transport + "' in transports");
                }
                object(e.getValue(), "transports." + transport, null);
                Map<String, List<Requirement>> scopes = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> s = e.getValue().fields(); s.hasNext(); ) {
                    Map.Entry<String, JsonNode> scope = s.next();
                    String where = "transports." + transport + "[\"" + scope.getKey() + "\"]";
                    if (transport.equals(Policy.DOCKER)) {
                        checkDockerScope(scope.getKey(), where);
                    }
                    scopes.put(scope.getKey(), requirements(scope.getValue(), where));
                }
                transports.put(transport, scopes);
            }
        }
        return new Policy(defaults, transports, file);
    }

    /** A docker scope: "", a host, a {@code *.domain} wildcard, or a name with an optional tag or digest. */
    private void checkDockerScope(String scope, String where) throws TrustException {
        if (scope.isEmpty() || scope.startsWith("*.") && scope.indexOf('/') < 0 && scope.length() > 2) {
            return;
        }
        if (scope.indexOf('/') < 0) {
            if (!scope.contains(".") && !scope.contains(":") && !scope.equals("localhost")) {
                throw fail("invalid scope in " + where + ": a host needs a '.' or a port (or is localhost)");
            }
            return;
        }
        try {
            ImageReference r = ImageReference.parse(scope);
            // parse() adds a registry or :latest to what is not spelled out: a scope must be written in full
            if (!scope.startsWith(r.registry() + "/")) {
                throw fail("invalid scope in " + where + ": a scope starts with its registry host");
            }
        } catch (ImageStoreException e) {
            throw fail("invalid scope in " + where + ": " + e.getMessage());
        }
    }

    private List<Requirement> requirements(JsonNode node, String where) throws TrustException {
        if (node == null || !node.isArray()) {
            throw fail(where + " is not a list of requirements");
        }
        if (node.isEmpty()) {
            throw fail(where + " is an empty list (containers-policy.json(5): use [{\"type\":\"reject\"}] or "
                    + "[{\"type\":\"insecureAcceptAnything\"}])");
        }
        List<Requirement> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(requirement(node.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private Requirement requirement(JsonNode node, String where) throws TrustException {
        if (node == null || !node.isObject()) {
            throw fail(where + " is not an object");
        }
        String type = string(node, "type", where);
        switch (type) {
            case "insecureAcceptAnything" -> {
                object(node, where, Set.of("type"));
                return new Requirement.InsecureAcceptAnything();
            }
            case "reject" -> {
                object(node, where, Set.of("type"));
                return new Requirement.Reject();
            }
            case "signedBy" -> {
                object(node, where, Set.of("type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity"));
                String keyType = string(node, "keyType", where);
                if (!keyType.equals("GPGKeys")) {
                    throw fail("unsupported keyType '" + keyType + "' in " + where + " (only GPGKeys)");
                }
                List<Path> paths = new ArrayList<>();
                byte[] data = null;
                int sources = 0;
                if (node.has("keyPath")) {
                    sources++;
                    paths.add(path(node, "keyPath", where));
                }
                if (node.has("keyPaths")) {
                    sources++;
                    JsonNode list = node.get("keyPaths");
                    if (!list.isArray() || list.isEmpty()) {
                        throw fail(where + ".keyPaths is not a non-empty list of paths");
                    }
                    for (JsonNode p : list) {
                        if (!p.isTextual() || !p.asText().startsWith("/")) {
                            throw fail(where + ".keyPaths holds '" + p + "', not an absolute path");
                        }
                        paths.add(Path.of(p.asText()));
                    }
                }
                if (node.has("keyData")) {
                    sources++;
                    data = base64(node, "keyData", where);
                }
                if (sources != 1) {
                    throw fail(where + " needs exactly one of keyPath, keyPaths, keyData");
                }
                return new Requirement.SignedBy(keyType, paths, data, identity(node.get("signedIdentity"), where));
            }
            case "sigstoreSigned" -> {
                object(node, where, Set.of("type", "keyPath", "keyData", "signedIdentity"));
                if (node.has("keyPath") == node.has("keyData")) {
                    throw fail(where + " needs exactly one of keyPath, keyData (Fulcio and Rekor are not supported)");
                }
                Path p = node.has("keyPath") ? path(node, "keyPath", where) : null;
                byte[] data = node.has("keyData") ? base64(node, "keyData", where) : null;
                return new Requirement.SigstoreSigned(p, data, identity(node.get("signedIdentity"), where));
            }
            default -> throw fail("unknown requirement type '" + type + "' in " + where);
        }
    }

    private SignedIdentity identity(JsonNode node, String outer) throws TrustException {
        if (node == null) {
            return new SignedIdentity.MatchRepoDigestOrExact();
        }
        String where = outer + ".signedIdentity";
        if (!node.isObject()) {
            throw fail(where + " is not an object");
        }
        String type = string(node, "type", where);
        switch (type) {
            case "matchExact" -> {
                object(node, where, Set.of("type"));
                return new SignedIdentity.MatchExact();
            }
            case "matchRepoDigestOrExact" -> {
                object(node, where, Set.of("type"));
                return new SignedIdentity.MatchRepoDigestOrExact();
            }
            case "matchRepository" -> {
                object(node, where, Set.of("type"));
                return new SignedIdentity.MatchRepository();
            }
            case "exactReference" -> {
                object(node, where, Set.of("type", "dockerReference"));
                String ref = string(node, "dockerReference", where);
                ImageReference r = reference(ref, where + ".dockerReference");
                if (!ref.contains(":") && !ref.contains("@")) {
                    throw fail(where + ".dockerReference '" + ref + "' names no tag or digest");
                }
                return new SignedIdentity.ExactReference(r);
            }
            case "exactRepository" -> {
                object(node, where, Set.of("type", "dockerRepository"));
                String repo = string(node, "dockerRepository", where);
                ImageReference r = reference(repo, where + ".dockerRepository");
                if (repo.contains("@") || repo.lastIndexOf(':') > repo.lastIndexOf('/')) {
                    throw fail(where + ".dockerRepository '" + repo + "' is not a repository name");
                }
                return new SignedIdentity.ExactRepository(r.name());
            }
            case "remapIdentity" -> {
                object(node, where, Set.of("type", "prefix", "signedPrefix"));
                String prefix = string(node, "prefix", where);
                String signedPrefix = string(node, "signedPrefix", where);
                checkPrefix(prefix, where + ".prefix");
                checkPrefix(signedPrefix, where + ".signedPrefix");
                return new SignedIdentity.RemapIdentity(prefix, signedPrefix);
            }
            default -> throw fail("unknown signedIdentity type '" + type + "' in " + where);
        }
    }

    /** A remapIdentity prefix: a host, or host/path, without tag or digest. */
    private void checkPrefix(String prefix, String where) throws TrustException {
        if (prefix.contains("@") || prefix.endsWith("/") || prefix.isEmpty()) {
            throw fail(where + " '" + prefix + "' is not a host or host/path");
        }
        if (prefix.indexOf('/') > 0) {
            ImageReference r = reference(prefix, where);
            if (!prefix.equals(r.name())) {
                throw fail(where + " '" + prefix + "' is not a host/path written in full");
            }
        }
    }

    private ImageReference reference(String text, String where) throws TrustException {
        try {
            return ImageReference.parse(text);
        } catch (ImageStoreException e) {
            throw fail(where + ": " + e.getMessage());
        }
    }

    /** {@code node} is an object; with {@code known}, it has no other keys. */
    private void object(JsonNode node, String where, Set<String> known) throws TrustException {
        if (node == null || !node.isObject()) {
            throw fail(where + " is not an object");
        }
        if (known != null) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    throw fail("unknown key '" + key + "' in " + where);
                }
            }
        }
    }

    private String string(JsonNode node, String key, String where) throws TrustException {
        JsonNode v = node.get(key);
        if (v == null) {
            throw fail(where + " has no \"" + key + "\"");
        }
        if (!v.isTextual()) {
            throw fail(where + "." + key + " is not a string");
        }
        return v.asText();
    }

    private Path path(JsonNode node, String key, String where) throws TrustException {
        String p = string(node, key, where);
        if (!p.startsWith("/")) {
            throw fail(where + "." + key + " '" + p + "' is not an absolute path");
        }
        return Path.of(p);
    }

    private byte[] base64(JsonNode node, String key, String where) throws TrustException {
        try {
            return Base64.getDecoder().decode(string(node, key, where));
        } catch (IllegalArgumentException e) {
            throw fail(where + "." + key + " is not base64: " + e.getMessage());
        }
    }

    private TrustException fail(String what) {
        return new TrustException("Invalid policy '" + file + "': " + what + ", refusing.");
    }
}
