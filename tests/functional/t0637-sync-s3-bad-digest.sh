#!/bin/sh
# S3 answers 400 BadDigest (or XAmzContentSHA256Mismatch) to a PUT whose
# body is not what its Content-MD5 (its SHA-256) said: the library file
# changed, or was read otherwise, as it went. That file fails, named; the
# remote goes on with the others. Taken for the remote refusing, it was
# stopped for the run (exit 1, the files after it "not attempted"), night
# after night while the file keeps changing. A part of a multipart upload
# answered so fails its file the same way.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
sb_start_proxy "$S3_PORT" "PUT:400=BadDigest,PUT:pass,PUT:pass,PUT:pass,PUT:400=XAmzContentSHA256Mismatch"
cat >"$CFG" <<EOF2
transfers = 1

$(sb_s3_section s3 "$PROXY_PORT")
multipart_threshold = 5M
part_size = 5M
upload_concurrency = 1
retry_delay = 0.1
EOF2
d=2019/07/01
for n in a b c; do
	head -c 1000 /dev/urandom >"$W/$n"
	sb_add "$W/$n" "$d/$n.jpg"
done
head -c 11000000 /dev/urandom >"$W/v"
sb_add "$W/v" "$d/v.mov"
head -c 1000 /dev/urandom >"$W/e"
sb_add "$W/e" "$d/e.jpg"

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ "$(grep -c ' injected$' "$W/proxy.log")" = 2 ] ||
    { cat "$W/proxy.log"; sb_fail "the faults were not met"; }
[ $rc = 1 ] || sb_fail "exit $rc, expected 1"
grep -q "^shoebox: remote s3: $d/a.jpg: PUT 400 BadDigest: injected$" "$W/err" ||
    sb_fail "a.jpg's message"
grep -q "^shoebox: remote s3: $d/v.mov: .*XAmzContentSHA256Mismatch" "$W/err" ||
    sb_fail "v.mov's message"
grep -q '^remote s3: 5 files: 3 uploaded (3.0 kB), 0 already there, 2 failed$' \
    "$W/out" || sb_fail "the others were not sent"

sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
grep -q '^remote s3: 2 files: 2 uploaded ' "$W/out" ||
    { cat "$W/out" "$W/err"; sb_fail "second sync's summary"; }
exit 0
