package io.jcontainer.cli;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** One PublishPort= value: [IP:][HOST-PORT:]CONTAINER-PORT[/PROTO], as systemd-nspawn --port and docker -p. */
    record Mapping(String hostAddress, String hostPort, String containerPort, String protocol) {
        static Mapping parse(String value) throws CliException {
            String rest = value;
            String protocol = "tcp";
            int slash = rest.lastIndexOf('/');
            if (slash >= 0) {
                protocol = rest.substring(slash + 1);
                rest = rest.substring(0, slash);
            }
            int colon = rest.lastIndexOf(':');
            String container = rest.substring(colon + 1);
            String host = colon < 0 ? "" : rest.substring(0, colon);
            String address = "0.0.0.0";
            int hostColon = host.lastIndexOf(':');
            if (hostColon >= 0) {
                address = host.substring(0, hostColon);
                host = host.substring(hostColon + 1);
            }
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            if (!container.matches("[0-9]+(-[0-9]+)?") || !host.matches("([0-9]+(-[0-9]+)?)?")
                    || !protocol.matches("tcp|udp|sctp") || address.isEmpty()) {
                throw new CliException("Invalid PublishPort '" + value + "': expected [IP:][HOST-PORT:]CONTAINER-PORT[/tcp|udp].");
            }
            return new Mapping(address, host.isEmpty() ? container : host, container, protocol);
        }

        @Override
        public String toString() {
            String address = hostAddress.contains(":") ? "[" + hostAddress + "]" : hostAddress;
            return containerPort + "/" + protocol + " -> " + address + ":" + hostPort;
        }
    }

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        List<Mapping> mappings = mappings(host, name);
        PrintWriter out = spec.commandLine().getOut();
        String wanted = only == null ? null : only.contains("/") ? only : only + "/tcp";
        boolean any = false;
        for (Mapping m : mappings) {
            if (wanted == null || wanted.equals(m.containerPort() + "/" + m.protocol())) {
                out.println(wanted == null ? m.toString() : m.toString().substring(m.toString().indexOf("-> ") + 3));
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
    static List<Mapping> mappings(Host host, String name) throws CliException {
        Path file;
        ContainerFile parsed;
        try {
            file = ContainerFiles.locate(name, host.searchDirs());
        } catch (SettingsException e) {
            throw new CliException("No such container: " + e.getMessage(), e);
        }
        try {
            parsed = ContainerFile.parse(file);
        } catch (SettingsException e) {
            throw new CliException(e.getMessage(), e);
        }
        List<Mapping> out = new ArrayList<>();
        for (String value : parsed.publishPorts()) {
            out.add(Mapping.parse(value));
        }
        return out;
    }
}
