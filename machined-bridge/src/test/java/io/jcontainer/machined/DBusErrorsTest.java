package io.jcontainer.machined;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.machined.internal.DBusErrors;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one mapping from D-Bus error names to this module's exceptions, and the declared error classes it relies
 * on: dbus-java finds the class by the error name, so each class name must be the name systemd sends
 * (systemd {@code src/libsystemd/sd-bus/bus-common-errors.h}, D-Bus specification for
 * {@code org.freedesktop.DBus.Error.*}).
 */
class DBusErrorsTest {
    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(new org.freedesktop.machine1.MachineExists("m"),
                        "org.freedesktop.machine1.MachineExists", MachineExistsException.class),
                Arguments.of(new org.freedesktop.machine1.NoSuchMachine("m"),
                        "org.freedesktop.machine1.NoSuchMachine", NoSuchMachineException.class),
                Arguments.of(new org.freedesktop.systemd1.NoSuchUnit("m"),
                        "org.freedesktop.systemd1.NoSuchUnit", NoSuchUnitException.class),
                Arguments.of(new org.freedesktop.dbus.errors.AccessDenied("m"),
                        "org.freedesktop.DBus.Error.AccessDenied", AccessDeniedException.class),
                Arguments.of(new org.freedesktop.dbus.errors.InteractiveAuthorizationRequired("m"),
                        "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", AccessDeniedException.class),
                Arguments.of(new org.freedesktop.machine1.NoMachineForPID("m"),
                        "org.freedesktop.machine1.NoMachineForPID", MachinedException.class),
                Arguments.of(new org.freedesktop.systemd1.UnitMasked("m"),
                        "org.freedesktop.systemd1.UnitMasked", MachinedException.class),
                Arguments.of(new org.freedesktop.systemd1.JobFailed("m"),
                        "org.freedesktop.systemd1.JobFailed", MachinedException.class),
                Arguments.of(new org.freedesktop.dbus.errors.ServiceUnknown("m"),
                        "org.freedesktop.DBus.Error.ServiceUnknown", MachinedException.class));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("errors")
    void mapsErrorNameToType(DBusExecutionException remote, String name, Class<?> type) {
        MachinedException e = DBusErrors.translate("start unit 'x.service'", remote);

        assertSame(type, e.getClass());
        assertEquals(name, e.errorName());
        assertEquals("Failed to start unit 'x.service': m", e.getMessage());
        assertSame(remote, e.getCause());
    }

    @Test
    void unnamedErrorKeepsItsMessageWithoutAName() {
        MachinedException e = DBusErrors.translate("list machines", new DBusExecutionException("Bad things"));

        assertSame(MachinedException.class, e.getClass());
        assertNull(e.errorName());
        assertEquals("Failed to list machines: Bad things", e.getMessage());
    }

    @Test
    void multiLineRemoteMessageBecomesOneLine() {
        MachinedException e = DBusErrors.translate("terminate machine 'web'",
                new org.freedesktop.machine1.NoSuchMachine("No machine\n  'web' known\n"));

        assertEquals("Failed to terminate machine 'web': No machine 'web' known", e.getMessage());
    }

    @Test
    void emptyRemoteMessageFallsBackToTheErrorName() {
        MachinedException e = DBusErrors.translate("terminate machine 'web'",
                new org.freedesktop.machine1.NoSuchMachine(""));

        assertEquals("Failed to terminate machine 'web': org.freedesktop.machine1.NoSuchMachine", e.getMessage());
    }

    @Test
    void missingBusFailsFastInOneLineNamingTheAddress() {
        long start = System.nanoTime();
        MachinedException e = assertThrows(MachinedException.class, () ->
                new MachineManager("unix:path=/nonexistent/jcontainer-test-bus"));

        assertNull(e.errorName());
        assertEquals(true, e.getMessage().startsWith(
                "Failed to connect to bus 'unix:path=/nonexistent/jcontainer-test-bus': "), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
        // dbus-java alone takes 10 s to give up; the probe answers at once.
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0);
    }

    @Test
    void staleSocketFailsFast(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("bus");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
        }
        // the listener is closed but its socket file stays: connecting is refused

        long start = System.nanoTime();
        MachinedException e = assertThrows(MachinedException.class, () ->
                new SystemdManager("unix:path=" + socket));

        assertEquals(true, e.getMessage().startsWith("Failed to connect to bus 'unix:path=" + socket + "': "),
                e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0);
    }
}
