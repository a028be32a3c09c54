package io.jcontainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * store.lock may be taken exclusively by its owner only (issue 18): a member of the store's group that could
 * open it for writing could hold an fcntl write lock and block every container start for 30 s. A real
 * unprivileged user (nobody, in the lock file's group) tries it with python's fcntl.
 */
@Tag("root")
class StoreLockModeTest {
    @TempDir
    Path tmp;

    @Test
    void aNewLockFileIsWritableByItsOwnerOnly() throws Exception {
        TestSupport.requireRoot();
        ImageStore store = new ImageStore(tmp.resolve("store"));
        try (var held = store.lockForStart(1000)) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("store/store.lock"))));
        }
    }

    @Test
    void aGroupWritableLockFileIsRepairedSoThatAMemberCannotTakeItExclusively() throws Exception {
        TestSupport.requireRoot();
        TestSupport.requireCommand("python3");
        TestSupport.requireCommand("setpriv");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = Files.createDirectories(tmp.resolve("store"));
        Path lock = root.resolve("store.lock");
        Files.createFile(lock);
        TestSupport.sh("chgrp", "65534", lock.toString());
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-rw-r--")); // as packages before issue 18
        assertEquals("locked", member(lock), "the test's member takes a group-writable lock exclusively");

        ImageStore store = new ImageStore(root);
        try (var held = store.lockForStart(1000)) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        }
        assertTrue(member(lock).startsWith("refused"), "a member still takes it exclusively");
    }

    /** As uid/gid 65534: open the lock file for writing and take an fcntl write lock on it. */
    private static String member(Path lock) throws Exception {
        return TestSupport.sh("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
                "import fcntl,sys\n"
                        + "try:\n"
                        + "    f = open(sys.argv[1], 'r+b')\n"
                        + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                        + "    print('locked')\n"
                        + "except OSError as e:\n"
                        + "    print('refused', e.errno)\n", lock.toString()).strip();
    }
}
