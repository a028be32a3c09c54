package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.rootfs.RootFs;
import io.jcontainer.machined.MachineManager;
import io.jcontainer.machined.MachineRegistrar;
import io.jcontainer.machined.MachinedException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Registers a container with systemd-machined (as nspawn's --register=yes), so that
 * {@code machinectl list|status|terminate} know it. Loaded only under systemd: D-Bus costs start time.
 */
final class MachinedRegistration implements Launcher.MachineRegistration {

    @Override
    public void register(LaunchPlan plan, long leader, int[] interfaces) throws LaunchException {
        try (MachineManager manager = new MachineManager()) {
            new MachineRegistrar(manager).register(plan.machine(), machineId(plan), (int) leader, rootDirectory(plan),
                    interfaces);
        } catch (MachinedException e) {
            throw new LaunchException("Failed to register machine '" + plan.machine() + "' with systemd-machined: "
                    + e.getMessage(), e);
        }
    }

    /** The container's own /etc/machine-id when it has one, else a random (version 4) id. */
    static byte[] machineId(LaunchPlan plan) throws LaunchException {
        List<String> lines = new RootFs(plan.root()).readLines("/etc/machine-id");
        if (!lines.isEmpty() && lines.get(0).trim().matches("[0-9a-f]{32}")) {
            return HexFormat.of().parseHex(lines.get(0).trim());
        }
        byte[] id = new byte[16];
        new SplittableRandom(System.nanoTime() ^ leaderSalt()).nextBytes(id);
        id[6] = (byte) ((id[6] & 0x0f) | 0x40);
        id[8] = (byte) ((id[8] & 0x3f) | 0x80);
        return id;
    }

    private static long leaderSalt() {
        return ProcessHandle.current().pid() << 32;
    }

    /** The host directory that holds the container's files, as machined shows it ("" for none). */
    static String rootDirectory(LaunchPlan plan) {
        LaunchPlan.Root root = plan.root();
        if (root.upper() != null) {
            return root.upper().toString();
        }
        return root.lowers().isEmpty() ? "" : root.lowers().get(root.lowers().size() - 1).toString();
    }
}
