package io.jcontainer.cli;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer port NAME [PORT[/PROTO]]}: the container's published ports, as its file's PublishPort= says. */
@Command(name = "port", mixinStandardHelpOptions = true,
        description = "Lists a container's published ports (the PublishPort= lines of its file; 'run -p' writes "
            + "them), as docker port does: CONTAINER-PORT/PROTO -> HOST-ADDRESS:HOST-PORT.",
        footer = {"", "Example:", "  jcontainer port web", "  jcontainer port web 80/tcp"})
final class PortCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]", description = "Only this container port.")
    String only;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        List<PortMapping> mappings = mappings(host, name);
        PrintWriter out = spec.commandLine().getOut();
        String wanted = only == null ? null : only.contains("/") ? only : only + "/tcp";
        boolean any = false;
        for (PortMapping m : mappings) {
            if (wanted == null || wanted.equals(m.containerPort() + "/" + m.protocol())) {
                // On one host address, or on every one (0.0.0.0, as docker port shows it).
                String published = (m.address() == null ? "0.0.0.0" : m.address()) + ":" + m.hostPort();
                out.println(wanted == null ? m.containerPort() + "/" + m.protocol() + " -> " + published : published);
                any = true;
            }
        }
        out.flush();
        if (wanted != null && !any) {
            throw new CliException("No public port '" + wanted + "' published for '" + name + "'.");
        }
        return ExitCodePolicy.SUCCESS;
    }

    /** The published ports of container {@code name}, from its file. */
    static List<PortMapping> mappings(Host host, String name) throws CliException {
        Path file;
        ContainerFile parsed;
        file = host.containerFile(name);
        try {
            parsed = ContainerFile.parse(file);
        } catch (SettingsException e) {
            throw new CliException(e.getMessage(), e);
        }
        try {
            return parsed.publishedPorts();
        } catch (SettingsException e) {
            throw new CliException(file + ": " + e.getMessage(), e);
        }
    }
}
