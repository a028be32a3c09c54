package io.jcontainer.machined;

/** Which processes of a unit {@code KillUnit} signals (systemctl's {@code --kill-whom=}). */
public enum UnitKillTarget {
    /** The main process. */
    MAIN("main"),
    /** The control process (an {@code ExecStop=} or {@code ExecStopPost=} running now). */
    CONTROL("control"),
    /** Every process of the unit's cgroup. */
    ALL("all");

    private final String wireName;

    UnitKillTarget(String wireName) {
        this.wireName = wireName;
    }

    /** The value systemd expects. */
    public String wireName() {
        return wireName;
    }
}
