package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.registry.ImagePusher;
import io.jcontainer.image.registry.PushProgress;
import io.jcontainer.image.trust.RegistriesD;
import io.jcontainer.image.trust.SignatureStaging;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer push IMAGE [DEST]}: an image of the store to an OCI distribution registry. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Pushes an image to a registry: blobs the repository has are skipped, blobs known to be in another "
            + "repository of the registry are mounted from there, the rest are uploaded and verified by digest; the "
            + "manifest goes as stored, so the image keeps its digest. DEST defaults to IMAGE's own name. Credentials "
            + "as for pull (auth.json, credential helpers, or --creds). --sign-by signs it as skopeo does (simple "
            + "signing, with gpg and its agent) into the lookaside-staging that registries.d configures for DEST.",
        footer = {"", "Example:", "  jcontainer push registry.example.org/web:1.2",
            "  jcontainer push --insecure web:1.2 localhost:5000/team/web:1.2",
            "  jcontainer push --sign-by 3F0A...9C21 registry.example.org/web:1.2"})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image in the store: a name or an image ID.")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DEST",
            description = "Where to push: REGISTRY/REPOSITORY[:TAG] (default: IMAGE's name).")
    String destination;

    @Option(names = "--insecure", description = "Use plain HTTP (only for a registry you trust, such as one on localhost).")
    boolean insecure;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registry (default: from auth.json).")
    String creds;

    @Option(names = "--sign-by", paramLabel = "FINGERPRINT",
            description = "Sign the pushed image with this gpg key (containers-signature(5), as skopeo copy --sign-by).")
    String signBy;

    @Override
    public Integer call() throws Exception {
        ImageStore store = main.host().store();
        ImageArgument source = ImageArgument.resolve(store, image);
        ImageReference target;
        if (destination != null) {
            target = ImageReference.parse(destination);
        } else if (source.byId()) {
            throw new CliException("Push of image ID '" + image + "' needs a DEST name, refusing.");
        } else {
            target = source.image().reference();
        }
        // Signed before anything is pushed: a key gpg cannot use, or no staging location, pushes nothing.
        String staging = null;
        byte[] signature = null;
        if (signBy != null) {
            staging = RegistriesD.read(main.host().registriesDirs()).stagingFor(target);
            if (staging == null) {
                throw new CliException("Cannot sign '" + target + "': registries.d (" + main.host().registriesDirs()
                        + ") names no lookaside-staging or lookaside for it, refusing.");
            }
            signature = GpgSigner.sign(SignatureStaging.payload(target, source.image().manifestDigest(),
                    "jcontainer", Instant.now().getEpochSecond()), signBy, main.host().gnupgHome());
        }
        ImagePusher.Builder builder = ImagePusher.builder(store).insecure(insecure);
        if (creds != null) {
            builder.credentials(PullCommand.credentials(creds));
        }
        ImagePusher.Result result = builder.build().push(source.image().reference(), target, PushProgress.forConsole(System.err));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Pushed " + result.target() + ": " + result.manifestDigest() + " (" + result.uploaded().size()
                + " uploaded, " + result.mounted().size() + " mounted, " + result.existed().size() + " already there)");
        if (signature != null) {
            if (!result.manifestDigest().equals(source.image().manifestDigest())) {
                throw new CliException("Pushed '" + target + "' as " + result.manifestDigest() + ", not the "
                        + source.image().manifestDigest() + " signed: no signature written.");
            }
            Path written = SignatureStaging.write(staging, target, result.manifestDigest(), signature);
            out.println("Signed " + target + " by " + signBy + ": " + written);
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
