package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verified, atomic, idempotent blob writes; loud failure on a tampered blob. */
class BlobStoreTest {
    @TempDir
    Path root;

    private static final byte[] DATA = "hello blob".getBytes(StandardCharsets.UTF_8);

    @Test
    void putVerifiesAndIsIdempotent() throws Exception {
        BlobStore s = new BlobStore(root);
        Descriptor expected = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256(DATA), DATA.length);
        assertEquals(expected, s.put(new ByteArrayInputStream(DATA), expected));
        assertEquals(expected, s.put(new ByteArrayInputStream(DATA), expected));
        assertArrayEquals(DATA, s.read(expected.digest(), 100));
        assertEquals(List.of(expected.digest()), List.copyOf(s.list()));
        try (var tmp = Files.list(root.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void digestMismatchLeavesNothing() throws Exception {
        BlobStore s = new BlobStore(root);
        Descriptor lie = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256("other".getBytes()), DATA.length);
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> s.put(new ByteArrayInputStream(DATA), lie));
        assertTrue(e.getMessage().startsWith("Digest mismatch: expected " + lie.digest() + ", got sha256:"), e.getMessage());
        assertTrue(s.list().isEmpty());
        try (var tmp = Files.list(root.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void sizeLiesAreRefusedWhileStreaming() {
        BlobStore s = new BlobStore(root);
        Descriptor lie = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256(DATA), 3);
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> s.put(new ByteArrayInputStream(DATA), lie));
        assertEquals("Blob " + lie.digest() + " is larger than the 3 bytes its descriptor says, refusing.", e.getMessage());
    }

    @Test
    void tamperedBlobFailsLoudlyWhenRead() throws Exception {
        BlobStore s = new BlobStore(root);
        Descriptor d = s.put(DATA, MediaType.OCI_CONFIG);
        Files.writeString(s.path(d.digest()), "HELLO BLOB");
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> {
            try (InputStream in = s.open(d.digest())) {
                in.readAllBytes();
            }
        });
        assertTrue(e.getMessage().startsWith("Blob '" + s.path(d.digest()) + "' is corrupt: its content has digest sha256:"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
