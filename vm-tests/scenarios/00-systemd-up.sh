#!/bin/sh
# The VM is a real systemd host: systemd is PID 1, the boot finished (running or degraded),
# machined answers, polkit and D-Bus are there, and Java 17 runs.
set -eu
fail() { echo "FAIL: $*"; exit 1; }

comm=$(cat /proc/1/comm)
echo "PID 1: $comm ($(readlink /proc/1/exe))"
[ "$comm" = systemd ] || fail "PID 1 is $comm, not systemd"

state=$(systemctl is-system-running || true)
echo "system state: $state"
case $state in
running) ;;
degraded) echo "failed units:"; systemctl --failed --no-legend --plain ;;
*) fail "system state is '$state'" ;;
esac

echo "machinectl list:"
machinectl list --no-pager || fail "machinectl list failed (machined)"
# machinectl's call D-Bus-activates machined; on a loaded host the unit can still be "activating"
# when the call returns (a fresh-machine run saw that), so wait a bounded while for "active".
i=0
until systemctl is-active --quiet systemd-machined; do
    i=$((i + 1))
    [ "$i" -le 300 ] || fail "systemd-machined not active 30 s after machinectl: $(systemctl is-active systemd-machined)"
    sleep 0.1
done
[ "$i" -eq 0 ] || echo "systemd-machined became active $((i * 100)) ms after machinectl returned"

# polkitd is D-Bus activated: a property read starts it.
backend=$(busctl --system get-property org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
    org.freedesktop.PolicyKit1.Authority BackendName) \
    || fail "polkit (org.freedesktop.PolicyKit1) does not answer on the system bus"
echo "polkit answers on the system bus: backend $backend"

java -version 2>&1 | tee java-version.txt
grep -q 'version "17' java-version.txt || fail "java -version is not 17"

echo "kernel: $(uname -r); systemd: $(systemctl --version | head -n 1)"
