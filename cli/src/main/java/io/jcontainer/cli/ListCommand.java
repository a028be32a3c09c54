package io.jcontainer.cli;

import java.io.PrintWriter;
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

/** {@code jcontainer list}: every container file, with its unit's and its machine's state. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists every container (/run/jcontainer and /etc/jcontainer, /run first) with the state of its "
            + "unit jcontainer@NAME.service and of its machine in systemd-machined ('none': not registered; "
            + "'-': unknown, with a note why on stderr).",
        footer = {"", "Example:", "  jcontainer list --json"})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "A JSON array of {name, file, unitState, machineState}; a state "
            + "that is unknown is null.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        List<ContainerFiles.Entry> files = ContainerFiles.effective(host.searchDirs());
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, String>> rows = new ArrayList<>();
        if (!files.isEmpty()) {
            try (ContainerStates states = ContainerStates.open(host)) {
                for (ContainerFiles.Entry e : files) {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("name", e.name());
                    row.put("file", e.file().toString());
                    row.put("unitState", known(states.unit(e.name()).summary()));
                    row.put("machineState", known(states.machine(e.name()).summary()));
                    rows.add(row);
                }
                states.printNote(spec.commandLine().getErr());
            }
        }
        if (json) {
            JsonOutput.print(out, rows);
            return ExitCodePolicy.SUCCESS;
        }
        Table table = new Table("NAME", "FILE", "UNIT-STATE", "MACHINE-STATE");
        for (Map<String, String> r : rows) {
            table.row(r.get("name"), r.get("file"), orUnknown(r.get("unitState")), orUnknown(r.get("machineState")));
        }
        table.print(out);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    private static String known(String state) {
        return state.equals(ContainerStates.UNKNOWN) ? null : state;
    }

    private static String orUnknown(String state) {
        return state == null ? ContainerStates.UNKNOWN : state;
    }
}
