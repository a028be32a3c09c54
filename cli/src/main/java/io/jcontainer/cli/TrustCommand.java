package io.jcontainer.cli;

import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.Requirement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer trust --prefix=PREFIX KEYFILE}, rkt's form: trusts the keys of KEYFILE for images named
 * PREFIX or below it (on whole name components), adding them to the keys the prefix already has.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = "Trusts a key for images whose name is PREFIX or lies below it (on whole components: "
            + "example.com/app is not a prefix of example.com/app-evil). KEYFILE is an OpenPGP public keyring "
            + "(gpg --export, binary or --armor) or a PEM public key (cosign). The key is stored in /etc/jcontainer/trust/ "
            + "and /etc/jcontainer/policy.json (containers-policy.json(5)) requires a signature by it for PREFIX.",
        footer = {"", "Example:", "  jcontainer trust --prefix=registry.example.org/web release.asc",
            "  jcontainer trust show",
            "  (release.asc as the publisher exports it: gpg --export --armor release@example.org)"},
        subcommands = {TrustSetCommand.class, TrustShowCommand.class, TrustRmCommand.class})
final class TrustCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    // Not required = true: picocli would then ask for them before 'trust show' too; call() checks them.
    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "The image name prefix: HOST, or HOST/PATH (no tag, no digest).")
    String prefix;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEYFILE", description = "An OpenPGP public keyring or a PEM public key.")
    Path keyFile;

    @Override
    public Integer call() throws Exception {
        if (prefix == null || keyFile == null) {
            throw new CliException("Usage: jcontainer trust --prefix=PREFIX KEYFILE (or trust set|show|rm; see --help).");
        }
        Host host = main.host();
        host.requireRoot("trust", "it writes " + host.policyPath() + " and " + host.trustDir());
        TrustFiles.checkScope(prefix);
        TrustFiles files = new TrustFiles(host);
        TrustFiles.Key key = TrustFiles.readKey(keyFile);
        Policy policy = files.policy();
        Path stored = files.store(prefix, key);
        Requirement req = TrustFiles.requirement(key, stored);
        List<Requirement> reqs = new ArrayList<>();
        for (Requirement r : policy.transports().getOrDefault(Policy.DOCKER, java.util.Map.of()).getOrDefault(prefix, List.of())) {
            if (!samePath(r, stored)) {
                reqs.add(r); // another key kind (OpenPGP beside cosign): both must hold, as containers-policy.json(5) says
            }
        }
        if (reqs.stream().anyMatch(r -> r instanceof Requirement.Reject || r instanceof Requirement.InsecureAcceptAnything)) {
            reqs.clear(); // a key replaces an accept or reject
        }
        reqs.add(req);
        files.writePolicy(policy.with(Policy.DOCKER, prefix, reqs));
        PrintWriter out = spec.commandLine().getOut();
        for (String line : key.lines()) {
            out.println("Trusting " + line + " for prefix '" + prefix + "' (" + stored + ", " + files.policyPath() + ")");
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    static boolean samePath(Requirement r, Path p) {
        return r instanceof Requirement.SignedBy s && s.keyPaths().equals(List.of(p))
                || r instanceof Requirement.SigstoreSigned s2 && p.equals(s2.keyPath());
    }
}
