package io.jcontainer.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A generator output directory written out as text, to compare whole trees at once. */
final class Trees {

    private Trees() {
    }

    /**
     * Every file and symlink below {@code root}, sorted by path: {@code FILE path} followed by its
     * content, or {@code LINK path -> target}. Directories appear through what they hold.
     */
    static String render(Path root) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(paths::add);
        }
        paths.sort(null);
        StringBuilder sb = new StringBuilder();
        for (Path p : paths) {
            String rel = root.relativize(p).toString();
            if (Files.isSymbolicLink(p)) {
                sb.append("LINK ").append(rel).append(" -> ").append(Files.readSymbolicLink(p)).append('\n');
            } else {
                sb.append("FILE ").append(rel).append('\n').append(Files.readString(p));
            }
        }
        return sb.toString();
    }
}
