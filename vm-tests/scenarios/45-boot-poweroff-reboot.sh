#!/bin/sh
# Issue 4 (part 1) / issue 5 scenario c: a Boot=yes container runs systemd as its PID 1 under
# jcontainer@vmboot. The root is the VM's own /usr (make_systemd_root in lib.sh), Directory=.
#   - the generator gives the unit KillSignal=SIGRTMIN+3 (systemd's "halt");
#   - `systemctl reboot` inside -> the container's init ends "killed by SIGHUP"
#     (reboot(2) in a PID namespace), RestartForceExitStatus= restarts the unit: active again,
#     new MainPID, machined's leader follows;
#   - `machinectl poweroff` (SIGRTMIN+4 to the leader: systemd inside powers off; reboot(2) in the
#     PID namespace ends the init with SIGINT, a clean exit): the unit is inactive, not failed.
# "inside" = nsenter into the container's mount and PID namespaces (and its user namespace if
# it has one), then the container's own systemctl over its own /run/systemd/private.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
N=vmboot
U=jcontainer@$N.service
ROOT=/var/lib/machines/$N
UNITS_TO_DUMP=$U
cleanup() { systemctl stop "$U" 2>/dev/null; systemctl reset-failed "$U" 2>/dev/null; undo_systemd_root "$ROOT"; finish; }
trap cleanup EXIT

make_systemd_root "$ROOT"
ls -l "$ROOT" "$ROOT/usr/lib/systemd/systemd"
mkdir -p /etc/jcontainer
# TimeoutStartSec=: systemd's default 90 s is too short for a JVM start under TCG on a loaded
# host (a restart after the reboot was killed with SIGRTMIN+3 by the start timeout at 90 s).
cat >/etc/jcontainer/$N.container <<CF
[Container]
Directory=$ROOT
Boot=yes

[Service]
TimeoutStartSec=300
CF
cat /etc/jcontainer/$N.container
systemctl daemon-reload
echo "----- generated drop-in"; cat /run/systemd/generator/$U.d/*.conf 2>&1
ks=$(unit_prop "$U" KillSignal)
[ "$ks" = 37 ] && ok "KillSignal=37 (SIGRTMIN+3)" || bad "KillSignal=$ks (expected 37, SIGRTMIN+3)"

# inside CMD...: runs CMD in the container's namespaces.
inside() {
    p=$(unit_prop "$U" MainPID)
    nsopts="-m -p -u -i"
    [ "$(readlink /proc/$p/ns/user)" = "$(readlink /proc/self/ns/user)" ] || nsopts="$nsopts -U --preserve-credentials"
    # shellcheck disable=SC2086
    nsenter -t "$p" $nsopts -r -w "$@"
}
# The container's systemd has finished starting up (running or degraded).
booted() { s=$(inside systemctl is-system-running 2>/dev/null); [ "$s" = running ] || [ "$s" = degraded ]; }

t0=$(now_ms)
timeout 180 systemctl start "$U" && ok "systemctl start $U ($(($(now_ms) - t0)) ms)" || bad "systemctl start $U (exit $?)"
pid1=$(unit_prop "$U" MainPID)
echo "MainPID $pid1: $(cat /proc/$pid1/comm 2>&1) $(tr '\0' ' ' </proc/$pid1/cmdline 2>&1)"
[ "$(cat /proc/$pid1/comm 2>/dev/null)" = systemd ] && ok "the unit's MainPID is the container's systemd" \
    || bad "MainPID $pid1 is '$(cat /proc/$pid1/comm 2>/dev/null)', not systemd"
if ms=$(wait_for 120 booted); then
    ok "systemd inside finished booting: $(inside systemctl is-system-running 2>&1) ($ms ms after start returned)"
else
    bad "systemd inside did not finish booting in 120 s: $(inside systemctl is-system-running 2>&1)"
    inside systemctl list-jobs --no-pager 2>&1 | head -n 20
fi
inside systemctl --failed --no-legend --no-pager 2>&1 | head -n 10
echo "inside: $(inside systemd-detect-virt 2>&1), hostname $(inside cat /proc/sys/kernel/hostname 2>&1)"
leader=$(machinectl show -p Leader --value $N 2>/dev/null)
[ "$leader" = "$pid1" ] && ok "machined: $N, Leader $leader" || bad "machined Leader '$leader' != MainPID $pid1"

# ---- reboot inside: the unit restarts
n0=$(unit_prop "$U" NRestarts)
t0=$(now_ms)
inside systemctl reboot >reboot.out 2>&1 && ok "inside: systemctl reboot" || { bad "inside: systemctl reboot (exit $?)"; cat reboot.out; }
if ms=$(wait_for 300 sh -c "p=\$(systemctl show -p MainPID --value $U); [ \"\$(systemctl is-active $U)\" = active ] && [ \"\$p\" != 0 ] && [ \"\$p\" != $pid1 ]"); then
    pid2=$(unit_prop "$U" MainPID)
    ok "after reboot: active again with a new MainPID $pid2 (was $pid1), $ms ms; NRestarts $n0 -> $(unit_prop "$U" NRestarts)"
else
    pid2=$(unit_prop "$U" MainPID)
    bad "after reboot: $(systemctl is-active "$U"), MainPID $pid2 (was $pid1) 300 s later"
fi
journalctl -b --no-pager -o short-monotonic -u "$U" | grep -iE 'main process exited|scheduled restart|status=|SIGHUP|Started|Stopped|Deactivated' | tail -n 6
if ms=$(wait_for 120 booted); then
    ok "systemd inside booted again ($ms ms)"
else
    bad "systemd inside did not boot again: $(inside systemctl is-system-running 2>&1)"
fi
leader=$(machinectl show -p Leader --value $N 2>/dev/null)
[ -n "$pid2" ] && [ "$leader" = "$pid2" ] && ok "machined: Leader $leader = the new MainPID" || bad "machined Leader '$leader' != MainPID '$pid2'"

# ---- machinectl poweroff (SIGRTMIN+4 to the leader, systemd inside powers off): inactive, clean
t0=$(now_ms)
machinectl poweroff $N >poweroff.out 2>&1 && ok "machinectl poweroff $N" || { bad "machinectl poweroff $N (exit $?)"; cat poweroff.out; }
if ms=$(wait_for 120 sh -c "s=\$(systemctl is-active $U); [ \"\$s\" = inactive ] || [ \"\$s\" = failed ]"); then
    st=$(systemctl is-active "$U")
    res="Result=$(unit_prop "$U" Result) ExecMainCode=$(unit_prop "$U" ExecMainCode) ExecMainStatus=$(unit_prop "$U" ExecMainStatus)"
    [ "$st" = inactive ] && ok "after poweroff: inactive ($res), $ms ms" || bad "after poweroff: $st ($res)"
else
    bad "after poweroff: still $(systemctl is-active "$U") 120 s later"
fi
[ "$(unit_prop "$U" Result)" = success ] && ok "Result=success" || bad "Result=$(unit_prop "$U" Result)"
if wait_for 5 sh -c "! machinectl show $N >/dev/null 2>&1" >/dev/null; then ok "$N gone from machined"; else bad "$N still known to machined"; fi

# ---- systemctl stop: SIGRTMIN+3 halts systemd inside, the unit ends inactive
timeout 180 systemctl start "$U" && ok "start again" || bad "start again (exit $?)"
wait_for 120 booted >/dev/null || true
t0=$(now_ms)
timeout 120 systemctl stop "$U"; rc=$?
st=$(systemctl is-active "$U")
[ "$rc" -eq 0 ] && [ "$st" = inactive ] && ok "systemctl stop: inactive in $(($(now_ms) - t0)) ms (Result=$(unit_prop "$U" Result))" \
    || bad "systemctl stop: exit $rc, $st (Result=$(unit_prop "$U" Result) ExecMainCode=$(unit_prop "$U" ExecMainCode) ExecMainStatus=$(unit_prop "$U" ExecMainStatus))"
journalctl -b --no-pager -o short-monotonic -u "$U" | grep -iE 'SIGKILL|timed out|Killing' | tail -n 3

rm -f /etc/jcontainer/$N.container
systemctl daemon-reload
