package io.jcontainer.cli;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import io.jcontainer.jnspawn.settings.UnitFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The container files in the search directories ({@code /run/jcontainer}, then {@code /etc/jcontainer}):
 * which container each name means, and which images the files name with {@code Image=}.
 */
final class ContainerFiles {
    /** A name's file: the first search directory that has {@code NAME.container} wins, as for the generator. */
    record Entry(String name, Path file) {
    }

    /** One {@code Image=} of a container file: the value as written and its line. */
    record ImageUse(Path file, int line, String image) {
        String where() {
            return "'" + file + "' (Image= on line " + line + ")";
        }
    }

    private ContainerFiles() {
    }

    /** The container each name means, sorted by name; masked files (symlinks to /dev/null) are left out. */
    static List<Entry> effective(List<Path> searchDirs) throws CliException {
        Map<String, Path> byName = new TreeMap<>();
        for (Path file : all(searchDirs)) {
            String fileName = file.getFileName().toString();
            byName.putIfAbsent(fileName.substring(0, fileName.length() - ContainerFile.SUFFIX.length()), file);
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : byName.entrySet()) {
            if (!isMasked(e.getValue())) {
                out.add(new Entry(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    /** The file of container {@code name}, or {@code No container file for 'web' in /run/jcontainer, /etc/jcontainer}. */
    static Path locate(String name, List<Path> searchDirs) throws SettingsException {
        return ContainerFile.locate(name, searchDirs);
    }

    /**
     * Every {@code Image=} of every container file in every search directory, shadowed ones included: a file in
     * {@code /etc} comes back into use once its {@code /run} namesake is gone. A file that cannot be parsed names
     * no image (it cannot start either).
     */
    static List<ImageUse> imageUses(List<Path> searchDirs) throws CliException {
        List<ImageUse> uses = new ArrayList<>();
        for (Path file : all(searchDirs)) {
            if (isMasked(file)) {
                continue;
            }
            UnitFile unit;
            try {
                unit = UnitFile.parse(file);
            } catch (SettingsException e) {
                continue;
            }
            ImageUse last = null; // a single-value key: the last assignment wins
            for (UnitFile.Entry entry : unit.section(ContainerFile.SECTION_CONTAINER)) {
                if (entry.key().equals("Image") && !entry.value().isEmpty()) {
                    last = new ImageUse(file, entry.line(), entry.value());
                }
            }
            if (last != null) {
                uses.add(last);
            }
        }
        return uses;
    }

    /** {@code *.container} in each directory, directory by directory in precedence order, sorted within one. */
    private static List<Path> all(List<Path> searchDirs) throws CliException {
        List<Path> out = new ArrayList<>();
        for (Path dir : searchDirs) {
            List<Path> here = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + ContainerFile.SUFFIX)) {
                entries.forEach(here::add);
            } catch (NoSuchFileException | NotDirectoryException e) {
                continue; // nothing configured there
            } catch (IOException e) {
                // rmi and gc ask which images are in use: an unreadable directory must not answer "none".
                throw new CliException("Failed to read container files in '" + dir + "': " + reason(e), e);
            }
            here.sort(null);
            out.addAll(here);
        }
        return out;
    }

    /** A symlink to /dev/null masks a container, as it masks a unit. */
    static boolean isMasked(Path file) {
        try {
            return Files.isSymbolicLink(file) && Files.readSymbolicLink(file).toString().equals("/dev/null");
        } catch (IOException e) {
            return false;
        }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
