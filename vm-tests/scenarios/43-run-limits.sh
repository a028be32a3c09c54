#!/bin/sh
# Issue 19, items 3 and 4: `jcontainer create --cpus 0.2` and `--pids-limit 32`, started with
# `jcontainer start`, under systemd:
#  - cpu: CPUQuota=20% reaches the unit (CPUQuotaPerSecUSec=200ms); a busy loop's CPU share, from the
#    cgroup's cpu.stat over 20 s of wall time, stays near 20 % (10-30 %: TCG's clock is coarse);
#  - forks: TasksMax=32 reaches the unit (pids.max 32); a shell that tries to start 100 sleeps gets
#    "can't fork" and stops at 32 tasks (pids.current <= 32) while the host still starts processes.
# Also `create` writes the file without starting (the unit stays inactive until `start`), and
# `list --json` shows both.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
C=jcontainer@cpu.service
F=jcontainer@forks.service
UNITS_TO_DUMP="$C $F"
trap 'jcontainer rm -f cpu >/dev/null 2>&1; jcontainer rm -f forks >/dev/null 2>&1; finish' EXIT

import_hello || exit 1
name=$(timeout 240 jcontainer create --name cpu --network none --cpus 0.2 hello:1 sh -c 'while :; do :; done')
[ "$name" = cpu ] && ok "create printed cpu" || bad "create printed '$name'"
name=$(timeout 240 jcontainer create --name forks --network none --pids-limit 32 hello:1 \
    sh -c 'i=0; while [ $i -lt 100 ]; do sleep 100000 & i=$((i+1)); done; echo forks-done; wait')
[ "$name" = forks ] && ok "create printed forks" || bad "create printed '$name'"
for u in "$C" "$F"; do
    s=$(systemctl is-active "$u")
    [ "$s" = inactive ] && ok "$u is inactive after create" || bad "$u is '$s' after create (expected inactive)"
done
jcontainer list --json >list.json
grep -q '"name" : "cpu"' list.json && grep -q '"name" : "forks"' list.json \
    && ok "list --json shows cpu and forks" || { bad "list --json lacks them"; cat list.json; }

v=$(unit_prop "$C" CPUQuotaPerSecUSec)
[ "$v" = 200ms ] && ok "CPUQuotaPerSecUSec=$v" || bad "CPUQuotaPerSecUSec=$v (expected 200ms)"
v=$(unit_prop "$F" TasksMax)
[ "$v" = 32 ] && ok "TasksMax=$v" || bad "TasksMax=$v (expected 32)"

t0=$(now_ms)
timeout 300 jcontainer start cpu >/dev/null && ok "jcontainer start cpu ($(($(now_ms) - t0)) ms)" || bad "jcontainer start cpu (exit $?)"
t0=$(now_ms)
timeout 300 jcontainer start forks >/dev/null && ok "jcontainer start forks ($(($(now_ms) - t0)) ms)" || bad "jcontainer start forks (exit $?)"

# CPU share of the busy loop over 20 s of wall time.
cg=/sys/fs/cgroup$(unit_prop "$C" ControlGroup)
echo "cpu.max: $(cat "$cg/cpu.max" 2>&1)"
u0=$(awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat"); w0=$(now_ms)
sleep 20
u1=$(awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat"); w1=$(now_ms)
share=$(( (u1 - u0) / 10 / (w1 - w0) ))
echo "busy loop: $((u1 - u0)) us of CPU in $((w1 - w0)) ms of wall time: $share %"
[ "$share" -ge 10 ] && [ "$share" -le 30 ] && ok "the busy loop's CPU share is $share % (CPUQuota=20%)" \
    || bad "the busy loop's CPU share is $share % (expected 10-30 %)"

# The bounded fork bomb.
if ms=$(wait_for 120 sh -c "jcontainer logs forks | grep -q forks-done"); then
    ok "the fork loop ended ($ms ms)"
else
    bad "the fork loop did not end: $(jcontainer logs forks 2>&1 | tail -n 3 | tr '\n' '|')"
fi
cgf=/sys/fs/cgroup$(unit_prop "$F" ControlGroup)
cur=$(cat "$cgf/pids.current" 2>/dev/null || echo "?"); max=$(cat "$cgf/pids.max" 2>/dev/null || echo "?")
echo "pids.current=$cur pids.max=$max"
[ "$max" = 32 ] && ok "pids.max is 32" || bad "pids.max is $max"
[ "$cur" != "?" ] && [ "$cur" -le 32 ] && ok "the container holds $cur tasks (<= 32)" || bad "pids.current is $cur"
jcontainer logs forks | grep -qi "can't fork\|fork" && ok "the shell was refused forks" \
    || bad "no fork failure in the container's output"
/bin/true && sh -c 'sleep 0 & wait' && ok "the host still starts processes" || bad "the host cannot fork"
[ "$(systemctl is-active "$F")" = active ] && ok "$F is still active" || bad "$F is $(systemctl is-active "$F")"

timeout 120 jcontainer stop cpu >/dev/null 2>&1 || true
timeout 120 jcontainer stop forks >/dev/null 2>&1 || true
