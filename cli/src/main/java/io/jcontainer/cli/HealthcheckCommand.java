package io.jcontainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer healthcheck}: the health check verbs ({@code run}). */
@Command(name = "healthcheck", mixinStandardHelpOptions = true,
        description = "Health checks of containers (HealthCmd=, or the image's HEALTHCHECK); "
            + "jcontainer-healthcheck@NAME.timer runs 'healthcheck run NAME' at each interval.",
        footer = {"", "Example:", "  jcontainer healthcheck run web"},
        subcommands = HealthcheckRunCommand.class)
final class HealthcheckCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodePolicy.SUCCESS;
    }
}
