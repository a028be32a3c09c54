#!/bin/sh
# Issue 16, with the installed package and nothing but its Depends: (no attr, no getfattr):
#   jcontainer import of hello.tar's tag "layers" (make-test-image): an opaque whiteout hides the lower
#   etc/opq/old, and busybox-capped keeps its file capability (cap_net_raw+ep): as uid 1000 in the
#   container it runs with CapEff 0x2000. getcap (libcap2-bin, a test tool) sees it on the host too.
#   jcontainer commit of a stopped container of it (a new file, a removed lower file): a container of
#   the committed image sees both changes, and the opaque dir and the capability are still right.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@wh.service jcontainer@whc.service"
trap 'jcontainer rm -f wh >/dev/null 2>&1; jcontainer rm -f whc >/dev/null 2>&1; finish' EXIT

t0=$(now_ms)
if jcontainer import "$VMTEST_DIR/hello.tar" --name wh:layers; then
    ok "jcontainer import hello.tar --name wh:layers ($(($(now_ms) - t0)) ms)"
else
    bad "jcontainer import hello.tar --name wh:layers (exit $?)"; exit 1
fi
command -v getfattr >/dev/null && echo "note: getfattr is installed, though no Depends: pulls it in"

# checks NAME WHAT: the opaque dir and the capability, seen from inside the running container NAME
checks() {
    jcontainer exec "$1" ls /etc/opq >ls.txt 2>&1
    echo "----- $1: ls /etc/opq"; cat ls.txt
    grep -qx new ls.txt && ! grep -qx old ls.txt && ok "$1: etc/opq shows 'new' and hides the lower 'old' ($2)" \
        || bad "$1: etc/opq is '$(tr '\n' ' ' <ls.txt)' ($2)"
    jcontainer exec -u 1000 "$1" /usr/local/bin/busybox-capped grep CapEff /proc/self/status >caps.txt 2>&1
    echo "----- $1: busybox-capped as uid 1000"; cat caps.txt
    grep -q '^CapEff:[[:space:]]*0000000000002000$' caps.txt && ok "$1: the file capability gives uid 1000 cap_net_raw ($2)" \
        || bad "$1: busybox-capped as uid 1000 has '$(cat caps.txt)' ($2)"
}

name=$(timeout 240 jcontainer run -d --network none --name wh wh:layers sleep 600 2>run.err)
rc=$?; cat run.err
[ "$rc" -eq 0 ] && [ "$name" = wh ] && ok "run -d wh:layers printed '$name'" || bad "run -d wh:layers: exit $rc, '$name'"
checks wh "imported"
lower=$(find /var/lib/jcontainer/layers -path '*/usr/local/bin/busybox-capped' | head -n 1)
caps=$(getcap "$lower" 2>&1)
echo "getcap: $caps"
case $caps in *cap_net_raw=ep*) ok "the unpacked layer's file has cap_net_raw=ep (getcap)" ;; *) bad "getcap '$lower': '$caps'" ;; esac

jcontainer exec wh sh -c 'echo made-in-wh >/made && rm /usr/local/bin/greet' && ok "changed wh: /made added, /usr/local/bin/greet removed" \
    || bad "exec wh: changing its files failed"
timeout 120 jcontainer stop wh && ok "jcontainer stop wh" || bad "jcontainer stop wh (exit $?)"
t0=$(now_ms)
if timeout 240 jcontainer commit wh wh:committed >commit.out 2>&1; then
    ok "jcontainer commit wh wh:committed ($(($(now_ms) - t0)) ms): $(tail -n 1 commit.out)"
else
    bad "jcontainer commit wh wh:committed: $(cat commit.out)"
fi

name=$(timeout 240 jcontainer run -d --network none --name whc wh:committed sleep 600 2>run.err)
rc=$?; cat run.err
[ "$rc" -eq 0 ] && [ "$name" = whc ] && ok "run -d wh:committed printed '$name'" || bad "run -d wh:committed: exit $rc, '$name'"
[ "$(jcontainer exec whc cat /made 2>&1)" = made-in-wh ] && ok "whc: /made is there" || bad "whc: /made is '$(jcontainer exec whc cat /made 2>&1)'"
jcontainer exec whc test -e /usr/local/bin/greet && bad "whc: /usr/local/bin/greet came back (the whiteout was lost)" \
    || ok "whc: /usr/local/bin/greet stays removed (a whiteout in the committed layer)"
checks whc "committed"
timeout 120 jcontainer stop whc || bad "jcontainer stop whc (exit $?)"
