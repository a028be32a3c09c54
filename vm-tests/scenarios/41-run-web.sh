#!/bin/sh
# Issue 7, as a user of `docker run -d -p` would try it under systemd:
#   jcontainer run -d -p 18081:80 --name web IMAGE httpd ...  -> prints the name, the unit is active
#   curl localhost:18081 answers; `jcontainer ps` lists web; `jcontainer logs web` shows its output;
#   `jcontainer exec web ps` shows its processes; `jcontainer stop web` stops it; `machinectl list`
#   agrees at each step; `jcontainer rm web` removes it.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
U=jcontainer@web.service
UNITS_TO_DUMP=$U
PORT=18081
trap 'jcontainer rm -f web >/dev/null 2>&1; finish' EXIT

import_hello || exit 1
mkdir -p /srv/web
echo "hello-from-run-d" >/srv/web/index.html

t0=$(now_ms)
name=$(timeout 240 jcontainer run -d -p $PORT:80 -v /srv/web:/www:ro --name web hello:1 \
    sh -c 'echo web-says-hello; exec httpd -f -p 80 -h /www' 2>run.err)
rc=$?
cat run.err
[ "$rc" -eq 0 ] && [ "$name" = web ] && ok "run -d printed '$name' ($(($(now_ms) - t0)) ms)" \
    || bad "run -d: exit $rc, printed '$name'"
[ "$(systemctl is-active "$U")" = active ] && ok "$U is active" || bad "$U is '$(systemctl is-active "$U")'"
machine_listed web && ok "machinectl list shows web" || bad "machinectl list lacks web"

if ms=$(wait_for 20 sh -c "curl -sf http://localhost:$PORT/ | grep -qx hello-from-run-d"); then
    ok "curl localhost:$PORT answers ($ms ms)"
else
    bad "curl localhost:$PORT: $(curl -sS -m 3 http://localhost:$PORT/ 2>&1 | head -n 1)"
fi

jcontainer ps >ps.txt 2>&1
echo "----- jcontainer ps"; cat ps.txt
grep -qE '^web[[:space:]]' ps.txt && ok "jcontainer ps lists web" || bad "jcontainer ps does not list web"

if ms=$(wait_for 10 sh -c "jcontainer logs web | grep -qx web-says-hello"); then
    ok "jcontainer logs web shows its output ($ms ms)"
else
    bad "jcontainer logs web: $(jcontainer logs web 2>&1 | tail -n 3 | tr '\n' '|')"
fi

jcontainer exec web ps >exec-ps.txt 2>&1
echo "----- jcontainer exec web ps"; cat exec-ps.txt
grep -q 'httpd -f -p 80' exec-ps.txt && ok "exec web ps shows httpd" || bad "exec web ps lacks httpd"
grep -qE '^ *1 ' exec-ps.txt && ok "exec web ps shows the container's PID 1" || bad "exec web ps has no PID 1"

t0=$(now_ms)
timeout 120 jcontainer stop web && ok "jcontainer stop web ($(($(now_ms) - t0)) ms)" || bad "jcontainer stop web (exit $?)"
state=$(systemctl is-active "$U")
[ "$state" = inactive ] || [ "$state" = failed ] && ok "$U is $state" || bad "$U is '$state' after stop"
if ms=$(wait_for 2 sh -c "! machinectl list --no-legend --no-pager | awk '{print \$1}' | grep -qx web"); then
    ok "machinectl list dropped web ($ms ms)"
else
    bad "machinectl list still shows web 2 s after stop"
fi
curl -s -m 3 http://localhost:$PORT/ >/dev/null && bad "port $PORT still answers after stop" || ok "port $PORT closed"

jcontainer rm web && ok "jcontainer rm web" || bad "jcontainer rm web (exit $?)"
[ ! -e /run/jcontainer/web.container ] && ok "its container file is gone" || bad "/run/jcontainer/web.container is left"

# In the foreground, as `docker run` without -d: the status is the command's.
# A command this short ends before jnspawn registers it with machined; that must not fail the run.
t0=$(now_ms)
out=$(timeout 240 jcontainer run --rm --name quick hello:1 sh -c 'echo quick-says-hi; exit 3' 2>run.err); rc=$?
[ "$rc" = 3 ] && ok "foreground run of a short command: status 3 ($(($(now_ms) - t0)) ms)" \
    || bad "foreground run of a short command: status $rc (expected 3): $(tail -n 3 run.err | tr '\n' '|')"
[ ! -e /run/jcontainer/quick.container ] && ok "--rm removed its container file" || bad "quick.container is left"
case "$(printf "%s\n" "$out" | grep -c '^quick-says-hi$')" in
    1) ok "foreground run printed the container's output, once" ;;
    *) bad "foreground run printed '$(printf "%s\n" "$out" | tr '\n' '|')', expected the container's line once;" \
        "its journal fields: $(journalctl -o verbose MESSAGE=quick-says-hi 2>/dev/null \
            | grep -E '^ *(_SYSTEMD_UNIT|_SYSTEMD_INVOCATION_ID|_PID|_STREAM_ID)=' | tr -d ' ' | tr '\n' ' ')" ;;
esac
