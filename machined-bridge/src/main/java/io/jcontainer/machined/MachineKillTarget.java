package io.jcontainer.machined;

/** Which processes of a machine {@code KillMachine} signals (machinectl's {@code --kill-whom=}). */
public enum MachineKillTarget {
    /** Only the leader, the container's PID 1. */
    LEADER("leader"),
    /** Every process of the machine's scope or unit. */
    ALL("all");

    private final String wireName;

    MachineKillTarget(String wireName) {
        this.wireName = wireName;
    }

    /** The value machined expects. */
    public String wireName() {
        return wireName;
    }
}
