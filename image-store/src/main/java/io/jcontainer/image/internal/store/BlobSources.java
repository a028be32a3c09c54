package io.jcontainer.image.internal.store;

import io.jcontainer.image.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Where blobs are known to live in registries: {@code ROOT/sources/HEX} lists {@code registry/repository}, one a
 * line, newest last, written by pulls and pushes. A push uses it to ask the registry for a cross-repository
 * mount instead of sending the bytes. Only a hint: a stale line costs a mount the registry declines (it then
 * opens an ordinary upload), so writes are best effort and a lost concurrent update does no harm.
 */
public final class BlobSources {
    /** Repositories remembered per blob; older ones are dropped. */
    public static final int MAX_SOURCES = 16;

    private final Path dir;

    public BlobSources(Path storeRoot) {
        this.dir = storeRoot.resolve("sources");
    }

    /** {@code registry/repository} entries for {@code blob}, newest last; empty when none is known. */
    public List<String> get(Digest blob) {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve(blob.hex()), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
            return out;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(); // a hint only
        }
    }

    /** Notes that {@code registry/repository} has {@code blob}; failures are ignored (see the class comment). */
    public void add(Digest blob, String registry, String repository) {
        String entry = registry + "/" + repository;
        List<String> lines = new ArrayList<>(get(blob));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).equals(entry)) {
            return;
        }
        lines.remove(entry);
        lines.add(entry);
        while (lines.size() > MAX_SOURCES) {
            lines.remove(0);
        }
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(blob.hex()), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FsUtil.deleteQuietly(tmp);
        }
    }

    /** Forgets {@code blob} (gc removed it). */
    public void remove(Digest blob) {
        FsUtil.deleteQuietly(dir.resolve(blob.hex()));
    }
}
