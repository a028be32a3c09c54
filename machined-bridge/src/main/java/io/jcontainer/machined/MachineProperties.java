package io.jcontainer.machined;

import java.time.Instant;
import java.util.List;

/**
 * The properties of one machine ({@code org.freedesktop.machine1.Machine}), as {@code machinectl show} lists them.
 *
 * @param name the machine name
 * @param id the 128-bit machine id as 32 lowercase hex digits, empty when the machine was registered without one
 * @param service the registering manager, {@code jcontainer} for ours
 * @param unit the systemd unit holding the machine: {@code jcontainer@web.service}
 * @param machineClass {@code container} or {@code vm}
 * @param leader the PID of the machine's leader (the container's PID 1, in the host's PID namespace)
 * @param rootDirectory the root directory on the host, empty when not given
 * @param networkInterfaces host-side interface indices (the veth ends); empty for host networking
 * @param state {@code opening}, {@code running} or {@code closing}
 * @param timestamp when the machine was registered, or {@code null} when machined gives 0
 */
public record MachineProperties(String name, String id, String service, String unit, String machineClass,
        int leader, String rootDirectory, List<Integer> networkInterfaces, String state, Instant timestamp) {
    public MachineProperties {
        networkInterfaces = List.copyOf(networkInterfaces);
    }
}
