package io.jcontainer.cli;

import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.Requirement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer trust set -t TYPE [-f KEYFILE] SCOPE}, podman's {@code image trust set}: replaces a scope's rule. */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Sets the one requirement of SCOPE (a registry host or HOST/PATH, or 'default'): signedBy or "
            + "sigstoreSigned with the key of -f, accept (insecureAcceptAnything) or reject.",
        footer = {"", "Example:", "  jcontainer trust set -t reject default",
            "  jcontainer trust set -t signedBy -f release.gpg registry.example.org",
            "  jcontainer trust set -t accept localhost:5000"})
final class TrustSetCommand implements Callable<Integer> {
    @ParentCommand
    TrustCommand trust;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE",
            description = "signedBy, sigstoreSigned, accept or reject.")
    String type;

    @Option(names = {"-f", "--pubkeysfile"}, paramLabel = "KEYFILE", description = "The key, for signedBy and sigstoreSigned.")
    Path keyFile;

    @Parameters(index = "0", paramLabel = "SCOPE", description = "HOST, HOST/PATH, or 'default'.")
    String scope;

    @Override
    public Integer call() throws Exception {
        Host host = trust.main.host();
        host.requireRoot("trust set", "it writes " + host.policyPath() + " and " + host.trustDir());
        boolean isDefault = scope.equals("default");
        if (!isDefault) {
            TrustFiles.checkScope(scope);
        }
        TrustFiles files = new TrustFiles(host);
        Requirement req;
        String said;
        switch (type) {
            case "accept", "insecureAcceptAnything" -> {
                req = new Requirement.InsecureAcceptAnything();
                said = "Accepting every image";
            }
            case "reject" -> {
                req = new Requirement.Reject();
                said = "Rejecting every image";
            }
            case "signedBy", "sigstoreSigned" -> {
                if (keyFile == null) {
                    throw new CliException("'trust set -t " + type + "' needs the key: -f KEYFILE.");
                }
                TrustFiles.Key key = TrustFiles.readKey(keyFile);
                if (key.openPgp() != type.equals("signedBy")) {
                    throw new CliException("Key file '" + keyFile + "' is " + (key.openPgp() ? "an OpenPGP keyring" : "a PEM public key")
                            + ", not a key for " + type + ".");
                }
                Path stored = files.store(isDefault ? "default" : scope, key);
                req = TrustFiles.requirement(key, stored);
                said = "Requiring a signature by " + String.join(", ", key.lines()) + " (" + stored + ")";
            }
            default -> throw new CliException("Unknown trust type '" + type + "': expected signedBy, sigstoreSigned, accept or reject.");
        }
        if (keyFile != null && (req instanceof Requirement.Reject || req instanceof Requirement.InsecureAcceptAnything)) {
            throw new CliException("'trust set -t " + type + "' takes no key (-f).");
        }
        Policy policy = files.policy();
        Policy updated = isDefault ? new Policy(List.of(req), policy.transports(), policy.source())
                : policy.with(Policy.DOCKER, scope, List.of(req));
        files.writePolicy(updated);
        PrintWriter out = spec.commandLine().getOut();
        out.println(said + " for " + (isDefault ? "the default" : "'" + scope + "'") + " (" + files.policyPath() + ")");
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
