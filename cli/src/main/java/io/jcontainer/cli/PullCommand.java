package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.Platform;
import io.jcontainer.image.registry.Credentials;
import io.jcontainer.image.registry.ImagePuller;
import io.jcontainer.image.registry.PullProgress;
import io.jcontainer.image.trust.Policy;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer pull REF}: an image from an OCI distribution registry into the store. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Pulls an image from a registry: its signature is checked against the policy "
            + "(/etc/jcontainer/policy.json; by default an image needs a signature by a key trusted for its name, see "
            + "'jcontainer trust'), every blob is verified by its digest while it streams, layers "
            + "download in parallel, an interrupted download resumes. Credentials come from a docker-style auth.json "
            + "($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json) or --creds.",
        footer = {"", "Example:", "  jcontainer pull registry.example.org/web:1.2",
            "  jcontainer pull --insecure --insecure-policy localhost:5000/busybox:latest"})
final class PullCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = "The image: [REGISTRY/]REPOSITORY[:TAG|@DIGEST].")
    String reference;

    @Option(names = "--insecure", description = "Use plain HTTP (only for a registry you trust, such as one on localhost).")
    boolean insecure;

    @Option(names = "--signature-policy", paramLabel = "FILE",
            description = "The signature policy (containers-policy.json(5)) for this pull (default: /etc/jcontainer/policy.json).")
    Path signaturePolicy;

    @Option(names = "--insecure-policy", description = "Accept the image whatever its signatures (no signature is checked).")
    boolean insecurePolicy;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pick from a multi-platform image (default: linux/amd64).")
    String platform;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registry (default: from auth.json).")
    String creds;

    @Option(names = "--default-registry", paramLabel = "HOST[:PORT]", description = "Where short names such as 'busybox' resolve (default: docker.io).")
    String defaultRegistry;

    @Option(names = "--read-timeout", paramLabel = "SECONDS",
            description = "Fail a download that receives nothing for this long (default: 60); its partial blob is kept for the next pull.")
    Integer readTimeout;

    /** The value of {@code --creds USER:PASSWORD} (pull, push, search). */
    static Credentials credentials(String creds) throws CliException {
        int colon = creds.indexOf(':');
        if (colon <= 0) {
            throw new CliException("Invalid --creds '" + creds.replaceAll(":.*", ":...") + "': expected USER:PASSWORD");
        }
        return new Credentials(creds.substring(0, colon), creds.substring(colon + 1));
    }

    @Override
    public Integer call() throws Exception {
        ImagePuller.Builder builder = ImagePuller.builder(main.host().store()).insecure(insecure);
        if (platform != null) {
            builder.platform(Platform.parse(platform));
        }
        if (creds != null) {
            builder.credentials(credentials(creds));
        }
        if (defaultRegistry != null) {
            builder.defaultRegistry(defaultRegistry);
        }
        if (readTimeout != null) {
            if (readTimeout <= 0) {
                throw new CliException("Invalid --read-timeout '" + readTimeout + "': expected seconds > 0");
            }
            builder.readTimeout(java.time.Duration.ofSeconds(readTimeout));
        }
        if (insecurePolicy && signaturePolicy != null) {
            throw new CliException("--insecure-policy and --signature-policy exclude each other.");
        }
        Host host = main.host();
        Policy policy = insecurePolicy ? Policy.acceptAnything()
                : signaturePolicy != null ? Policy.read(signaturePolicy) : Policy.readOrBuiltIn(host.policyPath());
        builder.trust(new ImagePuller.Trust(policy, host.registriesDirs()));
        PrintStream err = System.err;
        Image image = builder.build().pull(reference, PullProgress.forConsole(err));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Pulled " + image.reference() + ": " + image.manifestDigest());
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
