package io.jcontainer.jnspawn.it;

import static io.jcontainer.jnspawn.it.RootSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-over to systemd (NOTIFY_SOCKET set): READY=1 and MAINPID=<the container's PID 1>, a
 * barrier, then jnspawn exits and the container runs on. systemd itself is proven in vm-tests;
 * here its notification socket is played by notify-listen.c, because these build machines have
 * no systemd as PID 1.
 */
@Tag("root")
class HandoverTest {
    @TempDir
    static Path tmp;
    static Path root;
    static Path listener;

    @BeforeAll
    static void setUp() throws Exception {
        requireRoot();
        root = demoRoot(tmp, "root");
        listener = tmp.resolve("notify-listen");
        Result cc = exec(List.of("gcc", "-O2", "-o", listener.toString(),
                REPO.resolve("jnspawn/src/test/c/notify-listen.c").toString()), 60);
        assertEquals(0, cc.exit(), cc.stderr());
    }

    @Test
    void containerIsHandedOverAndRunsOnAfterJnspawnExits() throws Exception {
        Path socket = tmp.resolve("notify.sock");
        Running notifications = Running.start(List.of(listener.toString(), socket.toString(), "2"));
        notifications.awaitOutput("listening");
        // Unique per run, so that no other container's sleep is taken for ours.
        String marker = (1000 + new java.util.Random().nextInt(9000)) + "." + ProcessHandle.current().pid();
        List<String> cmd = new ArrayList<>(List.of("env", "NOTIFY_SOCKET=" + socket));
        cmd.addAll(jnspawnCommand(List.of("-q", "--register=no", "-M", "handed", "-D", root.toString(), "sleep", marker)));
        Result r = exec(cmd, 30);
        assertEquals(0, r.exit(), "jnspawn exits once systemd has the container: " + r.stderr());
        assertTrue(notifications.process().waitFor(10, TimeUnit.SECONDS));
        List<String> messages = List.of(notifications.out().split("\n"));
        assertEquals("listening", messages.get(0));
        String ready = messages.get(1);
        assertTrue(ready.contains("READY=1"), ready);
        assertTrue(ready.contains("STATUS=Container handed running."), ready);
        assertFalse(ready.contains("BARRIER"), "systemd ignores everything in a message with BARRIER=1: " + ready);
        assertEquals("BARRIER=1 [fd]", messages.get(2), "then a barrier alone, with its pipe");
        long mainPid = Long.parseLong(ready.replaceAll(".*MAINPID=([0-9]+).*", "$1"));
        try {
            checkHandedOverContainer(mainPid, marker);
        } finally {
            new ProcessBuilder("kill", "-KILL", Long.toString(mainPid)).start().waitFor();
            long deadline = System.currentTimeMillis() + 5000;
            while (ContainerState.startTime(mainPid) >= 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            // As ExecStopPost= does: the record for jcontainer exec goes once the container has ended.
            exec(jnspawnCommand(List.of("--cleanup", "-M", "handed")), 30);
        }
        assertFalse(Files.exists(Path.of("/run/jcontainer/handed.state")), "jnspawn --cleanup removed the record");
    }

    /**
     * A payload that ends at once is still handed over: its stub init (the hold, protocol.h's ONEXIT) outlives it
     * until the barrier after MAINPID=, so that systemd, whose child it then is, gets the payload's status.
     */
    @Test
    void payloadThatEndsAtOnceIsHandedOverBeforeItsInitExits() throws Exception {
        Path socket = tmp.resolve("notify-short.sock");
        Running notifications = Running.start(List.of(listener.toString(), socket.toString(), "2"));
        notifications.awaitOutput("listening");
        List<String> cmd = new ArrayList<>(List.of("env", "NOTIFY_SOCKET=" + socket));
        cmd.addAll(jnspawnCommand(List.of("-q", "--register=no", "-M", "short", "-D", root.toString(),
                "sh", "-c", "echo hi-short; exit 3")));
        Result r = exec(cmd, 30);
        assertTrue(notifications.process().waitFor(10, TimeUnit.SECONDS), "two messages: " + notifications.out());
        try {
            assertEquals(0, r.exit(), "handed over: " + r.stderr());
            assertTrue(r.stdout().contains("hi-short"), r.stdout());
            List<String> messages = List.of(notifications.out().split("\n"));
            assertTrue(messages.get(1).matches("STATUS=Container short running\\. READY=1 MAINPID=[0-9]+ "),
                    messages.get(1));
            assertEquals("BARRIER=1 [fd]", messages.get(2));
        } finally {
            exec(jnspawnCommand(List.of("--cleanup", "-M", "short")), 30);
        }
    }

    /**
     * NotifyReady=yes: the payload finds the notify socket at /run/host/notify and sends READY=1 and its STATUS=
     * itself; jnspawn's hand-over sends MAINPID= alone.
     */
    @Test
    void notifyReadyPayloadSendsReadyItselfAndJnspawnOnlyMainPid() throws Exception {
        Path notifier = root.resolve("usr/local/bin/sd-notify");
        Result cc = exec(List.of("gcc", "-O2", "-static", "-o", notifier.toString(),
                REPO.resolve("vm-tests/sd-notify.c").toString()), 60);
        assertEquals(0, cc.exit(), cc.stderr());
        Path files = Files.createDirectories(tmp.resolve("files"));
        String marker = (1000 + new java.util.Random().nextInt(9000)) + "." + ProcessHandle.current().pid();
        Files.writeString(files.resolve("nready.container"), String.join("\n",
                "[Container]",
                "Directory=" + root,
                "Network=host",
                "NotifyReady=yes",
                "Exec=/bin/sh -c 'sd-notify READY=1 \"STATUS=from the payload\" && exec sleep " + marker + "'",
                ""));
        Path socket = tmp.resolve("notify-ready.sock");
        Running notifications = Running.start(List.of(listener.toString(), socket.toString(), "3"));
        notifications.awaitOutput("listening");
        List<String> cmd = new ArrayList<>(List.of("env", "NOTIFY_SOCKET=" + socket));
        List<String> jnspawn = jnspawnCommand(List.of("-q", "--register=no", "-M", "nready"));
        jnspawn.add(1, "-Djcontainer.search.path=" + files);
        cmd.addAll(jnspawn);
        Result r = exec(cmd, 30);
        assertEquals(0, r.exit(), "jnspawn exits once systemd has the container: " + r.stderr());
        assertTrue(notifications.process().waitFor(10, TimeUnit.SECONDS), "three messages: " + notifications.out());
        List<String> messages = List.of(notifications.out().split("\n"));
        long mainPid = -1;
        try {
            // The payload's message comes before, between or after jnspawn's two (MAINPID=, then the barrier).
            List<String> three = new ArrayList<>(messages.subList(1, 4));
            assertTrue(three.remove("READY=1 STATUS=from the payload "), "the payload's own message: " + messages);
            String handOver = three.get(0);
            assertTrue(handOver.matches("MAINPID=[0-9]+ "), "jnspawn sends MAINPID= alone, no READY=1: " + messages);
            mainPid = Long.parseLong(handOver.trim().substring("MAINPID=".length()));
            assertEquals("BARRIER=1 [fd]", three.get(1), "the barrier follows jnspawn's MAINPID=: " + messages);
            assertEquals("jcontainer-init", Files.readString(Path.of("/proc/" + mainPid + "/comm")).trim());
        } finally {
            if (mainPid > 0) {
                new ProcessBuilder("kill", "-KILL", Long.toString(mainPid)).start().waitFor();
                long deadline = System.currentTimeMillis() + 5000;
                while (ContainerState.startTime(mainPid) >= 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
            }
            exec(jnspawnCommand(List.of("--cleanup", "-M", "nready")), 30);
        }
    }

    private static void checkHandedOverContainer(long mainPid, String marker) throws Exception {

        // MAINPID is the container's PID 1 (the stub init), which still runs the payload.
        assertEquals("jcontainer-init", Files.readString(Path.of("/proc/" + mainPid + "/comm")).trim());
        long payload = findProcess("sleep\0" + marker + "\0");
        assertTrue(payload > 0, "the payload runs on after jnspawn exited");
        assertEquals(mainPid, parentOf(payload));
        assertEquals(-1, findProcessContaining("-M\0handed\0"), "no JVM (nor stage) of this container stays resident");
        String record = Files.readString(Path.of("/run/jcontainer/handed.state"));
        assertTrue(record.contains("\nleader=" + mainPid + "\n"), "jcontainer exec finds the leader:\n" + record);
        assertEquals(List.of(), List.of(Files.list(Path.of("/run/jcontainer")).filter(
                p -> p.getFileName().toString().startsWith("jnspawn.handed.")).toArray()), "staging removed");

        // systemd would stop it with the kill signal: the container ends.
        new ProcessBuilder("kill", "-TERM", Long.toString(mainPid)).start().waitFor();
        long deadline = System.currentTimeMillis() + 5000;
        while (findProcess("sleep\0" + marker + "\0") > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(-1, findProcess("sleep\0" + marker + "\0"), "payload stopped with its PID 1");
    }

    private static long findProcess(String cmdline) throws Exception {
        for (Path proc : Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            try {
                if (Files.readString(proc.resolve("cmdline")).equals(cmdline)) {
                    return Long.parseLong(proc.getFileName().toString());
                }
            } catch (java.io.IOException gone) {
                // exited meanwhile
            }
        }
        return -1;
    }

    private static long findProcessContaining(String text) throws Exception {
        long self = ProcessHandle.current().pid();
        for (Path proc : Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            try {
                if (Long.parseLong(proc.getFileName().toString()) != self
                        && Files.readString(proc.resolve("cmdline")).contains(text)) {
                    return Long.parseLong(proc.getFileName().toString());
                }
            } catch (java.io.IOException gone) {
                // exited meanwhile
            }
        }
        return -1;
    }

    private static long parentOf(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("PPid:")) {
                return Long.parseLong(line.substring(5).trim());
            }
        }
        return -1;
    }
}
