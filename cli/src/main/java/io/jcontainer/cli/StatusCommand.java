package io.jcontainer.cli;

import io.jcontainer.jnspawn.HostProgram;
import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.machined.MachineProperties;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer status NAME}: one container as {@code machinectl status} shows a machine, with its file and image. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows a container: its file, unit state, machine leader, image, addresses (Network=private), "
            + "root directory and since when it runs; where systemd is PID 1, the last lines of its journal.",
        footer = {"", "Example:", "  jcontainer status web"})
final class StatusCommand implements Callable<Integer> {
    /** As many journal lines as {@code machinectl status} shows by default. */
    static final int JOURNAL_LINES = 10;
    private static final long JOURNAL_TIMEOUT_SECONDS = 10;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container (its file is NAME.container).")
    String name;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ContainerReport r;
        try (ContainerStates states = ContainerStates.open(host)) {
            r = ContainerReport.collect(host, name, states);
            print(out, r);
            health(host, out);
            states.printNote(err);
        }
        if (host.systemdBooted()) {
            journal(out, err);
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private static void print(PrintWriter out, ContainerReport r) {
        MachineProperties m = r.machine().properties();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"File", r.file().toString()});
        if (r.fileProblem() != null) {
            lines.add(new String[] {"Problem", r.fileProblem()});
        }
        lines.add(new String[] {"Unit", ContainerUnitConverter.unitName(r.name()) + ": " + r.unit().detail()});
        lines.add(new String[] {"Machine", r.machine().summary()});
        lines.add(new String[] {"Leader", m == null ? ContainerStates.UNKNOWN : ContainerReport.leader(m.leader())});
        lines.add(new String[] {"Image", r.image() == null ? ContainerStates.UNKNOWN : r.image()
                + (r.storedImage() == null ? " (not in the store)"
                : " (" + Formats.shortId(r.storedImage().manifestDigest()) + ")")});
        if (r.addresses() == null) {
            lines.add(new String[] {"Address", ContainerStates.UNKNOWN + " (" + r.addressesProblem() + ")"});
        } else {
            // As machinectl status: the first address after the label, each further one on a line of its own.
            for (int i = 0; i < r.addresses().size(); i++) {
                lines.add(new String[] {i == 0 ? "Address" : "", r.addresses().get(i)});
            }
        }
        lines.add(new String[] {"Root", m == null || m.rootDirectory().isEmpty() ? ContainerStates.UNKNOWN : m.rootDirectory()});
        lines.add(new String[] {"Since", m == null || m.timestamp() == null ? ContainerStates.UNKNOWN
                : m.timestamp() + "; " + Formats.duration(Duration.between(m.timestamp(), Instant.now())) + " ago"});
        out.println(r.name());
        for (String[] l : lines) {
            out.println(" ".repeat(10 - l[0].length()) + l[0] + (l[0].isEmpty() ? "  " : ": ") + l[1]);
        }
    }

    /** {@code Health: healthy (failing streak 0): LAST OUTPUT}, for a container with a check. */
    private void health(Host host, PrintWriter out) {
        ContainerFile file;
        try {
            file = HealthcheckRunCommand.parse(host, name);
        } catch (CliException e) {
            return;
        }
        Map<String, Object> h = HealthState.inspect(host, name, file);
        if (h == null || h.get("status") == null) {
            return;
        }
        StringBuilder line = new StringBuilder("    Health: ").append(h.get("status"))
                .append(" (failing streak ").append(h.get("failingStreak")).append(')');
        List<?> log = (List<?>) h.get("log");
        if (!log.isEmpty()) {
            Object output = ((Map<?, ?>) log.get(log.size() - 1)).get("output");
            String first = String.valueOf(output).strip().lines().findFirst().orElse("");
            if (!first.isEmpty()) {
                line.append(": ").append(first.length() > 80 ? first.substring(0, 80) + "..." : first);
            }
        }
        out.println(line);
    }

    /** The unit's last journal lines, as machinectl status appends them; a failure is a note, not an error. */
    private void journal(PrintWriter out, PrintWriter err) {
        List<String> command = List.of(HostProgram.JOURNALCTL.command(), "-u", ContainerUnitConverter.unitName(name),
                "-n", Integer.toString(JOURNAL_LINES), "--no-pager");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(JOURNAL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            out.println();
            out.print(text);
        } catch (IOException e) {
            err.println("jcontainer: note: Failed to run journalctl: " + ContainerFiles.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
