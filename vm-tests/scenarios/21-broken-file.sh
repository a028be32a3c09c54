#!/bin/sh
# Issue 5, scenario f: one broken container file does not stop the others. broken.container has
# an unknown key on line 3: after daemon-reload the generator's "broken.container:3" message is in
# `journalctl -b`; good.container (hello:1) still starts and is active; `systemctl start
# jcontainer@broken` fails, and its status/journal carry jnspawn's one-line reason (file:line).
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@good.service jcontainer@broken.service"
trap finish EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer
cat >/etc/jcontainer/broken.container <<'CF'
[Container]
Image=hello:1
NoSuchKey=yes
CF
cat >/etc/jcontainer/good.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo good-up; exec sleep 1000'
CF
echo "----- /etc/jcontainer/broken.container"; cat -n /etc/jcontainer/broken.container

t0=$(now_ms)
systemctl daemon-reload
ok "systemctl daemon-reload ($(($(now_ms) - t0)) ms)"
if ms=$(wait_for 10 sh -c 'journalctl -b --no-pager -o cat | grep -q "broken.container:3"'); then
    ok "journalctl -b has the generator's message (after $ms ms):"
    journalctl -b --no-pager -o short-monotonic | grep "broken.container:3" | tail -n 3
else
    bad "journalctl -b has no 'broken.container:3' message"
    journalctl -b --no-pager -o short-monotonic | grep -iE 'generator|broken' | tail -n 10
fi
ls /run/systemd/generator/jcontainer@good.service.d/ >/dev/null 2>&1 \
    && ok "drop-in generated for good" || bad "no drop-in for jcontainer@good.service"
[ ! -e /run/systemd/generator/jcontainer@broken.service.d ] \
    && ok "no drop-in for broken" || echo "note: a drop-in exists for broken: $(ls /run/systemd/generator/jcontainer@broken.service.d/)"

U=jcontainer@good.service
t0=$(now_ms)
if timeout 180 systemctl start "$U"; then
    ok "systemctl start $U ($(($(now_ms) - t0)) ms)"
else
    bad "systemctl start $U (exit $?)"
fi
state=$(systemctl is-active "$U")
[ "$state" = active ] && ok "$U is-active: $state" || bad "$U is-active: $state (expected active)"
if ms=$(wait_for 10 sh -c "journalctl -b -u $U -o cat | grep -qx good-up"); then
    ok "good-up in journalctl -u $U ($ms ms)"
else
    bad "no good-up in journalctl -u $U"
fi

U=jcontainer@broken.service
t0=$(now_ms)
if timeout 180 systemctl start "$U"; then
    bad "systemctl start $U succeeded (expected failure)"
else
    ok "systemctl start $U failed as expected (exit $?, $(($(now_ms) - t0)) ms)"
fi
state=$(systemctl is-active "$U")
[ "$state" = failed ] && ok "$U is-active: $state" || bad "$U is-active: $state (expected failed)"
systemctl status --no-pager -l "$U" >status.txt 2>&1
journalctl -b --no-pager -o cat -u "$U" >journal.txt
echo "----- systemctl status $U"; cat status.txt
grep -q "broken.container:3" status.txt && ok "systemctl status shows broken.container:3" \
    || bad "systemctl status has no broken.container:3"
if grep "broken.container:3" journal.txt | grep -qi "NoSuchKey"; then
    ok "journalctl -u $U has the one-line reason: $(grep "broken.container:3" journal.txt | head -n 1)"
else
    bad "journalctl -u $U has no 'broken.container:3 ... NoSuchKey' line"
fi

# Clean up.
systemctl stop jcontainer@good.service jcontainer@broken.service 2>/dev/null || true
systemctl reset-failed jcontainer@good.service jcontainer@broken.service 2>/dev/null || true
rm -f /etc/jcontainer/broken.container /etc/jcontainer/good.container
systemctl daemon-reload
