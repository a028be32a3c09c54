#!/bin/sh
# Issue 7: exec, kill and restart of a container run as a unit (jcontainer@ek.service).
#   exec:    sees the container's root, hostname and PID 1, has its CapBnd; exit status is the
#            command's (3, 127); a stopped container is 125 with one line.
#   kill:    -s USR1 reaches the payload's trap and the unit stays active; -s TERM ends it.
#   attach:  started before the kills, shows got-usr1 and got-term (and no systemd lines about the
#            unit) and exits with the status (0).
#   restart: starts it again with a new MainPID (= machined's Leader); exec works again.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@ek.service"
trap finish EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer
cat >/etc/jcontainer/ek.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo in-ek > /marker; trap "echo got-usr1" USR1; trap "echo got-term; exit 0" TERM; echo ek-up; while :; do sleep 1; done'
CF
systemctl daemon-reload
U=jcontainer@ek.service
journal_has() { journalctl -b -u "$U" -o cat | grep -qx "$1"; }

t0=$(now_ms)
timeout 180 systemctl start "$U" && ok "start $U ($(($(now_ms) - t0)) ms)" || bad "start $U (exit $?)"
wait_for 10 journal_has ek-up >/dev/null || bad "no ek-up in the journal"
pid=$(unit_prop "$U" MainPID)
echo "MainPID $pid"

# ---- exec
t0=$(now_ms)
out=$(jcontainer exec ek sh -c 'cat /marker; hostname' 2>&1 | tr '\n' ' ')
[ "$out" = "in-ek ek " ] && ok "exec ek: the container's /marker and hostname ($(($(now_ms) - t0)) ms)" \
    || bad "exec ek sh -c 'cat /marker; hostname': '$out' (expected 'in-ek ek ')"
jcontainer exec ek ps >ps.txt 2>&1
echo "----- jcontainer exec ek ps"; cat ps.txt
grep -qE '^ *1 .*jcontainer-init' ps.txt && ok "exec ek ps shows the container's PID 1" || bad "no PID 1 jcontainer-init in exec ps"
grep -q 'while :; do sleep 1' ps.txt && ok "exec ek ps shows the payload" || bad "the payload is not in exec ps"
mine=$(jcontainer exec ek grep CapBnd /proc/self/status | awk '{print $2}')
theirs=$(awk '/^CapBnd/ {print $2}' /proc/"$pid"/status)
[ -n "$mine" ] && [ "$mine" = "$theirs" ] && ok "exec CapBnd $mine = the container's PID 1" \
    || bad "exec CapBnd '$mine' != PID 1's '$theirs'"
jcontainer exec ek sh -c 'exit 3'; rc=$?
[ "$rc" = 3 ] && ok "exec exit status 3" || bad "exec exit status $rc (expected 3)"
jcontainer exec ek /no/such/command 2>/dev/null; rc=$?
[ "$rc" = 127 ] && ok "exec of a missing command: 127" || bad "exec of a missing command: $rc (expected 127)"

# ---- kill (attach follows the output meanwhile)
jcontainer attach ek >attach.txt 2>&1 &
attach=$!
# attach shows the entries after the unit's last one when it began; its live journalctl runs once it has.
wait_for 120 pgrep -f "journalctl .* _SYSTEMD_UNIT=$U --follow" >/dev/null \
    || bad "attach started no journalctl within 120 s"
sleep 1
# Done: gone, or a zombie this shell has not reaped yet (kill -0 would still succeed on it).
attach_done() { s=$(sed 's/.*) //' /proc/"$attach"/stat 2>/dev/null | cut -d' ' -f1); [ -z "$s" ] || [ "$s" = Z ]; }
jcontainer kill -s USR1 ek && ok "kill -s USR1 ek" || bad "kill -s USR1 ek (exit $?)"
ms=$(wait_for 10 journal_has got-usr1) && ok "got-usr1 in the journal ($ms ms)" || bad "no got-usr1 in the journal"
[ "$(systemctl is-active "$U")" = active ] && ok "$U still active after USR1" || bad "$U $(systemctl is-active "$U") after USR1"
jcontainer kill -s TERM ek && ok "kill -s TERM ek" || bad "kill -s TERM ek (exit $?)"
ms=$(wait_for 20 sh -c "[ \"\$(systemctl is-active $U)\" = inactive ]") \
    && ok "$U inactive $ms ms after TERM" || bad "$U is $(systemctl is-active "$U") 20 s after TERM"
journal_has got-term && ok "got-term in the journal" || bad "no got-term in the journal"
# attach returns with the container's main process, not after the unit's ExecStopPost= cleanup.
if wait_for 20 attach_done >/dev/null; then
    wait "$attach"; rc=$?
    echo "----- jcontainer attach ek"; cat attach.txt
    [ "$rc" = 0 ] && ok "attach ended with the container, status $rc" || bad "attach exit status $rc (expected 0)"
    grep -qx got-usr1 attach.txt && grep -qx got-term attach.txt && ok "attach showed got-usr1 and got-term" \
        || bad "attach output lacks got-usr1/got-term"
    grep -q 'jcontainer@ek.service' attach.txt && bad "attach shows systemd's lines about the unit" \
        || ok "attach shows only the container's lines"
else
    # What it waits for: a thread dump (SIGQUIT) into attach.txt, and the unit's view of its main process.
    systemctl show -p ActiveState,SubState,MainPID,ExecMainCode,ExecMainStatus,ExecMainPID "$U"
    kill -QUIT "$attach" 2>/dev/null; sleep 2
    echo "----- jcontainer attach ek (with its threads)"; cat attach.txt
    bad "attach still runs 20 s after the container ended"; kill "$attach" 2>/dev/null
fi
[ ! -e /run/jcontainer/ek.state ] && ok "/run/jcontainer/ek.state removed (ExecStopPost)" || bad "/run/jcontainer/ek.state left behind"
jcontainer exec ek true >err.txt 2>&1; rc=$?
[ "$rc" = 125 ] && [ "$(wc -l <err.txt)" = 1 ] && ok "exec into the stopped container: 125, $(cat err.txt)" \
    || bad "exec into the stopped container: $rc, '$(cat err.txt)'"

# ---- restart
t0=$(now_ms)
jcontainer restart ek && ok "restart ek (stopped) ($(($(now_ms) - t0)) ms)" || bad "restart ek (exit $?)"
pid2=$(unit_prop "$U" MainPID)
[ -n "$pid2" ] && [ "$pid2" != 0 ] && [ "$pid2" != "$pid" ] && ok "new MainPID $pid2 (was $pid)" || bad "MainPID '$pid2' (was $pid)"
t0=$(now_ms)
jcontainer restart -t 5 ek && ok "restart -t 5 ek (running) ($(($(now_ms) - t0)) ms)" || bad "restart -t 5 ek (exit $?)"
pid3=$(unit_prop "$U" MainPID)
[ -n "$pid3" ] && [ "$pid3" != 0 ] && [ "$pid3" != "$pid2" ] && ok "new MainPID $pid3 (was $pid2)" || bad "MainPID '$pid3' (was $pid2)"
leader=$(machinectl show -p Leader --value ek 2>/dev/null || true)
[ "$leader" = "$pid3" ] && ok "machined Leader $leader = MainPID" || bad "machined Leader '$leader' != MainPID '$pid3'"
out=$(jcontainer exec ek cat /marker 2>&1)
[ "$out" = in-ek ] && ok "exec after restart: $out" || bad "exec after restart: '$out'"

# Clean up.
jcontainer stop ek >/dev/null || true
systemctl reset-failed "$U" 2>/dev/null || true
rm -f /etc/jcontainer/ek.container
systemctl daemon-reload
