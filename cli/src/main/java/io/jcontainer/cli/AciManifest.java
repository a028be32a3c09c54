package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The appc image manifest (appc spec/aci.md, "Image Manifest Schema") of an ACI: written from a {@link WorkingBuild},
 * read on import into an image name and the OCI execution defaults. Only the fields jcontainer maps are read:
 * name, labels, app.exec, user, group, workingDirectory, environment, ports.
 */
final class AciManifest {
    static final String AC_KIND = "ImageManifest";
    /** The last appc spec release. */
    static final String AC_VERSION = "0.8.11";
    static final String VERSION_LABEL = "version";
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** What an imported ACI becomes: its name ({@code NAME:VERSION}) and its execution defaults. */
    record Imported(ImageReference name, ImageConfig.Defaults defaults) {
    }

    private AciManifest() {
    }

    /** The manifest of the build; {@code name} may be null only for {@code cat-manifest}. */
    static byte[] write(WorkingBuild b) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("acKind", AC_KIND);
        m.put("acVersion", AC_VERSION);
        m.put("name", b.name);
        ArrayNode labels = m.putArray("labels");
        b.labels.forEach((k, v) -> labels.addObject().put("name", k).put("value", v));
        List<String> exec = new ArrayList<>();
        if (b.entrypoint != null) {
            exec.addAll(b.entrypoint);
        }
        if (b.cmd != null) {
            exec.addAll(b.cmd);
        }
        if (!exec.isEmpty()) {
            ObjectNode app = m.putObject("app");
            ArrayNode e = app.putArray("exec");
            exec.forEach(e::add);
            app.put("user", b.user == null ? "0" : b.user);
            app.put("group", b.group == null ? "0" : b.group);
            if (b.workingDir != null) {
                app.put("workingDirectory", b.workingDir);
            }
            ArrayNode env = app.putArray("environment");
            b.env.forEach((k, v) -> env.addObject().put("name", k).put("value", v));
            ArrayNode ports = app.putArray("ports");
            b.ports.forEach(p -> ports.addObject().put("name", p.name()).put("protocol", p.protocol())
                    .put("port", p.port()));
            ArrayNode mounts = app.putArray("mountPoints");
            b.mounts.forEach(p -> mounts.addObject().put("name", p.name()).put("path", p.path())
                    .put("readOnly", false));
        }
        ArrayNode annotations = m.putArray("annotations");
        b.annotations.forEach((k, v) -> annotations.addObject().put("name", k).put("value", v));
        try {
            return (MAPPER.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Failed to write JSON", e);
        }
    }

    /** Reads an ACI's manifest; {@code file} names the ACI in errors. */
    static Imported read(byte[] json, String file) throws CliException {
        JsonNode m = JsonOutput.tree(json, "the manifest of '" + file + "'");
        String kind = m.path("acKind").asText("");
        if (!kind.equals(AC_KIND)) {
            throw new CliException("'" + file + "': manifest acKind is '" + kind + "', expected " + AC_KIND + ", refusing.");
        }
        String name = m.path("name").asText("");
        if (!ImageSettingVerbs.AC_IDENTIFIER.matcher(name).matches()) {
            throw new CliException("'" + file + "': invalid manifest name '" + name + "', refusing.");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        m.path("labels").forEach(l -> labels.put(l.path("name").asText(), l.path("value").asText()));
        ImageReference ref;
        String text = name + ":" + labels.getOrDefault(VERSION_LABEL, "latest");
        try {
            ref = ImageReference.parse(text);
        } catch (ImageStoreException | RuntimeException e) {
            throw new CliException("'" + file + "': the manifest's name and version '" + text + "' are not an image "
                    + "name: " + e.getMessage(), e);
        }
        JsonNode app = m.path("app");
        List<String> exec = null;
        List<String> env = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        String user = null;
        String workingDir = null;
        if (app.isObject()) {
            exec = new ArrayList<>();
            for (JsonNode w : app.path("exec")) {
                exec.add(w.asText());
            }
            app.path("environment").forEach(e -> env.add(e.path("name").asText() + "=" + e.path("value").asText()));
            app.path("ports").forEach(p -> ports.add(p.path("port").asInt() + "/" + p.path("protocol").asText("tcp")));
            String u = app.path("user").asText("0");
            String g = app.path("group").asText("0");
            user = u.equals("0") && g.equals("0") ? null : u + ":" + g;
            workingDir = app.hasNonNull("workingDirectory") ? app.get("workingDirectory").asText() : null;
        }
        return new Imported(ref, new ImageConfig.Defaults(exec, exec == null ? null : List.of(), env, workingDir, user,
                null, ports, labels, null));
    }
}
