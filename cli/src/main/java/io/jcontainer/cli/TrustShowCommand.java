package io.jcontainer.cli;

import io.jcontainer.image.trust.Keyring;
import io.jcontainer.image.trust.Policy;
import io.jcontainer.image.trust.Requirement;
import io.jcontainer.image.trust.TrustException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer trust show [--json]}: each scope of the policy, its requirement and its keys' fingerprints. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Lists the policy: each registry scope (and the default, and other transports), its requirement "
            + "and the fingerprints of the keys it trusts.",
        footer = {"", "Example:", "  jcontainer trust show --json"})
final class TrustShowCommand implements Callable<Integer> {
    @ParentCommand
    TrustCommand trust;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "JSON: a list of {transport, scope, type, keys, identity}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Host host = trust.main.host();
        Policy policy = Policy.readOrBuiltIn(host.policyPath());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Requirement r : policy.defaults()) {
            rows.add(row("", "default", r));
        }
        policy.transports().forEach((transport, scopes) -> scopes.forEach((scope, reqs) -> {
            for (Requirement r : reqs) {
                rows.add(row(transport, scope.isEmpty() ? "(every other)" : scope, r));
            }
        }));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, Map.of("policy", policy.source(), "rules", rows));
            return ExitCodePolicy.SUCCESS;
        }
        Table table = new Table("TRANSPORT", "SCOPE", "TYPE", "KEYS");
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> keys = (List<Map<String, Object>>) row.get("keys");
            List<String> fprs = new ArrayList<>();
            for (Map<String, Object> k : keys) {
                Object f = k.get("fingerprints");
                fprs.add(f instanceof List<?> l ? String.join(",", l.stream().map(Object::toString).toList()) : String.valueOf(k.get("error")));
            }
            table.row(row.get("transport").toString().isEmpty() ? "-" : row.get("transport").toString(), row.get("scope").toString(),
                    row.get("type").toString(), fprs.isEmpty() ? "-" : String.join(" ", fprs));
        }
        out.println("# " + policy.source());
        table.print(out);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private static Map<String, Object> row(String transport, String scope, Requirement r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("transport", transport);
        row.put("scope", scope);
        row.put("type", r.type());
        List<Map<String, Object>> keys = new ArrayList<>();
        String identity = null;
        if (r instanceof Requirement.SignedBy s) {
            identity = s.signedIdentity().type();
            if (s.keyData() != null) {
                keys.add(openPgp("keyData", () -> Keyring.parse(s.keyData(), "keyData")));
            }
            for (Path p : s.keyPaths()) {
                keys.add(openPgp(p.toString(), () -> Keyring.read(p)));
            }
        } else if (r instanceof Requirement.SigstoreSigned s) {
            identity = s.signedIdentity().type();
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("path", s.keyPath() == null ? "keyData" : s.keyPath().toString());
            try {
                k.put("fingerprints", List.of(s.keyPath() == null ? "keyData"
                        : TrustFiles.readKey(s.keyPath()).fingerprint()));
            } catch (CliException | TrustException e) {
                k.put("error", e.getMessage());
            }
            keys.add(k);
        }
        row.put("keys", keys);
        row.put("identity", identity);
        return row;
    }

    interface KeyringSource {
        Keyring get() throws TrustException;
    }

    private static Map<String, Object> openPgp(String path, KeyringSource source) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("path", path);
        try {
            Keyring ring = source.get();
            k.put("fingerprints", ring.fingerprints());
            k.put("userIds", ring.userIds());
        } catch (TrustException e) {
            k.put("error", e.getMessage());
        }
        return k;
    }
}
