package io.jcontainer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.Digest;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The state of a {@code jcontainer image} build between its verbs: {@code WORK/build.json}, holding the store image
 * the last {@code copy} or {@code run} made (its layers) and the settings the other verbs change (name, exec,
 * environment, ports, labels, annotations, mount points). Every verb reads it, changes a copy and writes it back
 * by a temporary file renamed over it, so a failed verb leaves it as it was.
 */
final class WorkingBuild {
    static final String STATE_FILE = "build.json";
    static final Path DEFAULT_DIR = Path.of(".jcontainer-build");
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** An appc port: a name, tcp or udp, a number. */
    record Port(String name, String protocol, int port) {
    }

    /** An appc mount point: a name the runtime binds a volume to, a path in the image. */
    record MountPoint(String name, String path) {
    }

    final Path dir;
    /** The image of the layers so far (the base or the last copy/run), or null: none yet. */
    Digest image;
    String name;
    List<String> entrypoint;
    List<String> cmd;
    final Map<String, String> env = new LinkedHashMap<>();
    String user;
    String group;
    String workingDir;
    String stopSignal;
    final List<Port> ports = new ArrayList<>();
    final Map<String, String> labels = new LinkedHashMap<>();
    final Map<String, String> annotations = new LinkedHashMap<>();
    final List<MountPoint> mounts = new ArrayList<>();

    private WorkingBuild(Path dir) {
        this.dir = dir;
    }

    /** A new build: empty, or on {@code base} with its execution defaults. */
    static WorkingBuild begin(Path dir, Image base) {
        WorkingBuild b = new WorkingBuild(dir);
        if (base != null) {
            b.image = base.manifestDigest();
            BuildConfig c = new BuildConfig(base.defaults());
            b.entrypoint = c.entrypoint;
            b.cmd = c.cmd;
            b.env.putAll(c.env);
            b.workingDir = c.workingDir;
            b.stopSignal = c.stopSignal;
            b.labels.putAll(c.labels);
            if (c.user != null && !c.user.isEmpty()) {
                int colon = c.user.indexOf(':');
                b.user = colon < 0 ? c.user : c.user.substring(0, colon);
                b.group = colon < 0 ? null : c.user.substring(colon + 1);
            }
        }
        return b;
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    /** Reads the build in {@code dir}; no build there is an error naming {@code begin}. */
    static WorkingBuild load(Path dir) throws CliException {
        Path file = dir.resolve(STATE_FILE);
        JsonNode n;
        try {
            n = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CliException("No image build in '" + dir + "': run 'jcontainer image begin' first.");
        } catch (IOException e) {
            throw new CliException("Failed to read '" + file + "': " + ContainerFiles.reason(e), e);
        }
        WorkingBuild b = new WorkingBuild(dir);
        try {
            b.image = n.hasNonNull("image") ? Digest.parse(n.get("image").asText()) : null;
        } catch (ImageStoreException | RuntimeException e) {
            throw new CliException("Invalid 'image' in '" + file + "': " + e.getMessage(), e);
        }
        b.name = text(n, "name");
        b.entrypoint = words(n.get("entrypoint"));
        b.cmd = words(n.get("cmd"));
        n.path("env").fields().forEachRemaining(e -> b.env.put(e.getKey(), e.getValue().asText()));
        b.user = text(n, "user");
        b.group = text(n, "group");
        b.workingDir = text(n, "workingDir");
        b.stopSignal = text(n, "stopSignal");
        n.path("ports").forEach(p -> b.ports.add(new Port(p.path("name").asText(), p.path("protocol").asText(),
                p.path("port").asInt())));
        n.path("labels").fields().forEachRemaining(e -> b.labels.put(e.getKey(), e.getValue().asText()));
        n.path("annotations").fields().forEachRemaining(e -> b.annotations.put(e.getKey(), e.getValue().asText()));
        n.path("mounts").forEach(m -> b.mounts.add(new MountPoint(m.path("name").asText(), m.path("path").asText())));
        return b;
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    private static List<String> words(JsonNode n) {
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(w -> out.add(w.asText()));
        return out;
    }

    /** The state as JSON, keys in a fixed order (the cache key of a step covers it). */
    ObjectNode toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("image", image == null ? null : image.toString());
        n.put("name", name);
        putWords(n, "entrypoint", entrypoint);
        putWords(n, "cmd", cmd);
        ObjectNode e = n.putObject("env");
        env.forEach(e::put);
        n.put("user", user);
        n.put("group", group);
        n.put("workingDir", workingDir);
        n.put("stopSignal", stopSignal);
        ArrayNode p = n.putArray("ports");
        ports.forEach(x -> p.addObject().put("name", x.name()).put("protocol", x.protocol()).put("port", x.port()));
        ObjectNode l = n.putObject("labels");
        labels.forEach(l::put);
        ObjectNode a = n.putObject("annotations");
        annotations.forEach(a::put);
        ArrayNode m = n.putArray("mounts");
        mounts.forEach(x -> m.addObject().put("name", x.name()).put("path", x.path()));
        return n;
    }

    private static void putWords(ObjectNode n, String key, List<String> words) {
        if (words == null) {
            n.putNull(key);
        } else {
            ArrayNode a = n.putArray(key);
            words.forEach(a::add);
        }
    }

    /** The settings without the image: what a copy or run step's cache key adds to its parent image. */
    String settingsText() {
        ObjectNode n = toJson();
        n.remove("image");
        return n.toString();
    }

    /** Writes the state: a temporary file in the work dir renamed over {@value #STATE_FILE}. */
    void save() throws CliException {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tmp-", ".json");
            try {
                Files.write(tmp, (MAPPER.writeValueAsString(toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Failed to write JSON", e);
        } catch (IOException e) {
            throw new CliException("Failed to write '" + dir.resolve(STATE_FILE) + "': " + ContainerFiles.reason(e), e);
        }
    }

    /** The image of the layers so far, or null; one gc collected is an error that says what to do. */
    Image layers(ImageStore store) throws CliException, ImageStoreException {
        if (image == null) {
            return null;
        }
        return store.inspect(image).orElseThrow(() -> new CliException("The build's image " + image
                + " is no longer in the store (collected by gc?): run 'jcontainer image begin' again."));
    }

    /** The user as the image config has it: USER[:GROUP]. */
    String configUser() {
        if (user == null && group == null) {
            return null;
        }
        return (user == null ? "0" : user) + (group == null ? "" : ":" + group);
    }

    /** The settings as the OCI image config's execution defaults. */
    BuildConfig config() {
        BuildConfig c = new BuildConfig(ImageConfig.Defaults.NONE);
        c.entrypoint = entrypoint;
        c.cmd = cmd;
        c.env.putAll(env);
        c.workingDir = workingDir;
        c.user = configUser();
        c.stopSignal = stopSignal;
        TreeSet<String> exposed = new TreeSet<>();
        ports.forEach(p -> exposed.add(p.port() + "/" + p.protocol()));
        c.exposedPorts.addAll(exposed);
        c.labels.putAll(labels);
        return c;
    }
}
