#!/bin/sh
# Issue 6, published ports beyond 30-publish-port: /etc/jcontainer/loc.container publishes
# 127.0.0.1:18081 (localhost only) and 18082 (every address). Under systemd: `curl
# localhost:18081` answers; a second network namespace ("another host") does not reach
# 192.0.2.1:18081 but does reach 192.0.2.1:18082; the container reaches its own port 18082 through
# the bridge's address (hairpin; the VM's kernel has no br_netfilter loaded unless something loads
# it); a container publishing a port a host process listens on (busybox nc) fails to start with
# jnspawn's one line in its journal and leaves nothing.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
U=jcontainer@loc.service
BUSY=jcontainer@busy.service
UNITS_TO_DUMP="$U $BUSY"
nc_pid=
trap 'ip netns del vmt-other31 2>/dev/null; [ -n "$nc_pid" ] && kill "$nc_pid" 2>/dev/null; finish' EXIT

import_hello || exit 1

mkdir -p /etc/jcontainer /srv/loc
echo "hello-from-loc" >/srv/loc/index.html
cat >/etc/jcontainer/loc.container <<CF
[Container]
Image=hello:1
BindReadOnly=/srv/loc:/www
PublishPort=127.0.0.1:18081:80
PublishPort=18082:80
Exec=httpd -f -p 80 -h /www
CF
cat >/etc/jcontainer/busy.container <<CF
[Container]
Image=hello:1
PublishPort=18083:80
Exec=sleep 1000
CF
echo "----- /etc/jcontainer/loc.container"; cat /etc/jcontainer/loc.container
systemctl daemon-reload

start_unit "$U"
if ms=$(wait_for 20 sh -c "curl -sf http://127.0.0.1:18081/ | grep -qx hello-from-loc"); then
    ok "curl 127.0.0.1:18081 answers from the container ($ms ms)"
else
    bad "curl 127.0.0.1:18081: $(curl -sS -m 3 http://127.0.0.1:18081/ 2>&1 | head -n 1)"
fi
echo "----- nft list table ip jcontainer"; nft list table ip jcontainer 2>&1
nft list map ip jcontainer addrports 2>/dev/null | grep -Eq "127.0.0.1 . (tcp|6) . 18081 : 10.213.0.2 . 80" \
    && ok "nft map addrports: 127.0.0.1 . tcp . 18081" || bad "nft map addrports has no element for 127.0.0.1:18081"
grep -qx "PORT=127.0.0.1:18081:80/tcp" /run/jcontainer/net/jcontainer0/10.213.0.2 \
    && ok "the lease names the address" || bad "lease: $(cat /run/jcontainer/net/jcontainer0/10.213.0.2 2>&1)"
jcontainer port loc >port.txt 2>&1
grep -qx "80/tcp -> 127.0.0.1:18081" port.txt && ok "jcontainer port loc: 80/tcp -> 127.0.0.1:18081" \
    || bad "jcontainer port loc: $(cat port.txt)"

# Another host: a network namespace on a veth of its own; it reaches the VM's address on that link.
ip netns add vmt-other31
ip link add vmt-o31 type veth peer name eth0 netns vmt-other31
ip addr add 192.0.2.5/30 dev vmt-o31 && ip link set vmt-o31 up
ip -n vmt-other31 addr add 192.0.2.6/30 dev eth0 && ip -n vmt-other31 link set eth0 up
ip -n vmt-other31 link set lo up
if ms=$(wait_for 10 sh -c "ip netns exec vmt-other31 curl -sf http://192.0.2.5:18082/ | grep -qx hello-from-loc"); then
    ok "another host reaches 192.0.2.5:18082 ($ms ms)"
else
    bad "another host, 18082: $(ip netns exec vmt-other31 curl -sS -m 3 http://192.0.2.5:18082/ 2>&1 | head -n 1)"
fi
if ip netns exec vmt-other31 curl -sf -m 3 http://192.0.2.5:18081/ >/dev/null 2>&1; then
    bad "another host reaches 192.0.2.5:18081, published on 127.0.0.1 only"
else
    ok "another host does not reach 192.0.2.5:18081 (published on 127.0.0.1 only)"
fi
ip netns del vmt-other31

# Hairpin: the container reaches its own published port through the bridge's address.
pid=$(unit_prop "$U" MainPID)
if nsenter --target="$pid" --net timeout 5 busybox wget -q -O - http://10.213.0.1:18082/ 2>&1 | grep -qx hello-from-loc; then
    ok "the container reaches its own port through 10.213.0.1:18082 (hairpin)"
else
    bad "hairpin: $(nsenter --target="$pid" --net timeout 5 busybox wget -q -O - http://10.213.0.1:18082/ 2>&1 | head -n 1)"
fi
echo "bridge-nf-call-iptables: $(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 'no br_netfilter')"

# A port a host process listens on: refused with one line, nothing of busy left.
busybox nc -l -p 18083 >/dev/null 2>&1 &
nc_pid=$!
wait_for 5 sh -c "grep -q ':46A3 ' /proc/net/tcp /proc/net/tcp6" >/dev/null || echo "note: nc not seen listening"
if timeout 180 systemctl start "$BUSY"; then
    bad "systemctl start $BUSY succeeded (port 18083 is in use on the host)"
else
    ok "systemctl start $BUSY failed as expected"
fi
journalctl -b --no-pager -o cat -u "$BUSY" >busy.txt
grep -q "Port tcp 18083 is in use on the host (a process listens on it); choose another host port." busy.txt \
    && ok "journalctl -u $BUSY has the one line" || bad "journalctl -u $BUSY: $(tail -n 3 busy.txt)"
ip -br link show vj-busy >/dev/null 2>&1 && bad "vj-busy left" || ok "no vj-busy"
ls /run/jcontainer/net/jcontainer0/ | grep -qx 10.213.0.3 && bad "a lease of busy left" || ok "no lease of busy"
kill "$nc_pid" 2>/dev/null; nc_pid=
systemctl reset-failed "$BUSY" 2>/dev/null || true

timeout 120 systemctl stop "$U" && ok "systemctl stop $U" || bad "systemctl stop $U (exit $?)"
left=$(net_leftovers loc busy)
[ -z "$left" ] && ok "after stop: no veth, bridge, lease, nft table or staging dir" || bad "after stop: left $left"
rm -f /etc/jcontainer/loc.container /etc/jcontainer/busy.container
systemctl daemon-reload
