package io.jcontainer.cli;

import io.jcontainer.image.registry.AuthFile;
import io.jcontainer.image.registry.Credentials;
import io.jcontainer.image.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer search TERM --registry R}: the repositories of a registry's catalog whose name contains TERM. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Searches a registry's catalog (GET /v2/_catalog) for repositories whose name contains TERM "
            + "(case-insensitive; an empty TERM lists them all), with their tags when asked. Docker Hub offers no "
            + "catalog: name a registry with --registry, or as TERM's prefix (localhost:5000/web).",
        footer = {"", "Example:", "  jcontainer search --registry registry.example.org web",
            "  jcontainer search --insecure --tags --json localhost:5000/team"})
final class SearchCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TERM", description = "Part of a repository name, or REGISTRY/PART.")
    String term;

    @Option(names = "--registry", paramLabel = "HOST[:PORT]", description = "The registry whose catalog to search.")
    String registry;

    @Option(names = "--tags", description = "Also list each repository's tags.")
    boolean tags;

    @Option(names = "--json", description = "Print a JSON array of {name, repository, tags}.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", description = "At most N results (default: all).")
    Integer limit;

    @Option(names = "--insecure", description = "Use plain HTTP (only for a registry you trust, such as one on localhost).")
    boolean insecure;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registry (default: from auth.json).")
    String creds;

    @Override
    public Integer call() throws Exception {
        String host = registry;
        String part = term;
        int slash = term.indexOf('/');
        if (host == null && slash > 0 && looksLikeHost(term.substring(0, slash))) {
            host = term.substring(0, slash);
            part = term.substring(slash + 1);
        }
        if (host == null) {
            throw new CliException("search needs a registry: --registry HOST[:PORT] or TERM as HOST/PART"
                    + " (Docker Hub has no catalog)");
        }
        if (limit != null && limit < 1) {
            throw new CliException("Invalid --limit '" + limit + "': expected a number > 0");
        }
        Credentials c = creds != null ? PullCommand.credentials(creds) : AuthFile.defaults().find(host, "").orElse(null);
        RegistryClient client = RegistryClient.builder(host).insecure(insecure).credentials(c).build();
        String needle = part.toLowerCase(Locale.ROOT);
        List<String> matches = new ArrayList<>();
        for (String repository : client.catalog()) {
            if (repository.toLowerCase(Locale.ROOT).contains(needle) && (limit == null || matches.size() < limit)) {
                matches.add(repository);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> array = new ArrayList<>();
        Table table = tags ? new Table("NAME", "TAGS") : new Table("NAME");
        for (String repository : matches) {
            String name = host + "/" + repository;
            List<String> tagList = tags ? client.tags(repository).stream().sorted().toList() : null;
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", name);
            o.put("repository", repository);
            o.put("tags", tagList);
            array.add(o);
            if (tags) {
                table.row(name, String.join(", ", tagList));
            } else {
                table.row(name);
            }
        }
        if (json) {
            JsonOutput.print(out, array);
        } else {
            table.print(out);
        }
        return ExitCodePolicy.SUCCESS;
    }

    /** {@code localhost}, {@code host:port}, {@code example.org}: as image references tell a registry from a path. */
    private static boolean looksLikeHost(String s) {
        return s.equals("localhost") || s.contains(".") || s.contains(":");
    }
}
