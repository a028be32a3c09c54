#!/bin/sh
# Issue 19, item 1: health checks run by systemd, nothing of ours resident. Two containers with
# HealthCmd= and HealthInterval=5s: the generator gives each jcontainer-healthcheck@NAME.timer (bound
# to the container's unit, started with it) and a oneshot jcontainer-healthcheck@NAME.service running
# `jcontainer healthcheck run NAME`. Each check is two JVM starts (jcontainer, then jnspawn --exec),
# which took up to minutes under TCG on a loaded host (README, Status): the timeouts and waits are
# generous, and the scenario may need VM_SCENARIO_TIMEOUT=1200.
#  - hc-good: its check passes; `jcontainer ps` shows "Up ... (healthy)", inspect and status too; the
#    unit keeps its InvocationID across several checks; stopping the container stops the timer.
#  - hc-bad: its check always fails, HealthRetries=2, HealthOnFailure=restart: it becomes unhealthy
#    and the oneshot restarts the unit through systemd (a new InvocationID and MainPID), which says
#    so in its journal; the restarted container starts again from "starting".
set -u
. "$VMTEST_DIR/lib.sh"
need_package
G=jcontainer@hc-good.service
B=jcontainer@hc-bad.service
UNITS_TO_DUMP="$G $B jcontainer-healthcheck@hc-good.service jcontainer-healthcheck@hc-bad.service jcontainer-healthcheck@hc-good.timer jcontainer-healthcheck@hc-bad.timer"
trap finish EXIT

import_hello || exit 1
# The oneshots' jcontainer JVMs get the C1-only flag the runner exports for the scenario's own
# commands (README: C2 crashed under TCG); a template drop-in reaches every instance.
mkdir -p /run/systemd/system/jcontainer-healthcheck@.service.d
printf '[Service]\nEnvironment=JCONTAINER_JAVA_OPTS=%s\n' "${JCONTAINER_JAVA_OPTS:-}" \
    >/run/systemd/system/jcontainer-healthcheck@.service.d/50-vmtest.conf
mkdir -p /etc/jcontainer
cat >/etc/jcontainer/hc-good.container <<'CF'
[Container]
Image=hello:1
Network=none
Exec=/bin/sh -c 'echo up > /ready; exec sleep 100000'
HealthCmd=test -f /ready && echo ready
HealthInterval=5s
HealthTimeout=90s

[Service]
TimeoutStartSec=300
CF
cat >/etc/jcontainer/hc-bad.container <<'CF'
[Container]
Image=hello:1
Network=none
Exec=/bin/sh -c 'exec sleep 100000'
HealthCmd=echo no /ready here; test -f /ready
HealthInterval=5s
HealthTimeout=90s
HealthRetries=2
HealthOnFailure=restart

[Service]
TimeoutStartSec=300
CF
systemctl daemon-reload
for n in hc-good hc-bad; do
    for u in jcontainer-healthcheck@$n.timer jcontainer-healthcheck@$n.service; do
        if [ -f /run/systemd/generator/$u ]; then ok "generated $u"; else bad "no /run/systemd/generator/$u"; fi
    done
done
echo "----- jcontainer-healthcheck@hc-bad.timer"; cat /run/systemd/generator/jcontainer-healthcheck@hc-bad.timer 2>&1
echo "----- jcontainer-healthcheck@hc-bad.service"; cat /run/systemd/generator/jcontainer-healthcheck@hc-bad.service 2>&1

start_unit "$G"
start_unit "$B"
for n in hc-good hc-bad; do
    if ms=$(wait_for 120 sh -c "[ \"\$(systemctl is-active jcontainer-healthcheck@$n.timer)\" = active ]"); then
        ok "jcontainer-healthcheck@$n.timer is active ($ms ms after the start)"
    else
        bad "jcontainer-healthcheck@$n.timer is $(systemctl is-active jcontainer-healthcheck@$n.timer), expected active"
    fi
done

# hc-good: healthy, and it stays the same run of the container.
good_id=$(unit_prop "$G" InvocationID)
if ms=$(wait_for 400 sh -c "jcontainer ps | grep -E '^hc-good .* running +Up .* \\(healthy\\) '"); then
    ok "jcontainer ps shows hc-good 'running  Up ... (healthy)' after $ms ms"
else
    bad "jcontainer ps never showed hc-good as running (healthy)"; jcontainer ps -a
fi
jcontainer inspect --json hc-good >inspect.json
if grep -q '"status" : "healthy"' inspect.json; then ok "inspect: health status healthy"; else bad "inspect has no healthy status"; cat inspect.json; fi
if jcontainer status hc-good | grep -q 'Health: healthy (failing streak 0): ready'; then
    ok "status shows 'Health: healthy (failing streak 0): ready'"
else
    bad "status has no healthy Health line"; jcontainer status hc-good
fi

# hc-bad: unhealthy after two failed checks, then restarted by its oneshot through systemd.
bad_id=$(unit_prop "$B" InvocationID)
bad_pid=$(unit_prop "$B" MainPID)
if ms=$(wait_for 500 sh -c "id=\$(systemctl show -p InvocationID --value $B); [ -n \"\$id\" ] && [ \"\$id\" != $bad_id ]"); then
    ok "hc-bad was restarted (a new InvocationID) $ms ms after its first start"
else
    bad "hc-bad kept InvocationID $bad_id for 500 s: HealthOnFailure=restart did not act"
fi
if ms=$(wait_for 300 sh -c "[ \"\$(systemctl is-active $B)\" = active ] && [ \"\$(systemctl show -p MainPID --value $B)\" != $bad_pid ]"); then
    ok "hc-bad is active again with a new MainPID ($ms ms)"
else
    bad "hc-bad is $(systemctl is-active "$B") with MainPID $(unit_prop "$B" MainPID) (was $bad_pid)"
fi
journalctl -b --no-pager -o cat -u jcontainer-healthcheck@hc-bad.service >bad-journal.txt
if grep -q "'hc-bad' is unhealthy: HealthOnFailure=restart on $B" bad-journal.txt; then
    ok "the oneshot's journal says it restarted $B"
else
    bad "no 'is unhealthy: HealthOnFailure=restart' line in the oneshot's journal"; tail -n 20 bad-journal.txt
fi
if grep -q "no /ready here" /run/jcontainer/health/hc-bad.json 2>/dev/null || jcontainer inspect --json hc-bad | grep -q "no /ready here"; then
    ok "the failing check's output is recorded"
else
    bad "the failing check's output is not in hc-bad's health record"
fi

# hc-good was never restarted by its passing checks.
if [ "$(unit_prop "$G" InvocationID)" = "$good_id" ]; then
    ok "hc-good kept its InvocationID through its checks"
else
    bad "hc-good was restarted although its check passes"
fi
if [ "$(unit_prop jcontainer-healthcheck@hc-good.service NRestarts)" = 0 ] && [ "$(systemctl is-failed jcontainer-healthcheck@hc-good.service)" != failed ]; then
    ok "hc-good's oneshot has not failed"
else
    bad "hc-good's oneshot is $(systemctl is-failed jcontainer-healthcheck@hc-good.service)"
fi

# The timer goes with the container.
systemctl stop "$G" "$B"
for n in hc-good hc-bad; do
    if ms=$(wait_for 30 sh -c "[ \"\$(systemctl is-active jcontainer-healthcheck@$n.timer)\" != active ]"); then
        ok "jcontainer-healthcheck@$n.timer stopped with the container ($ms ms)"
    else
        bad "jcontainer-healthcheck@$n.timer is still active after the container stopped"
    fi
done

systemctl reset-failed "$G" "$B" jcontainer-healthcheck@hc-good.service jcontainer-healthcheck@hc-bad.service 2>/dev/null || true
rm -f /etc/jcontainer/hc-good.container /etc/jcontainer/hc-bad.container
rm -rf /run/systemd/system/jcontainer-healthcheck@.service.d
systemctl daemon-reload
