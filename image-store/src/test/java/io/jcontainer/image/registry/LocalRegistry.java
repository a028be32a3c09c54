package io.jcontainer.image.registry;

import static io.jcontainer.image.registry.RegistryTestSupport.sh;

import io.jcontainer.image.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free loopback port with its storage in a test
 * directory, optionally with token auth ({@link TestTokenIssuer}). Fed with {@code skopeo copy}.
 */
final class LocalRegistry implements AutoCloseable {
    final Path dir;
    final Path storage;
    final int port;
    private final Process process;
    private final TestTokenIssuer issuer;
    /** user:password for skopeo when the registry wants basic auth (htpasswd); null otherwise. */
    private String basicCreds;

    private LocalRegistry(Path dir, int port, Process process, TestTokenIssuer issuer) {
        this.dir = dir;
        this.storage = dir.resolve("storage");
        this.port = port;
        this.process = process;
        this.issuer = issuer;
    }

    static LocalRegistry start(Path dir) throws Exception {
        return start(dir, null);
    }

    /**
     * A registry with {@code auth: htpasswd} for one user. The bcrypt hash comes from Python's crypt module
     * (libxcrypt), as {@code htpasswd -B} (apache2-utils) is not a dependency; cost 4, since the registry checks it on every request.
     */
    static LocalRegistry startWithHtpasswd(Path dir, String user, String password) throws Exception {
        RegistryTestSupport.requireCommand("python3");
        Files.createDirectories(dir);
        String hash = sh(null, "python3", "-W", "ignore", "-c",
                "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))", password).strip();
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), user + ":" + hash + "\n");
        LocalRegistry r = start(dir, null, """
                auth:
                  htpasswd:
                    realm: jcontainer-test
                    path: %s
                """.formatted(htpasswd));
        r.basicCreds = user + ":" + password;
        return r;
    }

    static LocalRegistry start(Path dir, TestTokenIssuer issuer) throws Exception {
        String auth = issuer == null ? "" : """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(issuer.realm(), TestTokenIssuer.SERVICE, TestTokenIssuer.ISSUER, issuer.certificate());
        return start(dir, issuer, auth);
    }

    private static LocalRegistry start(Path dir, TestTokenIssuer issuer, String auth) throws Exception {
        RegistryTestSupport.requireCommand("docker-registry");
        RegistryTestSupport.requireCommand("skopeo");
        Files.createDirectories(dir.resolve("storage"));
        int port = RegistryTestSupport.freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:%d
                  secret: jcontainer-test
                %s""".formatted(dir.resolve("storage"), port, auth));
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(dir, port, p, issuer);
        r.awaitReady();
        return r;
    }

    private void awaitReady() throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                int status = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .version(HttpClient.Version.HTTP_1_1).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not come up: " + Files.readString(dir.resolve("registry.log")));
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code skopeo copy} of an OCI layout tag into {@code repo:tag} here; {@code format} null keeps OCI, else e.g. v2s2. */
    void push(Path layout, String layoutTag, String repoTag, String format) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false"));
        if (format != null) {
            cmd.addAll(List.of("--format", format));
        }
        if (creds() != null) {
            cmd.addAll(List.of("--dest-creds", creds()));
        }
        cmd.add("oci:" + layout + ":" + layoutTag);
        cmd.add("docker://" + host() + "/" + repoTag);
        sh(null, cmd.toArray(String[]::new));
    }

    /** The digest of the manifest as the registry has it: {@code skopeo inspect --raw | sha256sum}. */
    Digest manifestDigest(String repoTag) throws Exception {
        String creds = creds() == null ? "" : " --creds '" + creds() + "'";
        String out = RegistryTestSupport.script(null, "skopeo inspect --raw --tls-verify=false" + creds + " docker://" + host()
                + "/" + repoTag + " | sha256sum");
        return Digest.parse("sha256:" + out.split(" ")[0]);
    }

    private String creds() {
        return issuer != null ? issuer.user() + ":" + issuer.password() : basicCreds;
    }

    /** Where the registry keeps a blob's bytes (distribution's filesystem layout). */
    Path blobData(Digest d) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex()).resolve("data");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
