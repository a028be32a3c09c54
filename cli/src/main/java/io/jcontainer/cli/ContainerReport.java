package io.jcontainer.cli;

import io.jcontainer.image.Image;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImageStore;
import io.jcontainer.image.ImageStoreException;
import io.jcontainer.jnspawn.internal.network.HostNetwork;
import io.jcontainer.jnspawn.internal.network.NetworkConfig;
import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code status} and {@code show} tell about one container: its file, whether the file is valid, its image
 * and what the store has of it, and the state of its unit and machine.
 *
 * @param fileProblem {@code FILE:LINE: reason} when the file is invalid, else null
 * @param image       the {@code Image=} value, or null (a {@code Directory=} container)
 * @param storedImage the image in the store, or null when it is not there (or the store cannot be read)
 * @param addresses   the container's IP addresses (IPv4, then IPv6) from jnspawn's lease on the bridge of
 *                    {@code Network=private}; empty when it holds none (not running, or another network mode);
 *                    null when unknown, with the reason in {@code addressesProblem}
 */
record ContainerReport(String name, Path file, String fileProblem, String image, Image storedImage,
                       ContainerStates.UnitState unit, ContainerStates.MachineState machine,
                       List<String> addresses, String addressesProblem) {

    /**
     * Reads it all; the container must have a file (else {@code No container file for 'x' in ...}). The store is
     * only read, never created, so that {@code status} works where the store does not exist yet.
     */
    static ContainerReport collect(Host host, String name, ContainerStates states) throws SettingsException {
        Path file = ContainerFiles.locate(name, host.searchDirs());
        String problem = null;
        String image = null;
        try {
            image = ContainerFile.parse(file).image();
        } catch (SettingsException e) {
            problem = e.getMessage();
        }
        Image stored = null;
        if (image != null && Files.isDirectory(host.storeRoot())) {
            try {
                ImageStore store = new ImageStore(host.storeRoot());
                stored = store.inspect(ImageReference.parse(image));
            } catch (ImageStoreException e) {
                stored = null; // not pulled yet, or not readable by this user: the report says "not in the store"
            }
        }
        List<String> addresses = null;
        String addressesProblem = null;
        try {
            // The leases jnspawn keeps in RUNTIME/net/BRIDGE/, with or without systemd: the same source
            // under both, where machined's GetMachineAddresses would need the bus and root (it enters the
            // container's network namespace).
            addresses = new HostNetwork(NetworkConfig.load(), host.runtimeDir()).addresses(name);
        } catch (SettingsException e) {
            addressesProblem = e.getMessage();
        } catch (IOException e) {
            addressesProblem = "Failed to read the address leases: " + ContainerFiles.reason(e);
        }
        return new ContainerReport(name, file, problem, image, stored, states.unit(name), states.machine(name),
                addresses, addressesProblem);
    }

    /** {@code 1234 (httpd)}, as machinectl shows a leader; the name from /proc when it can be read. */
    static String leader(int pid) {
        if (pid <= 0) {
            return ContainerStates.UNKNOWN;
        }
        try {
            return pid + " (" + Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip() + ")";
        } catch (IOException e) {
            return Integer.toString(pid);
        }
    }
}
