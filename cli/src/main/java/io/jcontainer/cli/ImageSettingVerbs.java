package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The {@code jcontainer image} verbs that change the build's settings, not its files: name, exec, environment, user,
 * group, working directory, ports, labels, annotations and mount points. Names follow the appc schema's rules
 * (spec/types.md: AC Identifier, AC Name), so that the ACI {@code write} makes is valid.
 */
final class ImageSettingVerbs {
    /** appc AC Identifier: lowercase letters and digits, with {@code -._~/} between them. */
    static final Pattern AC_IDENTIFIER = Pattern.compile("[a-z0-9]+(?:[-._~/][a-z0-9]+)*");
    /** appc AC Name: lowercase letters and digits, with {@code -} between them. */
    static final Pattern AC_NAME = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final int MAX_PORT = 65535;

    private ImageSettingVerbs() {
    }

    @Command(name = "set-name", mixinStandardHelpOptions = true,
            description = "Names the image (an appc name such as example.com/hello; its label 'version' is the tag).")
    static final class SetName extends ImageVerbs.Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void change(WorkingBuild build) throws CliException {
            String why = null;
            if (!AC_IDENTIFIER.matcher(name).matches()) {
                why = "expected lowercase letters and digits with -._~/ between them, as example.com/hello";
            } else {
                try {
                    ImageReference.parse(name);
                } catch (ImageStoreException | RuntimeException e) {
                    why = e.getMessage();
                }
            }
            if (why != null) {
                throw new CliException("Invalid image name '" + name + "': " + why + "; the build is unchanged.");
            }
            build.name = name;
        }
    }

    @Command(name = "set-exec", mixinStandardHelpOptions = true,
            description = "Sets the command the image runs (the OCI entrypoint, with an empty cmd; the ACI's app.exec).")
    static final class SetExec extends ImageVerbs.Change {
        @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
        List<String> command;

        @Override
        void change(WorkingBuild build) throws CliException {
            if (!command.get(0).startsWith("/")) {
                throw new CliException("Invalid exec '" + command.get(0) + "': the command must be an absolute path "
                        + "(appc app.exec); the build is unchanged.");
            }
            build.entrypoint = new ArrayList<>(command);
            build.cmd = List.of();
        }
    }

    @Command(name = "set-env", mixinStandardHelpOptions = true, description = "Sets environment variables.")
    static final class SetEnv extends ImageVerbs.Change {
        @Parameters(arity = "1..*", paramLabel = "NAME=VALUE")
        List<String> assignments;

        @Override
        void change(WorkingBuild build) throws CliException {
            for (String a : assignments) {
                int eq = a.indexOf('=');
                if (eq <= 0 || !ENV_NAME.matcher(a.substring(0, eq)).matches()) {
                    throw new CliException("Malformed set-env '" + a + "': expected NAME=VALUE; the build is unchanged.");
                }
                build.env.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
    }

    @Command(name = "set-user", mixinStandardHelpOptions = true, description = "Sets the user (a name or a UID).")
    static final class SetUser extends ImageVerbs.Change {
        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Override
        void change(WorkingBuild build) throws CliException {
            build.user = owner(user, "user");
        }
    }

    @Command(name = "set-group", mixinStandardHelpOptions = true, description = "Sets the group (a name or a GID).")
    static final class SetGroup extends ImageVerbs.Change {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Override
        void change(WorkingBuild build) throws CliException {
            build.group = owner(group, "group");
        }
    }

    private static String owner(String text, String what) throws CliException {
        if (text.isEmpty() || text.contains(":") || text.chars().anyMatch(Character::isWhitespace)) {
            throw new CliException("Invalid " + what + " '" + text + "': expected a name or a number; "
                    + "the build is unchanged.");
        }
        return text;
    }

    @Command(name = "set-working-dir", mixinStandardHelpOptions = true,
            description = "Sets the working directory of the image's command.")
    static final class SetWorkingDir extends ImageVerbs.Change {
        @Parameters(index = "0", paramLabel = "DIR")
        String dir;

        @Override
        void change(WorkingBuild build) throws CliException {
            build.workingDir = absolute(dir, "working directory");
        }
    }

    private static String absolute(String path, String what) throws CliException {
        if (!path.startsWith("/")) {
            throw new CliException("Invalid " + what + " '" + path + "': expected an absolute path; "
                    + "the build is unchanged.");
        }
        return java.nio.file.Path.of(path).normalize().toString();
    }

    private static String acName(String text, String what) throws CliException {
        if (!AC_NAME.matcher(text).matches()) {
            throw new CliException("Invalid " + what + " '" + text + "': expected lowercase letters and digits "
                    + "with - between them; the build is unchanged.");
        }
        return text;
    }

    @Command(name = "port", mixinStandardHelpOptions = true, description = "Adds or removes a port.",
            subcommands = {Port.Add.class, Port.Remove.class})
    static final class Port {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Adds a port the image's app listens on (the OCI ExposedPorts, the ACI's app.ports).")
        static final class Add extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "tcp|udp")
            String protocol;

            @Parameters(index = "2", paramLabel = "PORT")
            String port;

            @Override
            void change(WorkingBuild build) throws CliException {
                acName(name, "port name");
                if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                    throw new CliException("Invalid port protocol '" + protocol + "': expected tcp or udp; "
                            + "the build is unchanged.");
                }
                int number = port.matches("\\d{1,5}") ? Integer.parseInt(port) : 0;
                if (number < 1 || number > MAX_PORT) {
                    throw new CliException("Invalid port '" + port + "': expected a number from 1 to " + MAX_PORT
                            + "; the build is unchanged.");
                }
                build.ports.removeIf(p -> p.name().equals(name));
                build.ports.add(new WorkingBuild.Port(name, protocol, number));
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes the port NAME.")
        static final class Remove extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Override
            void change(WorkingBuild build) throws CliException {
                if (!build.ports.removeIf(p -> p.name().equals(name))) {
                    throw new CliException("No port '" + name + "' in the build.");
                }
            }
        }
    }

    @Command(name = "label", mixinStandardHelpOptions = true, description = "Adds or removes a label.",
            subcommands = {Label.Add.class, Label.Remove.class})
    static final class Label {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Adds a label (the OCI config's Labels, the ACI's labels: version is the image's tag).")
        static final class Add extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "VALUE")
            String value;

            @Override
            void change(WorkingBuild build) throws CliException {
                if (!AC_IDENTIFIER.matcher(name).matches()) {
                    throw new CliException("Invalid label name '" + name + "': expected lowercase letters and digits "
                            + "with -._~/ between them; the build is unchanged.");
                }
                if (name.equals("version")) {
                    try {
                        ImageReference.parse("x:" + value);
                    } catch (ImageStoreException | RuntimeException e) {
                        throw new CliException("Invalid label version '" + value + "': it must be usable as a tag ("
                                + e.getMessage() + "); the build is unchanged.", e);
                    }
                }
                build.labels.put(name, value);
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes the label NAME.")
        static final class Remove extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Override
            void change(WorkingBuild build) throws CliException {
                if (build.labels.remove(name) == null) {
                    throw new CliException("No label '" + name + "' in the build.");
                }
            }
        }
    }

    @Command(name = "annotation", mixinStandardHelpOptions = true, description = "Adds an annotation.",
            subcommands = {Annotation.Add.class})
    static final class Annotation {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Adds an annotation (the ACI's annotations; the OCI archive's manifest annotations).")
        static final class Add extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "VALUE")
            String value;

            @Override
            void change(WorkingBuild build) throws CliException {
                if (!AC_IDENTIFIER.matcher(name).matches()) {
                    throw new CliException("Invalid annotation name '" + name + "': expected lowercase letters and "
                            + "digits with -._~/ between them; the build is unchanged.");
                }
                build.annotations.put(name, value);
            }
        }
    }

    @Command(name = "mount", mixinStandardHelpOptions = true, description = "Adds a mount point.",
            subcommands = {Mount.Add.class})
    static final class Mount {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Adds a mount point: a named place in the image a volume is bound to (the ACI's "
                    + "app.mountPoints; an OCI archive does not carry it).")
        static final class Add extends ImageVerbs.Change {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "PATH")
            String path;

            @Override
            void change(WorkingBuild build) throws CliException {
                acName(name, "mount point name");
                String abs = absolute(path, "mount point path");
                build.mounts.removeIf(m -> m.name().equals(name));
                build.mounts.add(new WorkingBuild.MountPoint(name, abs));
            }
        }
    }
}
