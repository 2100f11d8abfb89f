#!/bin/sh
# find, status and restore --to's copy of the catalogue read it while an
# import writes to it (and checkpoints, as it does when it ends). They
# opened it immutable when no -wal was there, taking no lock: read torn,
# restore --to failed with "database disk image is malformed" and called
# the library's own, sound, catalogue damaged ("Move it aside ..."), and
# find failed the same. Now they read a snapshot: all before the import
# or all after it. Here each is paused mid-read (tests/lib/hook.c) while
# a whole import runs. A dry run (which reads without a lock, to write
# nothing) was told the catalogue was damaged; now that it changed.
. "$TOP/tests/lib/common.sh"
shim hook
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
mkdir -p "$T/usb" "$T/card" "$T/card2" "$T/card3" "$T/card4" "$T/card5"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$SHOEBOX_CONFIG"
# card DIR STEM: 400 unlike photos (a JPEG and a line) in DIR.
card() {
	_i=0
	while [ $_i -lt 400 ]; do
		_i=$((_i + 1))
		{ cat "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG"
		  echo "$2 $_i"; } >"$1/$2$_i.JPG"
	done
}
card "$T/card" P
card "$T/card2" Q
card "$T/card3" R
card "$T/card4" S
card "$T/card5" U
sb import --no-progress --move "$T/card"
expect_rc 0
sb sync --no-progress
expect_rc 0

# paused N DIR ARGS...: shoebox ARGS, paused at its Nth read of the
# catalogue (or its -wal, -shm) while DIR is imported with --move, for as
# long as that takes (at most 5 s: a reader never holds a writer back
# longer than a moment, but the pause may fall in such a moment).
paused() {
	_n=$1 _dir=$2
	shift 2
	rm -f "$T/hook.log" "$T/imp.rc"
	LD_PRELOAD="$T/hook.so" SB_HOOK_ON=read:catalog.db SB_HOOK_NTH=$_n \
	    SB_HOOK_LOG="$T/hook.log" SB_HOOK_CMD="{ \"$SHOEBOX\" import \
	    --no-progress --move \"$_dir\" >\"$T/imp.out\" 2>&1;
	    echo \$? >\"$T/imp.rc\"; } & _i=0; until [ -s \"$T/imp.rc\" ] ||
	    [ \$_i = 50 ]; do _i=\$((_i + 1)); sleep 0.1; done" sb "$@"
	[ -s "$T/hook.log" ] || fail "$*: the hook did not fire"
	_i=0
	until [ -s "$T/imp.rc" ]; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || fail "$*: the import did not end"
		sleep 0.1
	done
	grep -q "400 imported" "$T/imp.out" || fail "$*: import: $(cat "$T/imp.out")"
}

paused 20 "$T/card2" restore --remote usb --to "$T/new" --no-progress
grep -E "malformed|damaged" "$T/err" && fail "restore --to: read torn"
[ $rc = 0 ] || [ $rc = 1 ] || fail "restore --to: exit $rc: $(cat "$T/err")"
db=$T/new/.shoebox/catalog.db
[ "$(sqlite3 "$db" "PRAGMA quick_check")" = ok ] || fail "the copy is damaged"
[ -z "$(sqlite3 "$db" "PRAGMA foreign_key_check")" ] ||
    fail "the copy's rows disagree: $(sqlite3 "$db" "PRAGMA foreign_key_check" | head -3)"
n=$(sqlite3 "$db" "SELECT count(*) FROM files")
[ "$n" = 400 ] || [ "$n" = 800 ] || fail "the copy has $n files"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs")" = "$n" ] ||
    fail "the copy has $n files but not as many uploads"
[ "$(sqlite3 "$db" "SELECT count(*) FROM source_files")" = "$n" ] ||
    fail "the copy has $n files but not as many sources"

paused 4 "$T/card3" find --name '*.JPG'
[ $rc = 0 ] || fail "find: exit $rc: $(cat "$T/err")"
n=$(wc -l <"$T/out")
[ "$n" = 800 ] || [ "$n" = 1200 ] || fail "find listed $n files"
[ "$(sort -u "$T/out" | wc -l)" = "$n" ] || fail "find listed a file twice"

# A dry run still reads without a lock, so as to write nothing at all
# (not even a -wal): torn, it was told the catalogue was damaged and to
# move it aside; now that it changed while read, and to run it again.
paused 4 "$T/card4" import --dry-run "$T/card5"
grep -q "is damaged" "$T/err" && fail "dry run: $(cat "$T/err")"
if [ $rc != 0 ]; then
	[ $rc = 1 ] || fail "dry run: exit $rc: $(cat "$T/err")"
	grep -q "catalog.db changed while it was read (another shoebox wrote to it meanwhile); it is not damaged: run this again" \
	    "$T/err" || fail "dry run: message: $(cat "$T/err")"
fi
[ -e "$LIB/.shoebox/catalog.db-wal" ] && fail "the dry run left a -wal"

sb verify --no-progress
expect_rc 0
grep -q "^1600 files verified: 1600 intact" "$T/out" || fail "verify: $(cat "$T/out")"
