#!/bin/sh
# Library files that cannot be S3 keys: a name that is not UTF-8 (adopt
# keeps an old tree's Latin-1 names as they are), which s3rver, like AWS,
# decodes otherwise than it was signed and answers 403
# SignatureDoesNotMatch; and a path (adopted deep folders) whose key is
# over S3's 1024 bytes, which AWS answers 400 KeyTooLongError. Each fails
# alone, named, with why; neither is taken for wrong credentials or the
# remote refusing, which stopped the remote (exit 2 or 1) and left every
# file after it unsent, each night. The same files go to a dir remote
# under their own names.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
transfers = 1

$(sb_s3_section s3)

[remote usb]
type = dir
path = $W/disk
EOF2

bad=$(printf '2019/07/04/caf\351.jpg')
head -c 1000 /dev/urandom >"$W/r0"
sb_add "$W/r0" "$bad"
d=$(printf 'a%.0s' $(seq 200))
long=2019/$d/$d/$d/$d/$d/$d/long.jpg
head -c 999 /dev/urandom >"$W/rl"
sb_add "$W/rl" "$long"
i=1
while [ $i -le 3 ]; do
	head -c $((1000 + i * 37)) /dev/urandom >"$W/r$i"
	sb_add "$W/r$i" "2019/07/04/ok$i.jpg"
	i=$((i + 1))
done

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1 (a file failed)"
[ "$(grep -c '^shoebox: remote s3: ' "$W/err")" = 2 ] ||
    sb_fail "one message for each file s3 cannot take"
grep -q '^shoebox: remote s3: 2019/07/04/caf\\xe9\.jpg: its name is not UTF-8, which S3 keys must be; ' "$W/err" ||
    sb_fail "the message does not name the file and why"
grep -q "^shoebox: remote s3: $long: its key would be 1219 bytes, over S3's 1024; not sent" "$W/err" ||
    sb_fail "the message does not name the long path and why"
grep -q "SignatureDoesNotMatch\|access_key_id" "$W/err" &&
    sb_fail "taken for wrong credentials"
grep -q '^remote s3: 5 files: 3 uploaded .*, 0 already there, 2 failed$' "$W/out" ||
    sb_fail "the other files were not all sent to s3"
grep -q '^remote usb: 5 files: 5 uploaded ' "$W/out" ||
    sb_fail "the dir remote did not take all five"
cmp -s "$W/disk/$bad" "$W/r0" || sb_fail "the dir remote's copy"

# the next sync tries it again and says the same, nothing else
sb_sync >"$W/out" 2>"$W/err"
rc=$?
[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "second sync: exit $rc"; }
grep -q '^remote s3: 2 files: 0 uploaded (0 B), 0 already there, 2 failed$' \
    "$W/out" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
exit 0
