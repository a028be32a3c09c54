package io.jcontainer.machined;

/** How systemd queues a start, stop or restart job (systemctl's {@code --job-mode=}). */
public enum JobMode {
    /** Replace conflicting queued jobs: systemctl's default. */
    REPLACE("replace"),
    /** Fail if a conflicting job is queued. */
    FAIL("fail"),
    /** Ignore the unit's dependencies. */
    IGNORE_DEPENDENCIES("ignore-dependencies"),
    /** Ignore requirement dependencies, keep ordering. */
    IGNORE_REQUIREMENTS("ignore-requirements");

    private final String wireName;

    JobMode(String wireName) {
        this.wireName = wireName;
    }

    /** The value systemd expects. */
    public String wireName() {
        return wireName;
    }
}
