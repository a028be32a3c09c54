package io.jcontainer.machined.internal;

import io.jcontainer.machined.MachinedException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * A private connection to one bus, and the single path every call takes so that errors are mapped in one place
 * ({@link DBusErrors}).
 *
 * <p>Connections are made on demand by the managers' constructors, never in static initialisers: jnspawn loads
 * this module only when it runs under systemd.
 */
public final class Bus implements AutoCloseable {
    /** A D-Bus call through a dbus-java proxy. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws DBusException;
    }

    /** A D-Bus call without a result. */
    @FunctionalInterface
    public interface VoidCall {
        void run() throws DBusException;
    }

    static final String DEFAULT_SYSTEM_BUS_ADDRESS = "unix:path=/run/dbus/system_bus_socket";
    private static final String UNIX_PATH_PREFIX = "unix:path=";

    private final DBusConnection connection;
    private final String description;

    private Bus(DBusConnection connection, String description) {
        this.connection = connection;
        this.description = description;
    }

    /** The system bus: {@code DBUS_SYSTEM_BUS_ADDRESS}, else {@value #DEFAULT_SYSTEM_BUS_ADDRESS}. */
    public static Bus system() throws MachinedException {
        String address = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (address == null || address.isBlank()) {
            address = DEFAULT_SYSTEM_BUS_ADDRESS;
        }
        return new Bus(connect(address, "the system bus"), "the system bus");
    }

    /** The bus at {@code address}, in D-Bus address syntax: {@code unix:path=/run/dbus/system_bus_socket}. */
    public static Bus at(String address) throws MachinedException {
        String description = "bus '" + address + "'";
        return new Bus(connect(address, description), description);
    }

    private static DBusConnection connect(String address, String description) throws MachinedException {
        probe(address, description);
        try {
            // Not shared: dbus-java would otherwise hand every caller one connection closed by the first.
            return DBusConnectionBuilder.forAddress(address).withShared(false).build();
        } catch (DBusException | DBusExecutionException e) {
            throw DBusErrors.local("connect to " + description, e);
        }
    }

    /**
     * Fails fast when a {@code unix:path=} bus is absent or refuses connections. dbus-java 5.2.2 waits 10 s in its
     * teardown after a failed connect; the launcher must not hang that long on a host whose bus is down.
     */
    private static void probe(String address, String description) throws MachinedException {
        String first = address.split(";", 2)[0];
        if (!first.startsWith(UNIX_PATH_PREFIX)) {
            return;
        }
        String path = first.substring(UNIX_PATH_PREFIX.length()).split(",", 2)[0];
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            throw new MachinedException("Failed to connect to " + description + ": " + path + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null, e);
        }
    }

    /** A proxy of {@code type} for the object at {@code path} of {@code busName}. */
    public <T extends DBusInterface> T remote(String busName, String path, Class<T> type) throws MachinedException {
        return call("reach " + path + " of " + busName + " on " + description,
                () -> connection.getRemoteObject(busName, path, type));
    }

    /** Runs one call; {@code action} names what is attempted, with the machine or unit. */
    public static <T> T call(String action, Call<T> call) throws MachinedException {
        try {
            return call.run();
        } catch (DBusExecutionException e) {
            throw DBusErrors.translate(action, e);
        } catch (DBusException e) {
            throw DBusErrors.local(action, e);
        }
    }

    public static void run(String action, VoidCall call) throws MachinedException {
        call(action, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            // Best-effort teardown: the process is about to exit or move on; nothing to recover.
        }
    }
}
