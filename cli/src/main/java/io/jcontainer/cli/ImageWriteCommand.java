package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import io.jcontainer.image.HistoryStep;
import io.jcontainer.image.Image;
import io.jcontainer.image.ImageIndex;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jcontainer image write [--format oci|aci] OUT | --to-store NAME:TAG}: the build as an image. The final
 * image (the layers with the settings as its config) is cached as a step of {@code build} is, so writing an
 * unchanged build again gives the same image and the same bytes.
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = {"Writes the build: an OCI archive (what 'skopeo inspect oci-archive:' and 'jcontainer import' "
            + "read), an ACI (tar of manifest and rootfs/, gzip), or with --to-store an image of the store. Prints "
            + "what it wrote and its sha256 (of the file; of the manifest for --to-store).",
            "The file appears whole or not at all. An unchanged build writes the same bytes."})
final class ImageWriteCommand extends ImageVerbs.Verb {
    static final String CONTAINERD_NAME = ImageSource.CONTAINERD_NAME;

    @Option(names = "--format", paramLabel = "oci|aci",
            description = "The file's format (default: aci for a name ending in .aci, else oci).")
    String format;

    @Option(names = "--to-store", paramLabel = "NAME:TAG", description = "Also (or only) name the image in the store.")
    String toStore;

    @Option(names = "--sign-by", paramLabel = "FINGERPRINT",
            description = "Also write OUT.asc, a detached armored signature of the ACI by this gpg key (gpg --detach-sign), "
                + "which import and run check.")
    String signBy;

    @Parameters(index = "0", arity = "0..1", paramLabel = "OUT", description = "The file to write (replaced if it exists).")
    Path target;

    @Override
    public Integer call() throws Exception {
        if (format != null && !format.equals("oci") && !format.equals("aci")) {
            throw new CliException("Invalid --format '" + format + "': expected oci or aci.");
        }
        if (target == null && toStore == null) {
            throw new CliException("write needs a file to write or --to-store NAME:TAG.");
        }
        ImageReference storeName = toStore == null ? null : ImageReference.parse(toStore);
        WorkingBuild build = WorkingBuild.load(work());
        boolean aci = format != null ? format.equals("aci") : target != null && target.toString().endsWith(".aci");
        if (aci && target != null && build.name == null) {
            throw new CliException("An ACI needs a name: 'jcontainer image set-name NAME' first.");
        }
        if (signBy != null && (!aci || target == null)) {
            throw new CliException("--sign-by signs an ACI file only (its OUT.asc), refusing.");
        }
        ImageStore store = main().host().store();
        PrintWriter out = spec.commandLine().getOut();
        try (var held = store.lockForWriting()) {
            Image image = finalImage(store, build);
            if (target != null) {
                if (aci) {
                    AciArchive.write(store, image, AciManifest.write(build), target);
                } else {
                    store.export(image, indexAnnotations(build), target);
                }
                out.println("Wrote " + target + ": " + fileDigest(target));
                if (signBy != null) {
                    Path asc = GpgSigner.detachSign(target, signBy, main().host().gnupgHome());
                    out.println("Signed " + target + " by " + signBy + ": " + asc);
                }
            }
            if (storeName != null) {
                store.register(storeName, image.manifestDigest());
                out.println("Wrote " + storeName + ": " + image.manifestDigest());
            }
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    /** The layers with the build's settings as config: from the cache when both are unchanged. */
    static Image finalImage(ImageStore store, WorkingBuild build) throws Exception {
        Image layers = build.layers(store);
        BuildCache cache = new BuildCache(store);
        Digest key = BuildCache.key(layers, "jcontainer image write\n" + build.settingsText());
        Optional<Image> cached = cache.lookup(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Image image = store.writeImage(layers, List.of(), build.config().defaults(),
                List.of(new HistoryStep("jcontainer image write", "jcontainer image", true)), null);
        cache.put(key, image.manifestDigest());
        return image;
    }

    /** The OCI archive's index entry: the tag (the version label) as ref.name, the full name, the annotations. */
    private static Map<String, String> indexAnnotations(WorkingBuild build) {
        Map<String, String> a = new TreeMap<>(build.annotations);
        String tag = build.labels.getOrDefault(AciManifest.VERSION_LABEL, "latest");
        a.put(ImageIndex.REF_NAME, tag);
        if (build.name != null) {
            a.put(CONTAINERD_NAME, build.name + ":" + tag);
        }
        return a;
    }

    private static String fileDigest(Path file) throws CliException {
        MessageDigest sha = Digest.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new CliException("Failed to read '" + file + "': " + ContainerFiles.reason(e), e);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /** {@code cat-manifest}: the ACI manifest {@code write} would write. */
    @Command(name = "cat-manifest", mixinStandardHelpOptions = true,
            description = "Prints the build's ACI manifest (appc schema), as 'write' would write it.")
    static final class CatManifest extends ImageVerbs.Verb {
        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            out.print(new String(AciManifest.write(WorkingBuild.load(work())), StandardCharsets.UTF_8));
            out.flush();
            return ExitCodePolicy.SUCCESS;
        }
    }
}
