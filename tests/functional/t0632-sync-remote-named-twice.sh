#!/bin/sh
# "shoebox sync usb usb" (a script's list of remotes with one twice) syncs
# usb once: one summary line, its files counted once. Named twice, it had
# two lines, each counting every file, the second calling those the first
# sent "taken by another sync".
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk" "$W/disk2"
cat >"$CFG" <<EOF2
[remote usb]
type = dir
path = $W/disk

[remote other]
type = dir
path = $W/disk2
EOF2
for i in 1 2 3; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$i/f$i.jpg"
done

sb_sync usb other usb >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "exit $rc"
[ "$(grep -c '^remote usb: ' "$W/out")" = 1 ] || sb_fail "usb said twice"
grep -q '^remote usb: 3 files: 3 uploaded (3.0 kB), 0 already there, 0 failed$' \
    "$W/out" || sb_fail "usb's line"
grep -q '^remote other: 3 files: 3 uploaded ' "$W/out" || sb_fail "other's line"
[ ! -s "$W/err" ] || sb_fail "a message"
sb_sync --json usb usb >"$W/out.json" 2>"$W/err" || sb_fail "second sync"
grep -q '"remotes":\[{"remote":"usb","uploaded":0,"bytes":0,"skipped":0,"failed":0,"not_attempted":0,[^]]*}\]}$' \
    "$W/out.json" || { cat "$W/out.json"; sb_fail "--json: usb once"; }
exit 0
