# vm-tests/guest/lib.sh: helpers for the scenarios that test the installed package, sourced as
# ". "$VMTEST_DIR/lib.sh"". POSIX sh (dash). Each check prints "ok: ..." or "FAIL: ..." and a
# failed check counts; finish() prints the unit's status and journal if anything failed.
FAILS=0
UNITS_TO_DUMP=

ok()    { echo "ok:   $*"; }
bad()   { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...: runs COMMAND, ok if it succeeds
    d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Skip (exit 0) when the run had no package; fail when it had one that is not installed.
need_package() {
    if ! ls "$VMTEST_DIR"/deb/*.deb >/dev/null 2>&1; then
        echo "SKIP: the run had no .deb (JCONTAINER_DEB)"; exit 0
    fi
    command -v jcontainer >/dev/null || { echo "FAIL: the .deb is not installed (see 00-apt-install)"; exit 1; }
    [ -f "$VMTEST_DIR/hello.tar" ] || { echo "FAIL: no hello.tar on the payload disk (umoci missing on the host?)"; exit 1; }
}

# The test image, once per boot.
import_hello() {
    # By exit status, not `images | grep -q`: grep closing the pipe early once left the JVM
    # "Aborted" and the answer wrong.
    if jcontainer inspect hello:1 >/dev/null 2>&1; then
        echo "image hello:1 already in the store"; return 0
    fi
    t0=$(now_ms)
    if jcontainer import "$VMTEST_DIR/hello.tar" --name hello:1; then
        ok "jcontainer import hello.tar --name hello:1 ($(($(now_ms) - t0)) ms)"
    else
        bad "jcontainer import hello.tar --name hello:1 (exit $?)"; return 1
    fi
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds; prints the ms it took.
wait_for() {
    limit=$(($1 * 1000)); shift
    t0=$(now_ms)
    while :; do
        if "$@" >/dev/null 2>&1; then echo $(($(now_ms) - t0)); return 0; fi
        [ $(($(now_ms) - t0)) -lt "$limit" ] || { echo $(($(now_ms) - t0)); return 1; }
        sleep 0.1
    done
}

# net_leftovers NAME...: what containers NAME... left of Network=private (their veths, any lease, the
# bridge and nft table of the default network.conf) and their staging directories; empty if nothing.
net_leftovers() {
    names=$(printf '%s|' "$@")
    ip -br link show 2>/dev/null | awk -v p="^vj-(${names%|})" '$1 ~ p || $1 == "jcontainer0" {print "interface " $1}'
    ls /run/jcontainer/net/jcontainer0/ 2>/dev/null | grep -v '^\.' | sed 's/^/lease /'
    nft list tables 2>/dev/null | grep -x 'table ip jcontainer'
    for n in "$@"; do ls -d /run/jcontainer/jnspawn."$n".* 2>/dev/null; done
}
# start_unit UNIT: systemctl start, ok with the time to READY, or bad
start_unit() {
    t0=$(now_ms)
    if timeout 180 systemctl start "$1"; then
        ok "systemctl start $1 ($(($(now_ms) - t0)) ms to READY)"
    else
        bad "systemctl start $1 (exit $?, after $(($(now_ms) - t0)) ms)"
    fi
}
machine_listed() { machinectl list --no-legend --no-pager 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
unit_prop() { systemctl show -p "$2" --value "$1"; }

dump_unit() {
    u=$1
    echo "----- systemctl status $u"
    systemctl status --no-pager -l "$u" 2>&1 || true
    echo "----- systemctl show $u (selected)"
    systemctl show -p ActiveState -p SubState -p Result -p MainPID -p ExecMainPID -p ExecMainStatus \
        -p ExecMainCode -p NRestarts -p ControlGroup -p StatusText -p DropInPaths "$u" 2>&1 || true
    echo "----- journalctl -u $u"
    journalctl -b --no-pager -o short-monotonic -u "$u" 2>&1 | tail -n 80 || true
}

finish() {
    if [ "$FAILS" -gt 0 ]; then
        for u in $UNITS_TO_DUMP; do dump_unit "$u"; done
        echo "----- machinectl list"
        machinectl list --no-pager 2>&1 || true
        echo "----- journalctl -b (jcontainer, machined, generator)"
        journalctl -b --no-pager -o short-monotonic 2>&1 \
            | grep -iE 'jcontainer|jnspawn|machine|generator' | tail -n 60 || true
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}

# make_systemd_root DIR: a root that boots systemd, made from the VM's own /usr without copying
# it: DIR/usr is a read-only bind mount of /usr (a submount: jnspawn attaches a Directory= root
# recursively, nspawn binds it with MS_REC); /bin, /sbin, /lib, /lib64 are the merged-/usr links;
# /etc holds only what systemd needs to boot to multi-user.target (os-release, passwd, group, an
# empty machine-id). Units of the VM that need hardware or the network do not start in a container
# (ConditionVirtualization=!container and friends). undo_systemd_root DIR unmounts /usr.
make_systemd_root() {
    d=$1
    mkdir -p "$d/usr" "$d/etc/systemd/system" "$d/var" "$d/root" "$d/tmp" "$d/run" "$d/proc" "$d/sys" "$d/dev" "$d/home"
    for l in bin sbin lib lib64; do [ -e "/$l" ] && ln -sfn "usr/$l" "$d/$l"; done
    cp /etc/passwd /etc/group /etc/shadow /etc/gshadow "$d/etc/" 2>/dev/null || true
    ln -sfn ../usr/lib/os-release "$d/etc/os-release"
    : >"$d/etc/machine-id"
    echo "$(basename "$d")" >"$d/etc/hostname"
    ln -sfn /usr/lib/systemd/system/multi-user.target "$d/etc/systemd/system/default.target"
    mountpoint -q "$d/usr" || { mount --bind /usr "$d/usr" && mount -o remount,bind,ro "$d/usr"; }
}
undo_systemd_root() { mountpoint -q "$1/usr" && umount "$1/usr"; true; }
