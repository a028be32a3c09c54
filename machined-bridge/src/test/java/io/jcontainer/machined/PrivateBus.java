package io.jcontainer.machined;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code dbus-daemon} for one test class: its own socket under /tmp and a policy that allows every
 * send and every name, so test code can own {@code org.freedesktop.machine1} and {@code org.freedesktop.systemd1}.
 */
final class PrivateBus implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 10;

    private final Process process;
    private final Path directory;
    private final String address;

    private PrivateBus(Process process, Path directory, String address) {
        this.process = process;
        this.directory = directory;
        this.address = address;
    }

    /** Starts {@code dbus-daemon} and waits until it prints its address. */
    static PrivateBus start() throws IOException, InterruptedException {
        // Short path: a unix socket path is limited to 108 bytes.
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "jc-dbus-");
        Path socket = directory.resolve("bus");
        Path config = directory.resolve("bus.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>jcontainer-test</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow receive_sender="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        Process process;
        try {
            process = new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork", "--nopidfile",
                    "--print-address")
                    // Its stderr (e.g. "Failed to set fd limit" when not root) goes to a file, shown on failure.
                    .redirectError(directory.resolve("dbus-daemon.log").toFile())
                    .start();
        } catch (IOException e) {
            deleteTree(directory);
            throw new IOException("Failed to start dbus-daemon (package 'dbus', see scripts/setup-deps): "
                    + e.getMessage(), e);
        }
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String address;
        try {
            address = firstLine.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            address = null;
        }
        if (address == null || address.isBlank()) {
            process.destroyForcibly();
            String log = Files.readString(directory.resolve("dbus-daemon.log")).strip();
            deleteTree(directory);
            throw new IOException("dbus-daemon printed no address within " + START_TIMEOUT_SECONDS + " s: " + log);
        }
        return new PrivateBus(process, directory, address.strip());
    }

    /** The bus address, {@code unix:path=/tmp/jc-dbus-.../bus,guid=...}. */
    String address() {
        return address;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
