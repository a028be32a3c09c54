#!/bin/sh
# Issue 8: start latency under systemd. `systemctl start jcontainer@bx` against `systemctl start
# systemd-nspawn@bx` on the same Boot=yes root (make_systemd_root: /var/lib/machines/bx, the
# VM's /usr bound read-only), alternating, BENCH_RUNS (5) of each, each until `systemctl start`
# returns = the unit is active (both are Type=notify and report READY=1 once the container's
# systemd runs as its PID 1, not when it has booted). Then `systemctl stop`, and the next run
# once machined has forgotten the machine.
#   jcontainer: /etc/jcontainer/bx.container, Directory= the root, Boot=yes.
#   nspawn:     systemd-nspawn@.service (--boot -U --network-veth ...) with
#               /etc/systemd/nspawn/bx.nspawn: PrivateUsers=no (-U would chown the bound /usr)
#               and Private=yes/VirtualEthernet=no (loopback only, as jcontainer's default).
# Medians and the ratio go to results/bench-start-unit.txt; docs/benchmarks-history.md has the numbers.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
N=bx
ROOT=/var/lib/machines/$N
JC=jcontainer@$N.service
NS=systemd-nspawn@$N.service
RUNS=${BENCH_RUNS:-5}
UNITS_TO_DUMP="$JC $NS"
cleanup() {
    systemctl stop "$JC" "$NS" 2>/dev/null; systemctl reset-failed "$JC" "$NS" 2>/dev/null
    undo_systemd_root "$ROOT"
    rm -f /etc/jcontainer/$N.container /etc/systemd/nspawn/$N.nspawn
    finish
}
trap cleanup EXIT

make_systemd_root "$ROOT"
mkdir -p /etc/jcontainer /etc/systemd/nspawn
# TimeoutStartSec=: systemd's default 90 s is too short for a JVM start under TCG on a loaded host.
printf '[Container]\nDirectory=%s\nBoot=yes\n\n[Service]\nTimeoutStartSec=300\n' "$ROOT" >/etc/jcontainer/$N.container
printf '[Exec]\nPrivateUsers=no\n\n[Network]\nPrivate=yes\nVirtualEthernet=no\n' >/etc/systemd/nspawn/$N.nspawn
systemctl daemon-reload
systemctl cat "$NS" 2>/dev/null | grep -E '^ExecStart=' || true

one() { # one UNIT: prints the ms of `systemctl start`, then stops the unit
    u=$1
    wait_for 20 sh -c "! machinectl show $N >/dev/null 2>&1" >/dev/null || echo "note: $N still registered" >&2
    t0=$(now_ms)
    if ! timeout 180 systemctl start "$u" >&2; then
        bad "systemctl start $u (exit $?)" >&2; echo fail; return
    fi
    t1=$(now_ms)
    pid=$(unit_prop "$u" MainPID)
    s0=$(now_ms)
    timeout 120 systemctl stop "$u" >&2 || bad "systemctl stop $u" >&2
    echo "$u: start $((t1 - t0)) ms (MainPID $pid $(cat /proc/$pid/comm 2>/dev/null)), stop $(($(now_ms) - s0)) ms" >&2
    systemctl reset-failed "$u" 2>/dev/null
    echo $((t1 - t0))
}
median() { tr ' ' '\n' | grep -E '^[0-9]+$' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "?"; else if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

jc_all= ns_all=
i=0
while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    jc_all="$jc_all $(one "$JC")"
    ns_all="$ns_all $(one "$NS")"
done
jc_med=$(echo "$jc_all" | median)
ns_med=$(echo "$ns_all" | median)
ratio=$(awk -v a="$jc_med" -v b="$ns_med" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
{
    echo "start under systemd (systemctl start until active), Boot=yes root from the VM's /usr, $RUNS runs each"
    echo "jcontainer@$N:     ms:$jc_all  median $jc_med"
    echo "systemd-nspawn@$N: ms:$ns_all  median $ns_med"
    echo "ratio jcontainer/nspawn (medians): $ratio"
    echo "VM: $(nproc) vCPU, $(systemd-detect-virt 2>/dev/null), kernel $(uname -r), $(systemctl --version | head -n 1)"
} | tee "$VMTEST_DIR/results/bench-start-unit.txt"
case "$jc_all $ns_all" in *fail*) bad "a start failed" ;; *) ok "$RUNS starts of each" ;; esac
