#!/bin/sh
# Two dir remotes that copy to one folder (the same disk named twice, a
# path with and without a trailing slash, one remote's prefix inside the
# other's folder) are one backup, not two: every file would be "already
# there" on the second and counted as backed up twice. The later one in
# the config is refused with one message naming both, its files stay
# queued, exit 1; the first, and a remote elsewhere, get every file. A
# sync of the later one alone is refused too.
. "$TOP/tests/functional/remote-lib.sh"
sb_init

mkdir -p "$W/usb" "$W/other"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/usb" >"$CFG"
sb_add_set
cat >"$CFG" <<EOF
[remote usb]
type = dir
path = $W/usb
[remote again]
type = dir
path = $W/usb/
[remote below]
type = dir
path = $W
prefix = usb/photos
[remote other]
type = dir
path = $W/other
EOF
rc=0
sb_sync >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 1 ] || sb_fail "exit $rc: $(cat "$W/out" "$W/err")"
grep -q "^shoebox: remote again: $W/usb is remote usb's folder: its copies would count as a second backup where there is one; nothing sent" "$W/err" ||
    sb_fail "the same folder: $(cat "$W/err")"
grep -q "^shoebox: remote below: $W/usb/photos is inside remote usb's folder" "$W/err" ||
    sb_fail "a folder inside: $(cat "$W/err")"
grep -q "^remote usb: 4 files: 4 uploaded" "$W/out" || sb_fail "usb: $(cat "$W/out")"
grep -q "^remote other: 4 files: 4 uploaded" "$W/out" || sb_fail "other: $(cat "$W/out")"
grep -q "^remote again: 4 files: 0 uploaded (0 B), 0 already there, 0 failed, 4 not attempted" "$W/out" ||
    sb_fail "again: $(cat "$W/out")"
[ ! -e "$W/usb/photos" ] || sb_fail "sent below the first remote's folder"
rc=0
sb_sync again >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 1 ] && grep -q "remote again: .* is remote usb's folder" "$W/err" ||
    sb_fail "again alone: $rc $(cat "$W/out" "$W/err")"
exit 0
