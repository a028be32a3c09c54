#!/bin/sh
# Issue 6: a PublishPort= container under systemd. /etc/jcontainer/pub.container serves a page
# with busybox httpd on port 80, published as 18080; `systemctl start jcontainer@pub` -> the page
# answers `curl localhost:18080` and, through the VM's own address on a link to a second network
# namespace ("another host"), from there; machined knows the host-side interface; `systemctl stop`
# leaves no veth, lease or nft table; after `kill -9` of the container's PID 1 the unit's
# ExecStopPost= (jnspawn --cleanup) leaves nothing either.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
U=jcontainer@pub.service
UNITS_TO_DUMP=$U
PORT=18080
trap 'ip netns del vmt-other 2>/dev/null; finish' EXIT

import_hello || exit 1

mkdir -p /etc/jcontainer /srv/pub
echo "hello-from-published-port" >/srv/pub/index.html
cat >/etc/jcontainer/pub.container <<CF
[Container]
Image=hello:1
BindReadOnly=/srv/pub:/www
PublishPort=$PORT:80
Exec=httpd -f -p 80 -h /www
CF
echo "----- /etc/jcontainer/pub.container"; cat /etc/jcontainer/pub.container
systemctl daemon-reload

start_unit "$U"

if ms=$(wait_for 20 sh -c "curl -sf http://localhost:$PORT/ | grep -qx hello-from-published-port"); then
    ok "curl localhost:$PORT answers from the container ($ms ms)"
else
    bad "curl localhost:$PORT: $(curl -sS http://localhost:$PORT/ 2>&1 | head -n 1)"
fi

echo "----- nft list table ip jcontainer"; nft list table ip jcontainer 2>&1
# nft prints tcp as 6 where /etc/protocols is missing, as in this minbase VM.
nft list map ip jcontainer ports 2>/dev/null | grep -Eq "(tcp|6) . $PORT : 10.213.0.2 . 80" \
    && ok "nft map ports: tcp . $PORT -> 10.213.0.2:80" || bad "nft map ports has no element for $PORT"
echo "----- /run/jcontainer/net/jcontainer0"; head /run/jcontainer/net/jcontainer0/* 2>&1

# Another host: a network namespace on a veth of its own; it reaches the VM's address on that link.
ip netns add vmt-other
ip link add vmt-o type veth peer name eth0 netns vmt-other
ip addr add 192.0.2.1/30 dev vmt-o && ip link set vmt-o up
ip -n vmt-other addr add 192.0.2.2/30 dev eth0 && ip -n vmt-other link set eth0 up && ip -n vmt-other link set lo up
echo "net.ipv4.ip_forward=$(cat /proc/sys/net/ipv4/ip_forward) (jnspawn turns it on by default: IPForward=yes)"
if ms=$(wait_for 10 sh -c "ip netns exec vmt-other curl -sf http://192.0.2.1:$PORT/ | grep -qx hello-from-published-port"); then
    ok "another host reaches 192.0.2.1:$PORT ($ms ms)"
else
    bad "another host: $(ip netns exec vmt-other curl -sS -m 3 http://192.0.2.1:$PORT/ 2>&1 | head -n 1)"
fi
ip netns del vmt-other

echo "----- machinectl status pub"; machinectl status --no-pager pub 2>&1 | tee status.txt
grep -q "Iface: vj-pub" status.txt && ok "machinectl status shows Iface: vj-pub" || bad "machinectl status: no Iface: vj-pub"
grep -q "Address: 10.213.0.2" status.txt && ok "machinectl status shows Address: 10.213.0.2" \
    || bad "machinectl status: no Address: 10.213.0.2"
echo "----- jcontainer status pub"; jcontainer status pub 2>&1 | tee jstatus.txt
grep -qE "^ *Address: 10\.213\.0\.2$" jstatus.txt && ok "jcontainer status shows Address: 10.213.0.2" \
    || bad "jcontainer status: no Address: 10.213.0.2"

timeout 120 systemctl stop "$U" && ok "systemctl stop $U" || bad "systemctl stop $U (exit $?)"
left=$(net_leftovers pub)
[ -z "$left" ] && ok "after stop: no veth, bridge, lease, nft table or staging dir" || bad "after stop: left $left"
curl -s -m 3 http://localhost:$PORT/ >/dev/null && bad "port $PORT still answers after stop" || ok "port $PORT closed after stop"

# kill -9 of the container's PID 1: the unit fails, ExecStopPost= cleans up.
timeout 180 systemctl start "$U" && ok "start $U again" || bad "start $U again (exit $?)"
wait_for 20 sh -c "curl -sf http://localhost:$PORT/" >/dev/null && ok "answers again" || bad "does not answer after restart"
pid=$(unit_prop "$U" MainPID)
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    kill -9 "$pid" && ok "kill -9 $pid"
    if ms=$(wait_for 30 sh -c "[ \"\$(systemctl is-active $U)\" = failed ]"); then
        ok "$U failed $ms ms after the kill"
    else
        bad "$U is '$(systemctl is-active "$U")' 30 s after the kill"
    fi
    left=$(net_leftovers pub)
    [ -z "$left" ] && ok "after kill -9: nothing left (ExecStopPost= jnspawn --cleanup)" || bad "after kill -9: left $left"
    # The verb for what no ExecStopPost= cleaned: here there is nothing, and it says so.
    out=$(jcontainer cleanup 2>&1)
    [ "$out" = "Nothing to clean up." ] && ok "jcontainer cleanup: nothing to clean up" || bad "jcontainer cleanup: $out"
else
    bad "$U has no MainPID ('$pid')"
fi
systemctl reset-failed "$U" 2>/dev/null || true

# No ExecStopPost= at all: a foreground jnspawn (as on a host without systemd) killed with SIGKILL,
# its container with it. `jcontainer cleanup` removes what it left, and says what.
/usr/libexec/jcontainer/jnspawn -q -n -p 18083:80 -M fg9 --image=hello:1 -x sleep 3091 >fg9.log 2>&1 &
fg=$!
# Running: its record is written once the payload runs, after the lease and the nft elements.
if wait_for 120 sh -c 'grep -qs "^MACHINE=fg9$" /run/jcontainer/net/jcontainer0/[0-9]* && [ -e /run/jcontainer/fg9.state ]' >/dev/null; then
    ok "a foreground jnspawn fg9 runs with a lease"
else
    bad "fg9 does not run with a lease: $(cat fg9.log)"
fi
kill -9 "$fg"; wait "$fg" 2>/dev/null
wait_for 30 sh -c '! pgrep -x -f "sleep 3091" >/dev/null' >/dev/null || bad "fg9's container outlived its jnspawn"
echo "----- jcontainer cleanup"; jcontainer cleanup 2>&1 | tee cleanup.txt
grep -Eq "^Removed lease 10\.213\.0\.[0-9]+ of 'fg9' on bridge 'jcontainer0'$" cleanup.txt \
    && ok "cleanup removed fg9's lease" || bad "cleanup: no line for fg9's lease"
# fg9 was the last container: its published port goes with the table (with others left, the element alone).
grep -q "^Removed nftables table 'ip jcontainer'$" cleanup.txt \
    && ok "cleanup removed the nft table, fg9's published port with it" || bad "cleanup: no line for the nft table"
grep -q "^Removed staging directory '/run/jcontainer/jnspawn\.fg9\." cleanup.txt \
    && ok "cleanup removed fg9's staging directory" || bad "cleanup: no line for fg9's staging directory"
left=$(net_leftovers fg9; ls /run/jcontainer/fg9.state 2>/dev/null)
[ -z "$left" ] && ok "after jcontainer cleanup: nothing of fg9 left" || bad "after jcontainer cleanup: left $left"
