#!/bin/sh
# Issue 5, scenario e, images: the group pull model (polkit/README.md, "Images") on the installed
# package. The package's tmpfiles snippet laid out /var/lib/jcontainer (blobs/, refs/ 2775
# root:jcontainer; layers/ root's). alice (in jcontainer) pulls an image from a registry on
# loopback and imports the OCI archive hello.tar and a rootfs tarball, as herself: the blobs are
# hers (group jcontainer), verified; nothing is unpacked and no root-owned file is made. bob (not
# in jcontainer) is refused with one line, exit 125. root starts jcontainer@ units of alice's
# images: jnspawn unpacks the pulled image's new layer as root and the payload runs. A blob alice
# rewrote after importing it is refused at unpack: the unit fails, the digest error in its journal.
#
# The registry: busybox httpd serving the distribution API's read paths (/v2/, manifests by tag,
# blobs by digest) from a directory this script writes; the image is made here with tar and
# sha256sum (one uncompressed layer), so that the pulled layer is one the store does not have yet.
set -u
. "$VMTEST_DIR/lib.sh"
need_package
UNITS_TO_DUMP="jcontainer@gp.service jcontainer@gi.service jcontainer@gt.service"
S=/var/lib/jcontainer
W=$(mktemp -d /var/tmp/group-images.XXXXXX)
chmod 755 "$W"
HTTPD_PID=
cleanup() {
    for n in gp gi gt; do
        systemctl stop "jcontainer@$n.service" 2>/dev/null
        systemctl reset-failed "jcontainer@$n.service" 2>/dev/null
        rm -f "/etc/jcontainer/$n.container"
    done
    systemctl daemon-reload
    [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null
    for i in gp:1 "127.0.0.1:5036/gp:1.json" alice-hello:1 gt:1; do jcontainer rmi "$i" >/dev/null 2>&1; done
    jcontainer gc >/dev/null 2>&1
    rm -rf "$W"
    finish
}
trap cleanup EXIT

import_hello || exit 1
id alice >/dev/null 2>&1 || useradd -M -s /bin/sh -G jcontainer alice
id bob >/dev/null 2>&1 || useradd -M -s /bin/sh bob
as() { u=$1; shift; (cd "$W" && timeout 600 runuser -u "$u" -- "$@") </dev/null; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
root_owned() { find "$S" -user root | sort; }
nlayers() { find "$S/layers" -mindepth 1 -maxdepth 1 | wc -l; }

# ---- the store as the package laid it out
for want in "2775 root jcontainer $S/blobs/sha256" "2775 root jcontainer $S/refs" "3770 root jcontainer $S/tmp" \
            "644 root jcontainer $S/store.lock" "711 root root $S/layers"; do
    p=${want##* }
    got="$(stat -c '%a %U %G' "$p") $p"
    [ "$got" = "$want" ] && ok "$got" || bad "$p is '$got', want '$want' (tmpfiles.conf)"
done

# ---- a registry on loopback with gp:1.json (the tag's suffix gives busybox httpd the media type)
R=$W/registry/v2/gp
mkdir -p "$R/blobs" "$R/manifests" "$W/gp-root/bin" "$W/gp-root/etc"
cp /bin/busybox "$W/gp-root/bin/busybox"
ln -s busybox "$W/gp-root/bin/sh"
echo "gp-marker-$(date +%s%N)" >"$W/gp-root/etc/marker"
tar -C "$W/gp-root" -cf "$W/gp-layer.tar" bin etc
L=$(sha "$W/gp-layer.tar")
cp "$W/gp-layer.tar" "$R/blobs/sha256:$L"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$L" >"$W/config.json"
C=$(sha "$W/config.json")
cp "$W/config.json" "$R/blobs/sha256:$C"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$C" "$(size "$W/config.json")" "$L" "$(size "$W/gp-layer.tar")" >"$R/manifests/1.json"
M=$(sha "$R/manifests/1.json")
echo '{}' >"$W/registry/v2/index.html"
echo '.json:application/vnd.oci.image.manifest.v1+json' >"$W/httpd.conf"
busybox httpd -f -p 127.0.0.1:5036 -h "$W/registry" -c "$W/httpd.conf" &
HTTPD_PID=$!
wait_for 10 sh -c 'curl -sf http://127.0.0.1:5036/v2/ >/dev/null' >/dev/null || bad "busybox httpd did not answer"

# ---- alice pulls and imports, as herself
before_root=$(root_owned)
before_layers=$(nlayers)
t0=$(now_ms)
if as alice jcontainer pull --insecure --insecure-policy 127.0.0.1:5036/gp:1.json >pull.out 2>&1; then
    ok "alice: jcontainer pull ($(($(now_ms) - t0)) ms): $(tail -n 1 pull.out)"
else
    bad "alice: jcontainer pull (exit $?):"; cat pull.out
fi
for d in "$M" "$C" "$L"; do
    f=$S/blobs/sha256/$d
    if [ -f "$f" ] && [ "$(stat -c '%U %G %a' "$f")" = "alice jcontainer 644" ] && [ "$(sha "$f")" = "$d" ]; then
        ok "blob ${d%"${d#????????????}"}: alice's, group jcontainer, content matches its digest"
    else
        bad "blob $d: $(stat -c '%U %G %a' "$f" 2>&1)"
    fi
done
as alice jcontainer tag 127.0.0.1:5036/gp:1.json gp:1 && ok "alice: jcontainer tag ... gp:1" || bad "alice: jcontainer tag (exit $?)"
cp "$VMTEST_DIR/hello.tar" "$W/hello.tar"
chmod 644 "$W/hello.tar"
t0=$(now_ms)
as alice jcontainer import "$W/hello.tar" --name alice-hello:1 >import.out 2>&1 \
    && ok "alice: jcontainer import hello.tar ($(($(now_ms) - t0)) ms): $(tail -n 1 import.out)" \
    || { bad "alice: jcontainer import hello.tar (exit $?)"; cat import.out; }
mkdir -p "$W/gt-root/etc"
echo "gt-marker-$(date +%s%N)" >"$W/gt-root/etc/marker"
tar -C "$W/gt-root" -cf "$W/gt.tar" etc
chmod 644 "$W/gt.tar"
as alice jcontainer import "$W/gt.tar" --name gt:1 >import.out 2>&1 \
    && ok "alice: jcontainer import gt.tar --name gt:1" || { bad "alice: jcontainer import gt.tar (exit $?)"; cat import.out; }
[ "$(nlayers)" = "$before_layers" ] && ok "nothing unpacked by alice ($before_layers layers)" \
    || bad "layers/ went from $before_layers to $(nlayers) entries during alice's pull and imports"
# New root-owned files only: her import of an image root had imported (hello) replaces root's copies of
# its blobs with her verified ones, so root-owned files may go, but none may appear.
echo "$before_root" | sort >ro.before
root_owned | sort | comm -13 ro.before - >ro.new
[ ! -s ro.new ] && ok "alice made no root-owned file in $S" \
    || { bad "new root-owned files in $S:"; cat ro.new; }

# ---- bob may not
for verb in "pull --insecure --insecure-policy 127.0.0.1:5036/gp:1.json" "import $W/hello.tar --name bob:1"; do
    # shellcheck disable=SC2086 # verb is a word list
    as bob jcontainer $verb >bob.out 2>&1; rc=$?
    if [ "$rc" -eq 125 ] && [ "$(wc -l <bob.out)" -eq 1 ] && grep -q 'Permission denied.*group jcontainer' bob.out; then
        ok "bob: jcontainer ${verb%% *} refused, exit 125: $(cat bob.out)"
    else
        bad "bob: jcontainer ${verb%% *}: exit $rc, expected 125 and one line:"; cat bob.out
    fi
done

# ---- root starts units of alice's images; jnspawn unpacks as root
mkdir -p /etc/jcontainer
printf '[Container]\nImage=gp:1\nExec=/bin/sh -c "cat /etc/marker; exec sleep 1000"\n\n[Service]\nTimeoutStartSec=300\n' \
    >/etc/jcontainer/gp.container
printf '[Container]\nImage=alice-hello:1\nExec=/bin/sh -c "echo gi-up; exec sleep 1000"\n\n[Service]\nTimeoutStartSec=300\n' \
    >/etc/jcontainer/gi.container
printf '[Container]\nImage=gt:1\nExec=/bin/true\n\n[Service]\nTimeoutStartSec=300\n' >/etc/jcontainer/gt.container
systemctl daemon-reload
for n in gp gi; do
    t0=$(now_ms)
    systemctl start "jcontainer@$n.service" && ok "root: systemctl start jcontainer@$n ($(($(now_ms) - t0)) ms)" \
        || bad "root: systemctl start jcontainer@$n (exit $?)"
    [ "$(systemctl is-active "jcontainer@$n.service")" = active ] && ok "jcontainer@$n active" \
        || bad "jcontainer@$n: $(systemctl is-active "jcontainer@$n.service")"
done
if ms=$(wait_for 30 sh -c "journalctl -b -u jcontainer@gp.service -o cat | grep -qx '$(cat "$W/gp-root/etc/marker")'"); then
    ok "the pulled image's payload ran ($ms ms): its marker is in the journal"
else
    bad "no gp marker in journalctl -u jcontainer@gp"
fi
[ "$(nlayers)" = $((before_layers + 1)) ] && ok "root unpacked the pulled layer at start ($(nlayers) layers)" \
    || bad "layers/: $(nlayers) entries, expected $((before_layers + 1))"
find "$S/layers" -mindepth 1 -maxdepth 1 ! -user root | grep -q . && bad "a layer not owned by root" || ok "every layer is root's"

# ---- a blob alice rewrote is refused at unpack
G=$(sha "$W/gt.tar")
as alice sh -c "printf X | dd of='$S/blobs/sha256/$G' bs=1 seek=600 conv=notrunc status=none" \
    && ok "alice rewrote the layer blob of gt:1 (she owns it)" || bad "alice could not rewrite $S/blobs/sha256/$G"
layers_before_gt=$(nlayers)
systemctl start jcontainer@gt.service && bad "jcontainer@gt started with a rewritten blob" \
    || ok "root: systemctl start jcontainer@gt failed"
if journalctl -b -u jcontainer@gt.service -o cat | grep -q "is corrupt"; then
    ok "the journal says why: $(journalctl -b -u jcontainer@gt.service -o cat | grep -m1 'is corrupt')"
else
    bad "no 'is corrupt' in journalctl -u jcontainer@gt"
fi
[ "$(nlayers)" = "$layers_before_gt" ] && ok "nothing unpacked from it" || bad "layers/ changed: $(nlayers) vs $layers_before_gt"
