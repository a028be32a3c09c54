package io.jcontainer.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer create}: writes the container file {@code run} would write, and starts nothing; where systemd
 * is PID 1 it reloads systemd, so that {@code jcontainer start NAME} (or {@code systemctl start jcontainer@NAME})
 * finds the unit. Prints the container's name.
 */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Creates a container without starting it: writes /run/jcontainer/NAME.container as 'run' "
            + "does (same options) and, where systemd is PID 1, runs 'systemctl daemon-reload'. Prints the name; "
            + "'jcontainer start NAME' starts it."},
        footer = {"", "Example:", "  jcontainer create --name web --memory 256m -p 8080:80 busybox httpd -f",
            "  jcontainer start web"})
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        host.requireRootToDefine("create");
        TransientContainer file = container.describe(host, false, spec.commandLine().getErr());
        Path written = container.write(host, host.transientDir(), file);
        if (host.systemdBooted()) {
            Systemctl.daemonReload();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(ContainerOptions.nameOf(written));
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
