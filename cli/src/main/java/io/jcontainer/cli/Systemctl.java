package io.jcontainer.cli;

import io.jcontainer.jnspawn.HostProgram;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code systemctl} calls that the system bus client does not make: {@code daemon-reload} (SystemdManager has
 * no {@code Reload}), after which the generator has made {@code jcontainer@NAME.service} of a new container file.
 */
final class Systemctl {
    private Systemctl() {
    }

    /** {@code systemctl daemon-reload}; its own words when it fails. */
    static void daemonReload() throws CliException {
        String output = run(List.of(HostProgram.SYSTEMCTL.command(), "daemon-reload"), true);
        if (output != null) {
            throw new CliException("'systemctl daemon-reload' failed: " + output);
        }
    }

    /** {@code systemctl reset-failed UNIT}, so that a removed container leaves no failed unit behind; best effort. */
    static void resetFailed(String unit) throws CliException {
        run(List.of(HostProgram.SYSTEMCTL.command(), "reset-failed", unit), false);
    }

    /**
     * {@code journalctl} over what the processes of {@code unit} wrote (the container's output and jnspawn's
     * messages), without systemd's own lines about the unit ("Starting…", "Deactivated…") that {@code -u} adds.
     */
    static ProcessBuilder journal(String unit, String... options) {
        List<String> command = new ArrayList<>(List.of(HostProgram.JOURNALCTL.command(), "_SYSTEMD_UNIT=" + unit, "-o", "cat",
                "--no-pager"));
        command.addAll(List.of(options));
        return new ProcessBuilder(command);
    }

    /** {@code journalctl --sync}: journald writes what it has received; best effort (it needs root). */
    static void journalSync() throws CliException {
        run(List.of(HostProgram.JOURNALCTL.command(), "--sync"), false);
    }

    /** Runs {@code command}; null when it succeeded, else what it printed (or its status). */
    private static String run(List<String> command, boolean required) throws CliException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = p.waitFor();
            return status == 0 ? null : text.isEmpty() ? "exit status " + status : text;
        } catch (IOException e) {
            if (required) {
                throw new CliException("Failed to run '" + command.get(0) + "': " + ContainerFiles.reason(e), e);
            }
            return ContainerFiles.reason(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while running '" + String.join(" ", command) + "'.", e);
        }
    }
}
