#!/bin/sh
# Issue 5, scenario h: `kill -9` of the container's PID 1 (the unit's MainPID after the hand-over).
#   kill9:   no Restart= -> the unit ends failed (Result=signal), machined forgets the machine;
#   kill9r:  [Service] Restart=on-failure -> systemd restarts the unit: active again with a new
#            MainPID, registered again with machined (the stale machine must not block it).
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@kill9.service jcontainer@kill9r.service"
trap finish EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer
cat >/etc/jcontainer/kill9.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo kill9-up; exec sleep 1000'
CF
cat >/etc/jcontainer/kill9r.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo kill9r-up; exec sleep 1000'

[Service]
Restart=on-failure
RestartSec=1
CF
systemctl daemon-reload

# ---- without Restart=: failed
U=jcontainer@kill9.service
t0=$(now_ms)
timeout 180 systemctl start "$U" && ok "start $U ($(($(now_ms) - t0)) ms)" || bad "start $U (exit $?)"
pid=$(unit_prop "$U" MainPID)
leader=$(machinectl show -p Leader --value kill9 2>/dev/null || true)
echo "MainPID $pid, machined Leader '$leader'"
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    kill -9 "$pid" && ok "kill -9 $pid" || bad "kill -9 $pid"
    if ms=$(wait_for 30 sh -c "[ \"\$(systemctl is-active $U)\" = failed ]"); then
        ok "$U is failed $ms ms after the kill (Result=$(unit_prop "$U" Result), ExecMainCode=$(unit_prop "$U" ExecMainCode) ExecMainStatus=$(unit_prop "$U" ExecMainStatus))"
    else
        bad "$U is '$(systemctl is-active "$U")' 30 s after the kill (expected failed)"
    fi
    [ "$(unit_prop "$U" Result)" = signal ] && ok "Result=signal" || bad "Result=$(unit_prop "$U" Result) (expected signal)"
    if ms=$(wait_for 5 sh -c '! machinectl list --no-legend --no-pager | awk "{print \$1}" | grep -qx kill9'); then
        ok "kill9 gone from machinectl list ($ms ms)"
    else
        bad "kill9 still in machinectl list 5 s after the unit failed"
    fi
else
    bad "$U has no MainPID ('$pid')"
fi
systemctl reset-failed "$U" 2>/dev/null || true

# ---- Restart=on-failure: restarted
U=jcontainer@kill9r.service
t0=$(now_ms)
timeout 180 systemctl start "$U" && ok "start $U ($(($(now_ms) - t0)) ms)" || bad "start $U (exit $?)"
echo "----- generated drop-in"; cat /run/systemd/generator/$U.d/*.conf 2>&1 || true
[ "$(unit_prop "$U" Restart)" = on-failure ] && ok "Restart=on-failure in effect" \
    || bad "Restart=$(unit_prop "$U" Restart) (the [Service] entry did not reach the unit)"
pid=$(unit_prop "$U" MainPID)
echo "MainPID $pid"
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    kill -9 "$pid" && ok "kill -9 $pid" || bad "kill -9 $pid"
    t0=$(now_ms)
    if ms=$(wait_for 120 sh -c "[ \"\$(systemctl show -p NRestarts --value $U)\" -ge 1 ] && [ \"\$(systemctl is-active $U)\" = active ]"); then
        ok "$U restarted and active again $ms ms after the kill (NRestarts=$(unit_prop "$U" NRestarts))"
    else
        bad "$U not active again 120 s after the kill: $(systemctl is-active "$U"), NRestarts=$(unit_prop "$U" NRestarts)"
    fi
    pid2=$(unit_prop "$U" MainPID)
    [ -n "$pid2" ] && [ "$pid2" != 0 ] && [ "$pid2" != "$pid" ] && ok "new MainPID $pid2" || bad "MainPID after restart: '$pid2' (before: $pid)"
    leader=$(machinectl show -p Leader --value kill9r 2>/dev/null || true)
    [ "$leader" = "$pid2" ] && ok "machined lists kill9r again, Leader $leader = MainPID" \
        || bad "machined Leader of kill9r '$leader' != MainPID '$pid2'"
    n=$(journalctl -b -u "$U" -o cat | grep -cx kill9r-up)
    [ "$n" -ge 2 ] && ok "the payload ran twice (kill9r-up x$n in the journal)" || bad "kill9r-up x$n in the journal (expected 2)"
else
    bad "$U has no MainPID ('$pid')"
fi
timeout 120 systemctl stop "$U" && ok "stop $U" || bad "stop $U (exit $?)"
