package io.jcontainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer system VERB}: the store as a whole (podman's {@code system} verbs). */
@Command(name = "system", mixinStandardHelpOptions = true, description = "Checks the image store as a whole.",
        footer = {"", "Example:", "  jcontainer system check --repair"},
        subcommands = {SystemCheckCommand.class})
final class SystemCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodePolicy.FAILURE;
    }
}
