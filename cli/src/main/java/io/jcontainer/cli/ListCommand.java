package io.jcontainer.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer list}: every container file, with its unit's and its machine's state. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists every container (/run/jcontainer and /etc/jcontainer, /run first) with the state of its "
            + "unit jcontainer@NAME.service and of its machine in systemd-machined ('none': not registered; "
            + "'-': unknown, with a note why on stderr).",
        footer = {"", "Example:", "  jcontainer list"})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        List<ContainerFiles.Entry> files = ContainerFiles.effective(host.searchDirs());
        Table table = new Table("NAME", "FILE", "UNIT-STATE", "MACHINE-STATE");
        PrintWriter out = spec.commandLine().getOut();
        if (files.isEmpty()) {
            table.print(out);
            return ExitCodePolicy.SUCCESS;
        }
        try (ContainerStates states = ContainerStates.open(host)) {
            for (ContainerFiles.Entry e : files) {
                table.row(e.name(), e.file().toString(), states.unit(e.name()).summary(),
                        states.machine(e.name()).summary());
            }
            table.print(out);
            states.printNote(spec.commandLine().getErr());
        }
        return ExitCodePolicy.SUCCESS;
    }
}
