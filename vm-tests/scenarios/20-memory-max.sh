#!/bin/sh
# Issue 5, scenario d: `[Service] MemoryMax=64M` (and MemorySwapMax=0) in a container file reaches
# systemd through the generator's drop-in; a payload that allocates far more (a busybox shell
# variable doubled to ~320 MB) is killed by the kernel's OOM killer within the unit's cgroup, and
# the unit ends failed (Result=oom-kill or signal; observed: exit-code with status 137, as
# jcontainer-init exits 128+SIGKILL when its payload is OOM-killed). The payload never prints
# "survived".
set -u
. "$VMTEST_DIR/lib.sh"
need_package
U=jcontainer@memmax.service
UNITS_TO_DUMP=$U
trap finish EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer
# The sleep lets the hand-over (READY=1, MAINPID=) finish before the allocation starts. The
# shell doubles x 25 times: 10 bytes * 2^25 = 320 MiB (more, counting the copies).
cat >/etc/jcontainer/memmax.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo memmax-alloc-start; sleep 3; x=0123456789; i=0; while [ $i -lt 25 ]; do x=$x$x; i=$((i+1)); done; echo survived ${#x}; exec sleep 1000'

[Service]
MemoryMax=64M
MemorySwapMax=0
CF
echo "----- /etc/jcontainer/memmax.container"; cat /etc/jcontainer/memmax.container
systemctl daemon-reload
echo "----- generated drop-in"
cat /run/systemd/generator/$U.d/*.conf 2>&1 || bad "no generator drop-in under /run/systemd/generator/$U.d/"

v=$(unit_prop "$U" MemoryMax)
[ "$v" = 67108864 ] && ok "MemoryMax=$v" || bad "MemoryMax=$v (expected 67108864)"
v=$(unit_prop "$U" MemorySwapMax)
[ "$v" = 0 ] && ok "MemorySwapMax=$v" || bad "MemorySwapMax=$v (expected 0)"

# The start may or may not return success: the kill can come before or after READY=1.
t0=$(now_ms)
timeout 180 systemctl start "$U"; rc=$?
echo "systemctl start $U: exit $rc after $(($(now_ms) - t0)) ms"
if [ "$(unit_prop "$U" ActiveState)" = active ]; then
    echo "cgroup memory.max: $(cat /sys/fs/cgroup$(unit_prop "$U" ControlGroup)/memory.max 2>&1)"
fi
if ms=$(wait_for 120 sh -c "[ \"\$(systemctl is-active $U)\" = failed ]"); then
    ok "$U is failed $ms ms after start returned"
else
    bad "$U is '$(systemctl is-active "$U")' 120 s after start returned (expected failed)"
fi
res=$(unit_prop "$U" Result); code=$(unit_prop "$U" ExecMainCode); st=$(unit_prop "$U" ExecMainStatus)
echo "Result=$res ExecMainCode=$code ExecMainStatus=$st"
case $res in
oom-kill|signal) ok "Result=$res" ;;
exit-code) if [ "$st" = 137 ]; then ok "Result=exit-code, status 137 (SIGKILL)"; else bad "Result=exit-code, status $st (expected oom-kill, signal or 137)"; fi ;;
*) bad "Result=$res (expected oom-kill or signal)" ;;
esac

journalctl -b --no-pager -o cat -u "$U" >journal.txt
if grep -q memmax-alloc-start journal.txt; then
    ok "the payload started (memmax-alloc-start in journalctl -u)"
else
    bad "no memmax-alloc-start in journalctl -u: the payload never ran (was jnspawn itself killed?)"
fi
if grep -q survived journal.txt; then
    bad "journalctl -u $U contains 'survived': the allocation was not stopped"
else
    ok "no 'survived' in journalctl -u $U"
fi
if grep -qiE 'oom|memory' journal.txt; then
    echo "----- journal lines about the OOM kill"; grep -iE 'oom|memory' journal.txt
fi
journalctl -k -b --no-pager -o cat | grep -iE 'oom|killed process' | tail -n 5 || true
echo "----- journalctl -u $U"; tail -n 30 journal.txt

systemctl stop "$U" 2>/dev/null || true
systemctl reset-failed "$U" 2>/dev/null || true
rm -f /etc/jcontainer/memmax.container
systemctl daemon-reload
