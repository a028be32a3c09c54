#!/bin/sh
# Issue 16: jcontainer build of a two-step recipe on hello:1, under systemd with the installed package:
# each RUN is a container of the step before, each step a layer; a container of the result sees both.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP=jcontainer@built.service
trap 'jcontainer rm -f built >/dev/null 2>&1; finish' EXIT

import_hello || exit 1
mkdir -p ctx
cat >ctx/Dockerfile <<'RECIPE'
FROM hello:1
RUN echo one >/one
RUN cat /one /one >/two && rm /one
CMD ["sleep", "600"]
RECIPE
t0=$(now_ms)
if timeout 480 jcontainer build -t built:1 ctx >build.out 2>&1; then
    ok "jcontainer build -t built:1 ($(($(now_ms) - t0)) ms)"
else
    bad "jcontainer build -t built:1 (exit $?)"
fi
cat build.out

name=$(timeout 240 jcontainer run -d --network none --name built built:1 2>run.err)
rc=$?; cat run.err
[ "$rc" -eq 0 ] && [ "$name" = built ] && ok "run -d built:1 printed '$name'" || bad "run -d built:1: exit $rc, '$name'"
two=$(jcontainer exec built cat /two 2>&1)
[ "$two" = "one
one" ] && ok "built: /two holds step 1's line twice (step 2 ran on step 1)" || bad "built: /two is '$two'"
jcontainer exec built test -e /one && bad "built: /one is still there (step 2 removed it)" \
    || ok "built: /one is gone (step 2's whiteout over step 1's layer)"
timeout 120 jcontainer stop built || bad "jcontainer stop built (exit $?)"
