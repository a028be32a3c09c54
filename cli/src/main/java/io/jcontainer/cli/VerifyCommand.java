package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.generator.GeneratedUnit;
import io.jcontainer.generator.GeneratorMain;
import io.jcontainer.generator.ImageConfigReader;
import io.jcontainer.jnspawn.settings.ContainerFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jcontainer verify FILE}: what the generator would make of one container file, in the format of
 * {@code jcontainer-generator --dry-run}, or the first problem as {@code FILE:LINE: reason}.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Checks a container file and prints the jcontainer@NAME.service drop-in and the [Install] links "
            + "the generator would write for it; on a problem, prints FILE:LINE: reason.",
        footer = {"", "Example:", "  jcontainer verify /etc/jcontainer/web.container"})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A container file (NAME.container).")
    Path file;

    @Override
    public Integer call() throws Exception {
        // The image config's defaults as the generator reads them: from the store when it has the image.
        ContainerFile container = ContainerFile.parse(file);
        GeneratedUnit unit = ContainerUnitConverter.convert(container,
                new ImageConfigReader(main.host().storeRoot()).read(container));
        PrintWriter out = spec.commandLine().getOut();
        for (GeneratedUnit.File f : unit.files()) {
            out.print("---" + f.path() + "---\n" + f.text());
        }
        for (GeneratedUnit.Link link : unit.links()) {
            out.print("---" + link.path(unit.unitName()) + " -> " + GeneratorMain.TEMPLATE_PATH + "---\n");
        }
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }
}
