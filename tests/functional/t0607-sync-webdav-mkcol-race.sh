#!/bin/sh
# WebDAV and a MKCOL that loses a race with another upload making the same
# collection: Apache's mod_dav answers 403 (others 405 or 409). With the
# fault proxy passing each MKCOL on and answering 403 (pass403), the sync
# finds the collections there (PROPFIND) and uploads everything, where it
# used to stop the remote as if the credentials were wrong.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
mkdir -p "$W/disk"
sb_serve_webdav dav
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
sb_catalog
sb_add_set
sb_start_proxy "$DAV_PORT" "MKCOL:pass403,MKCOL:pass403,MKCOL:pass403"
cat >"$CFG" <<EOF2
$(sb_webdav_section nas "$PROXY_PORT")
prefix = photos
retry_delay = 0.1
EOF2
sb_sync --json >"$W/out.json" 2>"$W/err" || { cat "$W/err" "$W/proxy.log"; sb_fail "sync"; }
grep -q "\"summary\":true,\"uploaded\":$NFILES," "$W/out.json" ||
    { cat "$W/out.json"; sb_fail "not everything uploaded"; }
[ "$(grep -c '^RES MKCOL 403 after passing' "$W/proxy.log")" = 3 ] ||
    { cat "$W/proxy.log"; sb_fail "the proxy did not answer 403 three times"; }
cat >"$W/rclone.conf" <<EOR
[dav]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
EOR
sb_check dav:photos
exit 0
