#!/bin/sh
# A library file read otherwise while it is sent to S3 than when it was
# hashed (changed in place, or a failing disk) by a server that does not
# check Content-MD5 (s3rver; some S3 look-alikes): the object keeps other
# bytes, with the catalogue's SHA-256 in its metadata. The ETag tells, and
# the file fails; the next sync must not then take that object for the
# file ("already there", and verify --remote calling it intact) but read
# it back, find it is not, and send the file beside it.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v cc >/dev/null || sb_skip "no C compiler for tests/lib/hook.c"
cc -shared -fPIC -o "$W/hook.so" "$TOP/tests/lib/hook.c" -ldl ||
    sb_fail "cannot build tests/lib/hook.c"
# ASan wants to come first among preloaded libraries; ours need not.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
transfers = 1

$(sb_s3_section s3)
EOF2
d=2019/07/01
for n in a b c; do
	head -c 1000 /dev/urandom >"$W/$n"
	sb_add "$W/$n" "$d/$n.jpg"
done

# the file's second read (the PUT's, after the hash's) gives other bytes
SB_HOOK_ON=read:a.jpg SB_HOOK_NTH=2 SB_HOOK_LOG="$W/hook.log" \
    SB_HOOK_CMD="head -c 1000 /dev/urandom | dd of='$LIB/$d/a.jpg' conv=notrunc 2>/dev/null" \
    LD_PRELOAD="$W/hook.so" "$SHOEBOX" -L "$LIB" -c "$CFG" sync \
    --no-progress >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
grep -q "^fired read" "$W/hook.log" || sb_fail "the hook did not fire"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1"
grep -q "^shoebox: remote s3: $d/a.jpg: the server's ETag [0-9a-f]* is not the MD5 we sent$" \
    "$W/err" || sb_fail "the ETag's message"

# the disk reads right again
cp "$W/a" "$LIB/$d/a.jpg"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "second sync: exit $rc"
grep -q '^remote s3: 1 file: 1 uploaded (1.0 kB), 0 already there, 0 failed$' \
    "$W/out" || sb_fail "taken for already there"
grep -q "^shoebox: remote s3: $d/a.jpg: a different file has that name there; sent as $d/a-1.jpg$" \
    "$W/err" || sb_fail "not sent beside the bad object"
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote s3 --download >"$W/out" \
    2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "verify"; }
grep -q "^3 copies on s3 verified: 3 intact," "$W/out" ||
    { cat "$W/out"; sb_fail "verify"; }
exit 0
