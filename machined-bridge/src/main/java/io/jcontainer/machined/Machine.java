package io.jcontainer.machined;

/**
 * One machine as machined's {@code ListMachines} reports it.
 *
 * @param name the machine name, as {@code machinectl list} shows it
 * @param machineClass {@code container} or {@code vm}
 * @param service the registering manager: {@code jcontainer}, {@code systemd-nspawn}, ...
 * @param objectPath the machine's object in machined: {@code /org/freedesktop/machine1/machine/web}
 */
public record Machine(String name, String machineClass, String service, String objectPath) {
}
