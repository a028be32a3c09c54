package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.Platform;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.PolicyCheck;
import io.jcontainer.image.trust.Verification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer import SOURCE [--name NAME]}: an image from a layout, an archive, a tarball or a directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Imports an image into the store. SOURCE is told apart by its content: an OCI layout directory "
            + "or tar (oci-layout inside), a docker save tar (manifest.json inside), a dir: image of skopeo (its "
            + "signature-N checked when the policy asks for signatures), an ACI (manifest and "
            + "rootfs/ inside; named NAME:VERSION by its manifest; verified against FILE.asc beside it with the keys "
            + "trusted for NAME, jcontainer trust --prefix), a plain root file system "
            + "tarball (tar, tar.gz, tar.zst) or a directory; the last two need --name.",
        footer = {"", "Example:", "  jcontainer import busybox.tar",
            "  jcontainer import --name example.org/rootfs:1 rootfs.tar.gz"})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "What to import.")
    Path source;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The image's name (default: the name the archive carries).")
    String name;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The image to take from a multi-platform OCI layout (default: linux/amd64).")
    String platform;

    @Option(names = "--insecure-policy",
            description = "Accept the image whatever its signatures (no signature is checked; an ACI's .asc neither).")
    boolean insecurePolicy;

    @Override
    public Integer call() throws Exception {
        ImageSource src = ImageSource.detect(source);
        ImageReference ref = name == null ? null : ImageReference.parse(name);
        Host host = main.host();
        ImageStore store = host.store();
        // The policy's transport for each kind of source (containers-policy.json(5) names): accepted by default.
        String transport = switch (src.kind()) {
            case OCI_LAYOUT_DIRECTORY -> "oci";
            case OCI_LAYOUT_TAR -> "oci-archive";
            case DOCKER_ARCHIVE -> "docker-archive";
            case CONTAINERS_DIR -> "dir";
            // containers-policy.json(5) has no ACI transport: an ACI is checked by its name's docker scope (AciImport).
            case ACI, ROOTFS_TARBALL -> "tarball";
            case DIRECTORY -> "dir";
        };
        Policy policy = insecurePolicy ? Policy.acceptAnything() : Policy.readOrBuiltIn(host.policyPath());
        Verification verified = null;
        byte[] dirManifest = null;
        if (src.kind() == ImageSource.Kind.ACI) {
            if (insecurePolicy) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("jcontainer: warning: importing '" + source + "' unverified (--insecure-policy).");
                err.flush();
            }
        } else if (src.kind() == ImageSource.Kind.CONTAINERS_DIR) {
            // Signed as a name: the image's --name is the identity its signatures must name.
            requireName(ref, src);
            dirManifest = ContainersDir.manifest(source);
            verified = PolicyCheck.checkLocal(policy, transport, source, ref, io.jcontainer.image.Digest.sha256(dirManifest),
                    ContainersDir.signatures(source));
        } else {
            verified = PolicyCheck.checkLocal(policy, transport, source, null, null, null);
        }
        final byte[] manifest = dirManifest;
        Image image = switch (src.kind()) {
            case OCI_LAYOUT_DIRECTORY, OCI_LAYOUT_TAR -> {
                if (ref == null && src.suggestedName() != null) {
                    ref = ImageReference.parse(src.suggestedName());
                }
                requireName(ref, src);
                yield store.importOciLayout(source, ref, platform == null ? Platform.DEFAULT : Platform.parse(platform));
            }
            case DOCKER_ARCHIVE -> store.importDockerArchive(source, ref);
            case ACI -> {
                AciImport.Result aci = AciImport.importChecked(store, source, policy);
                verified = aci.verified();
                yield ref == null ? aci.image() : store.register(ref, aci.image().manifestDigest());
            }
            case CONTAINERS_DIR -> {
                Path layout = store.scratchDir().resolve("dir-import-" + java.util.UUID.randomUUID());
                try {
                    yield store.importOciLayout(ContainersDir.toOciLayout(source, manifest, layout), ref, Platform.DEFAULT);
                } finally {
                    io.jcontainer.image.internal.store.FsUtil.deleteQuietly(layout);
                }
            }
            case ROOTFS_TARBALL -> {
                requireName(ref, src);
                yield store.importRootfsTarball(source, ref);
            }
            case DIRECTORY -> {
                requireName(ref, src);
                yield store.importDirectory(source, ref);
            }
        };
        verified.write(store.root(), image.manifestDigest());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Imported " + image.reference() + " from " + src.kind().description + ": " + image.manifestDigest());
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private void requireName(ImageReference ref, ImageSource src) throws CliException {
        if (ref == null) {
            throw new CliException("'" + source + "' is " + src.kind().description
                    + " that names no image: give one with --name, refusing.");
        }
    }
}
