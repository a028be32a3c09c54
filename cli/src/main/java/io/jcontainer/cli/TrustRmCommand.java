package io.jcontainer.cli;

import io.jcontainer.image.trust.Policy;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer trust rm SCOPE}: removes a scope's rule; its images fall back to the enclosing scope's. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Removes the requirements of SCOPE from the policy; its images then follow the next enclosing scope "
            + "(or the default). The key files stay in /etc/jcontainer/trust/.",
        footer = {"", "Example:", "  jcontainer trust rm registry.example.org/web"})
final class TrustRmCommand implements Callable<Integer> {
    @ParentCommand
    TrustCommand trust;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCOPE", description = "A scope as 'jcontainer trust show' lists it.")
    String scope;

    @Override
    public Integer call() throws Exception {
        Host host = trust.main.host();
        host.requireRoot("trust rm", "it writes " + host.policyPath());
        TrustFiles files = new TrustFiles(host);
        Policy policy = files.policy();
        if (!policy.transports().getOrDefault(Policy.DOCKER, Map.of()).containsKey(scope)) {
            throw new CliException("Scope '" + scope + "' is not in " + files.policyPath() + " (see 'jcontainer trust show').");
        }
        files.writePolicy(policy.with(Policy.DOCKER, scope, null));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Removed '" + scope + "' from " + files.policyPath());
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
