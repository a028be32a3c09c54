#!/bin/sh
# The dist under test (vm-tests/run puts target/jcontainer at /opt/jcontainer) runs on this
# systemd host: jnspawn in the foreground, a busybox root, one command, its output.
set -eu
fail() { echo "FAIL: $*"; exit 1; }

DIST=${JCONTAINER_DIST:-/opt/jcontainer}
if [ ! -x "$DIST/bin/jnspawn" ]; then
    echo "SKIP: no $DIST/bin/jnspawn (the run had no dist: JCONTAINER_DIST)"
    exit 0
fi

ROOT=$(pwd)/root
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/etc"
cp /bin/busybox "$ROOT/bin/busybox"
for a in sh echo cat ls true false; do ln -s busybox "$ROOT/bin/$a"; done

# Foreground, no systemd hand-over for this one: NOTIFY_SOCKET must not leak in from the unit.
unset NOTIFY_SOCKET || true
start=$(date +%s%N)
out=$("$DIST/bin/jnspawn" -q -D "$ROOT" /bin/busybox echo hello-from-vm 2>jnspawn.err) || {
    rc=$?; cat jnspawn.err; fail "jnspawn exited with $rc"; }
end=$(date +%s%N)
cat jnspawn.err
echo "output: $out"
echo "jnspawn took $(( (end - start) / 1000000 )) ms (TCG)"
[ "$out" = hello-from-vm ] || fail "expected 'hello-from-vm', got '$out'"

# The exit code of the container comes back.
rc=0
"$DIST/bin/jnspawn" -q -D "$ROOT" /bin/busybox sh -c 'exit 7' || rc=$?
echo "exit code of 'sh -c \"exit 7\"': $rc"
[ "$rc" -eq 7 ] || fail "expected exit code 7, got $rc"
