package io.jcontainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jcontainer version}: the version of jcontainer and of the Java runtime it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Shows the version of jcontainer and of its Java runtime.")
final class VersionCommand implements Callable<Integer> {

    private static final String VERSION_RESOURCE = "version.properties";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("jcontainer " + version());
        out.println("java " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ", " + System.getProperty("java.vm.name") + ")");
        out.println("os " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    /** The project version, filtered into {@code version.properties} by the build. */
    static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read " + VERSION_RESOURCE, e);
        }
    }

    /** {@code jcontainer --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jcontainer " + version()};
        }
    }
}
