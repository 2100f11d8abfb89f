#!/bin/sh
# A WebDAV server (behind a reverse proxy) carries out the MOVE of an
# upload's temporary to its name, but the answer is lost: the proxy says
# 502, and the retried MOVE finds no temporary to move, which Apache's
# mod_dav answers 404 (the source is looked up first). The file is on the
# server, under its name: the upload counts as done. It was taken for the
# server refusing, which stopped the remote for the run (exit 1, every
# file after it "not attempted").
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_serve_webdav dav
sb_start_proxy "$DAV_PORT" "MOVE:pass502,MOVE:404"
cat >"$CFG" <<EOF2
transfers = 1

$(sb_webdav_section nas "$PROXY_PORT")
retry_delay = 0.1
EOF2
for i in 1 2 3; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$i/f$i.jpg"
done

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ "$(grep -c '^RES MOVE 502 after passing' "$W/proxy.log")" = 1 ] &&
    [ "$(grep -c '^RES MOVE 404 injected' "$W/proxy.log")" = 1 ] ||
    { cat "$W/proxy.log"; sb_fail "the faults were not met"; }
[ $rc = 0 ] || sb_fail "exit $rc, expected 0"
grep -q '^remote nas: 3 files: 3 uploaded (3.0 kB), 0 already there, 0 failed$' \
    "$W/out" || sb_fail "not all uploaded"
[ ! -s "$W/err" ] || sb_fail "a message"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
    WHERE status = 'done' AND tmp_path IS NULL")" = 3 ] || sb_fail "not all done"
[ "$(find "$W/dav" -type f | wc -l)" = 3 ] || sb_fail "copies: $(find "$W/dav")"
sb_remote_whole "$W/dav"

sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
grep -q '^remote nas: 0 files' "$W/out" || sb_fail "second sync sent again"
exit 0
