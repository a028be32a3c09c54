#!/bin/sh
# Issue 5, scenarios a and g: a container file, the packaged template unit and generator, the
# hand-over to systemd. /etc/jcontainer/hello.container runs hello:1 (imported from the OCI
# archive on the payload disk); `systemctl start jcontainer@hello` -> active; machined lists
# `hello` (class container, service jcontainer) with a leader that is the unit's MainPID; no JVM
# stays; the payload's stdout is in the unit's journal; `systemctl stop` -> gone from machined.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
U=jcontainer@hello.service
UNITS_TO_DUMP=$U
trap finish EXIT

import_hello || exit 1

mkdir -p /etc/jcontainer
cat >/etc/jcontainer/hello.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo hello-from-unit; exec sleep 1000'
CF
echo "----- /etc/jcontainer/hello.container"; cat /etc/jcontainer/hello.container

t0=$(now_ms)
systemctl daemon-reload
ok "systemctl daemon-reload ($(($(now_ms) - t0)) ms)"
echo "----- generated drop-in"
cat /run/systemd/generator/$U.d/*.conf 2>&1 || bad "no generator drop-in under /run/systemd/generator/$U.d/"

t0=$(now_ms)
if timeout 180 systemctl start "$U"; then
    ok "systemctl start $U ($(($(now_ms) - t0)) ms to READY)"
else
    bad "systemctl start $U (exit $?, after $(($(now_ms) - t0)) ms)"
fi
state=$(systemctl is-active "$U")
[ "$state" = active ] && ok "is-active: $state" || bad "is-active: $state (expected active)"

echo "----- machinectl list"; machinectl list --no-pager
line=$(machinectl list --no-legend --no-pager | awk '$1 == "hello"')
set -- $line
[ "${1:-}" = hello ] && ok "machinectl list shows hello" || bad "machinectl list does not show hello"
[ "${2:-}" = container ] && ok "class: container" || bad "class: '${2:-}' (expected container)"
[ "${3:-}" = jcontainer ] && ok "service: jcontainer" || bad "service: '${3:-}' (expected jcontainer)"

echo "----- machinectl status hello"; machinectl status --no-pager hello 2>&1 | tee status.txt
leader=$(machinectl show -p Leader --value hello 2>/dev/null || true)
grep -q "Leader: $leader" status.txt && [ -n "$leader" ] && [ "$leader" != 0 ] \
    && ok "machinectl status shows Leader: $leader" || bad "machinectl status: no Leader (show -p Leader: '$leader')"
echo "machinectl show hello:"; machinectl show hello 2>&1 | grep -E '^(Name|Id|Class|Service|Unit|Leader|RootDirectory|State)=' || true
unit=$(machinectl show -p Unit --value hello 2>/dev/null || true)
[ "$unit" = "$U" ] && ok "machine's unit: $unit" || bad "machine's unit: '$unit' (expected $U)"

mainpid=$(unit_prop "$U" MainPID)
[ -n "$leader" ] && [ "$mainpid" = "$leader" ] && ok "MainPID $mainpid = Leader" \
    || bad "MainPID '$mainpid' != Leader '$leader'"
if [ -n "$mainpid" ] && [ "$mainpid" != 0 ]; then
    echo "MainPID $mainpid: comm $(cat /proc/$mainpid/comm 2>/dev/null), cgroup $(cat /proc/$mainpid/cgroup 2>/dev/null)"
fi
echo "----- the unit's processes"; systemd-cgls --no-pager -u "$U" 2>&1 || true

if pgrep -x java >/dev/null; then
    bad "a java process runs: $(pgrep -a -x java)"
else
    ok "no java process runs"
fi

if ms=$(wait_for 10 sh -c "journalctl -b -u $U -o cat | grep -qx hello-from-unit"); then
    ok "journalctl -u $U contains hello-from-unit (after $ms ms)"
else
    bad "journalctl -u $U has no line hello-from-unit"
fi

# Stop: time to the end of `systemctl stop` (which includes ExecStopPost=, a JVM start), and from
# there until machined no longer lists the machine (the 2 s of the issue).
t0=$(now_ms)
timeout 120 systemctl stop "$U"; rc=$?
t1=$(now_ms)
[ "$rc" -eq 0 ] && ok "systemctl stop $U ($((t1 - t0)) ms)" || bad "systemctl stop $U (exit $rc)"
if ms=$(wait_for 2 sh -c '! machinectl list --no-legend --no-pager | awk "{print \$1}" | grep -qx hello'); then
    ok "hello gone from machinectl list $ms ms after systemctl stop returned ($((t1 - t0 + ms)) ms after it was issued)"
else
    bad "hello still in machinectl list 2 s after systemctl stop returned"
fi
state=$(systemctl is-active "$U")
[ "$state" = inactive ] && ok "after stop: $state" || bad "after stop: $state (expected inactive)"
echo "----- journalctl -u $U"; journalctl -b --no-pager -o short-monotonic -u "$U" | tail -n 30
