#!/bin/sh
# Issue 5, scenario b: a container file with [Install] WantedBy=machines.target runs after the VM
# reboots, without anyone starting it. Two phases (guest/run-scenarios):
#   phase 1: writes /etc/jcontainer/persist.container, checks the generator's
#            machines.target.wants link, asks for a reboot;
#   phase 2 (next boot): jcontainer@persist is active (started by the boot), registered with
#            machined, its payload's line is in this boot's journal.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
N=persist
U=jcontainer@$N.service
UNITS_TO_DUMP="$U machines.target"
trap finish EXIT

if [ "${VMTEST_PHASE:-1}" = 1 ]; then
    import_hello || exit 1
    mkdir -p /etc/jcontainer
    cat >/etc/jcontainer/$N.container <<'CF'
[Container]
Image=hello:1
Exec=/bin/sh -c 'echo persist-up; exec sleep 100000'

[Install]
WantedBy=machines.target
CF
    cat /etc/jcontainer/$N.container
    systemctl daemon-reload
    link=/run/systemd/generator/machines.target.wants/$U
    [ -L "$link" ] && ok "generator: $link -> $(readlink "$link")" || bad "no $link"
    echo "machines.target: is-enabled $(systemctl is-enabled machines.target 2>&1), wanted by: $(systemctl show -p WantedBy --value machines.target)"
    systemctl list-dependencies --no-pager machines.target 2>&1 | head -n 10
    [ "$(systemctl is-active "$U")" = inactive ] && ok "$U not started in phase 1" || bad "$U is $(systemctl is-active "$U") before the reboot"
    cat /proc/sys/kernel/random/boot_id >boot-id
    [ "$FAILS" -eq 0 ] && touch "$VMTEST_REBOOT_REQUEST"
    exit 0   # finish (the trap) reports failures
fi

# ---- phase 2
now=$(cat /proc/sys/kernel/random/boot_id)
[ "$now" != "$(cat boot-id)" ] && ok "a new boot (boot_id $(cat boot-id) -> $now)" || bad "same boot_id: the VM did not reboot"
echo "uptime: $(cut -d' ' -f1 /proc/uptime) s"
if ms=$(wait_for 180 sh -c "[ \"\$(systemctl is-active $U)\" = active ]"); then
    ok "$U is active after the reboot (waited $ms ms)"
else
    bad "$U is $(systemctl is-active "$U") 180 s after the runner started (expected active)"
fi
echo "ActiveEnterTimestampMonotonic $(unit_prop "$U" ActiveEnterTimestampMonotonic) us; machines.target $(systemctl is-active machines.target)"
systemctl show -p WantedBy -p TriggeredBy --value "$U" 2>/dev/null | tr -s '\n' ' '; echo
machine_listed $N && ok "machined lists $N" || bad "machined does not list $N"
if ms=$(wait_for 10 sh -c "journalctl -b -u $U -o cat | grep -qx persist-up"); then
    ok "persist-up in this boot's journal ($ms ms)"
else
    bad "no persist-up in journalctl -b -u $U"
fi
systemctl stop "$U"
rm -f /etc/jcontainer/$N.container
systemctl daemon-reload
