package io.jcontainer.image.trust;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Writes a {@link Policy} back as containers-policy.json(5) text, keys in the order skopeo's examples use. */
final class PolicyWriter {
    private PolicyWriter() {
    }

    static String write(Policy policy) {
        ObjectNode root = PolicyParser.STRICT.createObjectNode();
        root.set("default", requirements(policy.defaults()));
        if (!policy.transports().isEmpty()) {
            ObjectNode transports = root.putObject("transports");
            for (Map.Entry<String, Map<String, List<Requirement>>> t : policy.transports().entrySet()) {
                ObjectNode scopes = transports.putObject(t.getKey());
                t.getValue().forEach((scope, reqs) -> scopes.set(scope, requirements(reqs)));
            }
        }
        try {
            return PolicyParser.STRICT.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode requirements(List<Requirement> reqs) {
        ArrayNode out = PolicyParser.STRICT.createArrayNode();
        for (Requirement r : reqs) {
            ObjectNode o = out.addObject();
            o.put("type", r.type());
            if (r instanceof Requirement.SignedBy s) {
                o.put("keyType", s.keyType());
                if (s.keyData() != null) {
                    o.put("keyData", Base64.getEncoder().encodeToString(s.keyData()));
                } else if (s.keyPaths().size() == 1) {
                    o.put("keyPath", s.keyPaths().get(0).toString());
                } else {
                    ArrayNode paths = o.putArray("keyPaths");
                    s.keyPaths().stream().map(Path::toString).forEach(paths::add);
                }
                identity(o, s.signedIdentity());
            } else if (r instanceof Requirement.SigstoreSigned s) {
                if (s.keyData() != null) {
                    o.put("keyData", Base64.getEncoder().encodeToString(s.keyData()));
                } else {
                    o.put("keyPath", s.keyPath().toString());
                }
                identity(o, s.signedIdentity());
            }
        }
        return out;
    }

    private static void identity(ObjectNode o, SignedIdentity id) {
        if (id instanceof SignedIdentity.MatchRepoDigestOrExact) {
            return; // the default
        }
        ObjectNode i = o.putObject("signedIdentity");
        i.put("type", id.type());
        if (id instanceof SignedIdentity.ExactReference e) {
            i.put("dockerReference", e.reference().toString());
        } else if (id instanceof SignedIdentity.ExactRepository e) {
            i.put("dockerRepository", e.repository());
        } else if (id instanceof SignedIdentity.RemapIdentity e) {
            i.put("prefix", e.prefix());
            i.put("signedPrefix", e.signedPrefix());
        }
    }
}
