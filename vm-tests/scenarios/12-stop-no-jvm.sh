#!/bin/sh
# Issue 8: the unit's ExecStopPost= (jnspawn --cleanup --machine=%i) starts no JVM when nothing is
# left to clean. A drop-in runs the same command with JAVA_HOME pointing at a java that only leaves
# a marker and fails (the `-` prefix ignores that), so a started JVM shows as the marker.
#   stopnj:  Network=host -> after `systemctl stop`: no marker, /run/jcontainer/stopnj.state (written
#            at the hand-over) removed by bin/jnspawn itself, the unit inactive, no lease.
#   stopnjp: Network=private -> its lease needs the JVM: the marker is there; the real cleanup then
#            releases the lease.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@stopnj.service jcontainer@stopnjp.service"
NOJAVA=/usr/local/lib/stopnj-nojava  # not /run: noexec
cleanup() {
    systemctl stop jcontainer@stopnj.service jcontainer@stopnjp.service 2>/dev/null
    /usr/libexec/jcontainer/jnspawn --cleanup --machine=stopnjp 2>/dev/null
    rm -rf /etc/systemd/system/jcontainer@stopnj.service.d /etc/systemd/system/jcontainer@stopnjp.service.d \
        /etc/jcontainer/stopnj.container /etc/jcontainer/stopnjp.container "$NOJAVA"
    systemctl daemon-reload
    finish
}
trap cleanup EXIT

import_hello || exit 1
mkdir -p /etc/jcontainer "$NOJAVA/bin"
printf '#!/bin/sh\necho "$@" >>%s/started\nexit 99\n' "$NOJAVA" >"$NOJAVA/bin/java"
chmod 755 "$NOJAVA/bin/java"
for m in stopnj stopnjp; do
    net=host
    [ $m = stopnjp ] && net=private
    cat >/etc/jcontainer/$m.container <<CF
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo $m-up; exec sleep 1000'
Network=$net
CF
    mkdir -p /etc/systemd/system/jcontainer@$m.service.d
    cat >/etc/systemd/system/jcontainer@$m.service.d/50-no-java.conf <<CF
[Service]
ExecStopPost=
ExecStopPost=-/usr/bin/env JAVA_HOME=$NOJAVA /usr/libexec/jcontainer/jnspawn --cleanup --machine=%i
CF
done
systemctl daemon-reload

for m in stopnj stopnjp; do
    U=jcontainer@$m.service
    rm -f "$NOJAVA/started"
    t0=$(now_ms)
    timeout 180 systemctl start "$U" && ok "start $U ($(($(now_ms) - t0)) ms)" || bad "start $U (exit $?)"
    [ -f /run/jcontainer/$m.state ] && ok "$m: /run/jcontainer/$m.state written at the hand-over" \
        || bad "$m: no /run/jcontainer/$m.state while it runs"
    t0=$(now_ms)
    timeout 120 systemctl stop "$U" && ok "stop $U ($(($(now_ms) - t0)) ms, ExecStopPost= included)" \
        || bad "stop $U (exit $?)"
    state=$(systemctl is-active "$U")
    [ "$state" = inactive ] && ok "$m: is-active: $state" || bad "$m: is-active: $state (expected inactive)"
    if [ $m = stopnj ]; then
        [ ! -e "$NOJAVA/started" ] && ok "$m: ExecStopPost= started no JVM" \
            || bad "$m: ExecStopPost= started a JVM: $(cat "$NOJAVA/started")"
        [ ! -e /run/jcontainer/$m.state ] && ok "$m: its state record is removed (by bin/jnspawn)" \
            || bad "$m: /run/jcontainer/$m.state left behind"
    else
        [ -e "$NOJAVA/started" ] && ok "$m: ExecStopPost= started the JVM (a lease to release)" \
            || bad "$m: ExecStopPost= started no JVM, with a lease to release"
        /usr/libexec/jcontainer/jnspawn --cleanup --machine=$m && ok "$m: the real cleanup" || bad "$m: the real cleanup (exit $?)"
        [ ! -e /run/jcontainer/$m.state ] && ok "$m: its state record is removed" \
            || bad "$m: /run/jcontainer/$m.state left behind"
    fi
    left=$(grep -lx "MACHINE=$m" /run/jcontainer/net/*/[0-9]* 2>/dev/null)
    [ -z "$left" ] && ok "$m: no lease left" || bad "$m: lease left: $left"
done
