package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the fuzz tests share: the one-line error check, and temp directories that go after each input. */
public final class Fuzzing {
    private Fuzzing() {
    }

    /** The property of every error a parser raises: one line with a message. */
    public static void oneLine(Exception e) {
        assertNotNull(e.getMessage(), () -> e + " has no message");
        assertFalse(e.getMessage().isEmpty() || e.getMessage().indexOf('\n') >= 0 || e.getMessage().indexOf('\r') >= 0,
                () -> "not one line: '" + e.getMessage() + "'");
    }

    /** A call that must not fail: a re-parse of what was printed. */
    public interface Call<T> {
        T call() throws Exception;
    }

    public static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new AssertionError("re-parse of printed value failed: " + e.getMessage(), e);
        }
    }

    /** A fresh directory under the build's temp dir; {@link #delete} removes it. */
    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            // make unreadable dirs readable again: an entry may have mode 000
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(p -> p.toFile().setWritable(true));
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new AssertionError("Failed to delete " + dir + ": " + e, e);
        }
    }
}
