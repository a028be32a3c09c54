package io.jcontainer.machined;

/**
 * The state of one systemd unit, as {@code systemctl show} gives it; the service fields are zero or empty for
 * units that are not services.
 *
 * @param id the unit name: {@code jcontainer@web.service}
 * @param loadState {@code loaded}, {@code not-found}, {@code masked}, {@code error}, ...
 * @param activeState {@code active}, {@code inactive}, {@code activating}, {@code deactivating}, {@code failed}
 * @param subState the type-specific state: {@code running}, {@code dead}, {@code exited}, ...
 * @param mainPid the main process, 0 when none
 * @param result {@code success} or why the service last failed ({@code exit-code}, {@code signal}, ...)
 * @param execMainCode the {@code si_code} of the main process's end ({@code CLD_EXITED} = 1, ...), 0 if none
 * @param execMainStatus the exit status or signal number of the main process
 */
public record UnitProperties(String id, String loadState, String activeState, String subState, int mainPid,
        String result, int execMainCode, int execMainStatus) {
    /** Whether systemd found the unit file (or a generator made one). */
    public boolean exists() {
        return !"not-found".equals(loadState);
    }
}
