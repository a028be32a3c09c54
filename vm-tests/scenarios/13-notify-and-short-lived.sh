#!/bin/sh
# Issue 14, items 8 and 6: how a container ends and starts under systemd's Type=notify.
#   short0: Exec=/bin/sh -c "echo ...": the payload ends before jnspawn hands it over; the unit ends
#           inactive (Result=success, status 0), not failed with 'protocol', and its line is in the journal.
#   short3: the same with `exit 3`: the unit ends failed, Result=exit-code, ExecMainStatus=3.
#   ready3: NotifyReady=yes, the payload sleeps 3 s, then sends READY=1 and a STATUS= itself (sd-notify
#           of the test image, through /run/host/notify): the unit is activating until then, active
#           after >= 3 s, and `systemctl status` shows the payload's STATUS=. So that the JVM's slow
#           start under TCG cannot hide a READY=1 of jnspawn's, the payload also waits, after its
#           sleep, for /go/now (a bind of a host dir), which the scenario creates only once it saw
#           jnspawn's hand-over (MainPID = jcontainer-init) and the unit still activating 1 s later.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@short0.service jcontainer@short3.service jcontainer@ready3.service"
cleanup() {
    systemctl stop jcontainer@short0.service jcontainer@short3.service jcontainer@ready3.service 2>/dev/null
    systemctl reset-failed jcontainer@short0.service jcontainer@short3.service jcontainer@ready3.service 2>/dev/null
    rm -f /etc/jcontainer/short0.container /etc/jcontainer/short3.container /etc/jcontainer/ready3.container
    rm -rf /run/ready3-go
    systemctl daemon-reload
    finish
}
trap cleanup EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer
cat >/etc/jcontainer/short0.container <<'CF'
[Container]
Image=hello:1
Network=none
Exec=/bin/sh -c "echo hi-from-short0"
CF
cat >/etc/jcontainer/short3.container <<'CF'
[Container]
Image=hello:1
Network=none
Exec=/bin/sh -c "echo hi-from-short3; exit 3"
CF
cat >/etc/jcontainer/ready3.container <<'CF'
[Container]
Image=hello:1
Network=none
NotifyReady=yes
Bind=/run/ready3-go:/go
Exec=/bin/sh -c 'echo "ready3: NOTIFY_SOCKET=$NOTIFY_SOCKET"; sleep 3; while [ ! -e /go/now ]; do sleep 0.1; done; sd-notify READY=1 "STATUS=payload ready3 is up"; echo ready3: sent READY=1; exec sleep 1000'
CF
rm -rf /run/ready3-go; mkdir -p /run/ready3-go
systemctl daemon-reload

# ---- item 8: a short-lived payload ends as its own exit status
for m in short0 short3; do
    U=jcontainer@$m.service
    t0=$(now_ms)
    timeout 180 systemctl start "$U"; rc=$?
    echo "systemctl start $U: exit $rc after $(($(now_ms) - t0)) ms"
    [ "$rc" -eq 0 ] && ok "systemctl start $U succeeds (READY=1 before the end, as systemd-nspawn@)" \
        || bad "systemctl start $U: exit $rc"
    if ms=$(wait_for 60 sh -c "systemctl is-active -q $U; [ \$? -ne 0 ] && ! systemctl show -p ActiveState --value $U | grep -qE 'activating|deactivating'"); then
        ok "$U ended ($ms ms after start returned)"
    else
        bad "$U did not end within 60 s: $(systemctl is-active "$U")"
    fi
    state=$(unit_prop "$U" ActiveState); result=$(unit_prop "$U" Result)
    code=$(unit_prop "$U" ExecMainCode); status=$(unit_prop "$U" ExecMainStatus)
    echo "$U: ActiveState=$state Result=$result ExecMainCode=$code ExecMainStatus=$status"
    if [ $m = short0 ]; then
        [ "$state" = inactive ] && ok "$U: inactive" || bad "$U: ActiveState=$state (expected inactive)"
        [ "$result" = success ] && ok "$U: Result=success" || bad "$U: Result=$result (expected success, not protocol)"
        [ "$status" = 0 ] && ok "$U: ExecMainStatus=0" || bad "$U: ExecMainStatus=$status (expected 0)"
    else
        [ "$state" = failed ] && ok "$U: failed" || bad "$U: ActiveState=$state (expected failed)"
        [ "$result" = exit-code ] && ok "$U: Result=exit-code" || bad "$U: Result=$result (expected exit-code)"
        [ "$status" = 3 ] && ok "$U: ExecMainStatus=3" || bad "$U: ExecMainStatus=$status (expected 3)"
    fi
    if journalctl -b -u "$U" -o cat | grep -qx "hi-from-$m"; then
        ok "journalctl -u $U has hi-from-$m"
    else
        bad "journalctl -u $U has no line hi-from-$m"
    fi
    if journalctl -b -u "$U" -o cat | grep -q "result 'protocol'"; then
        bad "$U: the journal says result 'protocol'"
    fi
    echo "----- journalctl -u $U"; journalctl -b --no-pager -o short-monotonic -u "$U" | tail -n 15
done

# ---- item 6: NotifyReady=yes, READY=1 and STATUS= from the payload
U=jcontainer@ready3.service
t0=$(now_ms)
systemctl start --no-block "$U"
handover_ms=
if handover_ms=$(wait_for 180 sh -c "pid=\$(systemctl show -p MainPID --value $U); [ \"\$(cat /proc/\$pid/comm 2>/dev/null)\" = jcontainer-init ]"); then
    ok "jnspawn handed over: MainPID $(unit_prop "$U" MainPID) is jcontainer-init ($((handover_ms)) ms after the start)"
else
    bad "no hand-over within 180 s: MainPID $(unit_prop "$U" MainPID), $(unit_prop "$U" ActiveState)"
fi
sleep 1
state=$(unit_prop "$U" ActiveState)
[ "$state" = activating ] && ok "1 s after the hand-over: still activating (no READY=1 from jnspawn), StatusText='$(unit_prop "$U" StatusText)'" \
    || bad "1 s after the hand-over: $state (expected activating: the payload has not sent READY=1)"
touch /run/ready3-go/now
if ms=$(wait_for 60 sh -c "[ \"\$(systemctl show -p ActiveState --value $U)\" != activating ]"); then :; fi
active_ms=$(($(now_ms) - t0))
state=$(unit_prop "$U" ActiveState)
echo "$U: $state after $active_ms ms"
[ "$state" = active ] && ok "$U active after ${active_ms} ms, once the payload sent READY=1" || bad "$U: $state (expected active)"
[ "$active_ms" -ge 3000 ] && ok "active only after >= 3 s (the payload's sleep 3 before READY=1)" \
    || bad "active after $active_ms ms, before the payload's READY=1 could have come"
status_text=$(unit_prop "$U" StatusText)
[ "$status_text" = "payload ready3 is up" ] && ok "StatusText: $status_text" || bad "StatusText: '$status_text'"
systemctl status --no-pager "$U" >status.txt 2>&1
cat status.txt
grep -q 'Status: "payload ready3 is up"' status.txt && ok "systemctl status shows the payload's STATUS=" \
    || bad "systemctl status does not show 'Status: \"payload ready3 is up\"'"
pid=$(unit_prop "$U" MainPID)
leader=$(machinectl show -p Leader --value ready3 2>/dev/null || true)
[ -n "$pid" ] && [ "$pid" = "$leader" ] && ok "MainPID $pid = machined's Leader" || bad "MainPID '$pid', Leader '$leader'"
[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = jcontainer-init ] && ok "MainPID is the container's jcontainer-init" \
    || bad "MainPID $pid is '$(cat /proc/"$pid"/comm 2>/dev/null)'"
journalctl -b -u "$U" -o cat | grep -qx "ready3: NOTIFY_SOCKET=/run/host/notify" \
    && ok "the payload has NOTIFY_SOCKET=/run/host/notify" || bad "the payload's NOTIFY_SOCKET is not /run/host/notify"
pgrep -x java >/dev/null && bad "a java process runs: $(pgrep -a -x java)" || ok "no java process runs"
timeout 120 systemctl stop "$U" && ok "systemctl stop $U" || bad "systemctl stop $U"
state=$(unit_prop "$U" ActiveState)
[ "$state" = inactive ] && ok "after stop: inactive" || bad "after stop: $state"
echo "----- journalctl -u $U"; journalctl -b --no-pager -o short-monotonic -u "$U" | tail -n 20
