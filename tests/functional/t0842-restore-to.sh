#!/bin/sh
# shoebox restore --to DIR: after losing the library, an empty directory
# becomes the library again from a dir remote: the same tree byte for byte
# (diff -r, .shoebox aside) with the same mtimes, and a catalogue with the
# same rows (files, sources, upload jobs); verify finds it intact and a
# sync uploads nothing. A directory that is not empty is refused, by a dry
# run too (with --rebuild too); --dry-run creates nothing; a --to inside
# the library (a library within the library, every file twice) is
# refused, with --rebuild too, and nothing is made.
# A file never uploaded (imported since the last sync) is named, counted
# and makes the exit status 1; in place too, once it is lost.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

rs_synced_library
rows() {
	for t in files sources upload_jobs; do
		sqlite3 -batch "$1/.shoebox/catalog.db" "SELECT * FROM $t ORDER BY id"
	done
}
rows "$LIB" >"$T/rows.before"
[ "$(wc -l <"$T/rows.before")" -ge 30 ] || fail "too few rows: $(cat "$T/rows.before")"

new=$T/new/lib
sb restore --remote usb --to "$new" --dry-run --no-progress
expect_rc 0
grep -q "10 missing (would be restored)" "$T/out" || fail "dry run: $(cat "$T/out")"
[ -e "$T/new" ] && fail "dry run created $T/new"

mkdir -p "$T/full"
touch "$T/full/x"
sb restore --remote usb --to "$T/full" --no-progress
expect_rc 2
grep -q "not empty" "$T/err" || fail "non-empty --to: $(cat "$T/err")"
# a dry run refuses it the same (it listed every file "would be restored")
cp "$T/err" "$T/err.real"
for how in "" --rebuild; do
	sb restore --remote usb --to "$T/full" $how --dry-run --no-progress
	expect_rc 2
	diff "$T/err.real" "$T/err" || fail "--dry-run $how: not refused as the real run"
	[ -s "$T/out" ] && fail "--dry-run $how: $(cat "$T/out")"
done
[ "$(ls -A "$T/full")" = x ] || fail "the full --to was changed"

ln -s "$LIB" "$T/lnk"
for inner in "$LIB/restored" "$LIB/a/b" "$LIB/2004/x" "$LIB/new/../r" \
    "$LIB/x/./y" "$T/no/../lnk/r"; do
	for how in "" --rebuild; do
		sb restore --remote usb --to "$inner" $how --no-progress
		expect_rc 2
		grep -q "is inside the library" "$T/err" ||
		    fail "--to $inner $how: $(cat "$T/out" "$T/err")"
	done
done
[ -e "$LIB/restored" ] || [ -e "$LIB/a" ] || [ -e "$LIB/2004/x" ] ||
    [ -e "$LIB/new" ] || [ -e "$LIB/r" ] || [ -e "$LIB/x" ] &&
    fail "a library was made inside the library"
(cd "$T" && sb restore --remote usb --to library/ --no-progress)
expect_rc 2
grep -q "not empty" "$T/err" || fail "--to the library: $(cat "$T/err")"

sb restore --remote usb --to "$new" --no-progress
expect_rc 0
grep -q "^10 files on remote usb: 10 restored, 0 present" "$T/out" ||
    fail "summary: $(cat "$T/out")"
diff -r -x .shoebox "$LIB" "$new" || fail "restored tree differs"
mt() { (cd "$1" && find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' | LC_ALL=C sort); }
mt "$LIB" >"$T/mt.before"
mt "$new" | diff "$T/mt.before" - || fail "mtimes differ"
rows "$new" | diff "$T/rows.before" - || fail "catalogue rows differ"

# the new library is whole and in step with the remote
sb -L "$new" verify --no-progress
expect_rc 0
grep -q "10 intact, 0 changed, 0 missing, 0 unreadable; 0 untracked" "$T/out" ||
    fail "verify: $(cat "$T/out")"
sb -L "$new" sync --no-progress --json
expect_rc 0
grep -q '"uploaded":0' "$T/out" || fail "sync after restore: $(cat "$T/out")"

# a file imported since the last sync was never uploaded: restore --to
# cannot bring it back, names it, counts it, and exits 1 (it was silent,
# exit 0, and the new library failed verify)
mkdir -p "$T/card2"
cp "$FIX/exiv2-nikon-d70.jpg" "$T/card2/DSC_0001.JPG"
sb import --no-progress "$T/card2"
expect_rc 0
late=$(q "SELECT path FROM files WHERE path LIKE '%DSC_0001.JPG'")
[ -n "$late" ] || fail "the late photo was not imported"
for how in --dry-run ""; do
	rm -rf "$T/new2"
	sb restore --remote usb --to "$T/new2" $how --no-progress
	expect_rc 1
	grep -qx "not_uploaded $late: never uploaded to remote usb (not synced yet, or its upload failed); not restored" \
	    "$T/out" || fail "$how: the late photo is not named: $(cat "$T/out")"
	grep -q "^10 files on remote usb: .*, 1 not restored (never uploaded there)" \
	    "$T/out" || fail "$how: summary: $(cat "$T/out")"
	grep -q "^shoebox: restore: 1 catalogued file never uploaded to remote usb, so not in $T/new2, whose catalogue lists it" \
	    "$T/err" || fail "$how: $(cat "$T/err")"
done
# in place: while the late photo is in the library, restore has nothing
# to say of it; once it is lost, it is named as for --to (it was silent,
# exit 0)
sb restore --remote usb --no-progress
expect_rc 0
grep -q "not_uploaded" "$T/out" && fail "a present file named: $(cat "$T/out")"
mv "$LIB/$late" "$T/late.jpg"
sb restore --remote usb --no-progress
expect_rc 1
grep -qx "not_uploaded $late: missing from the library, and never uploaded to remote usb (not synced yet, or its upload failed); not restored" \
    "$T/out" || fail "in place: the lost photo is not named: $(cat "$T/out")"
grep -q "^10 files on remote usb: 0 restored, 10 present, .*, 1 not restored (never uploaded there)" \
    "$T/out" || fail "in place: summary: $(cat "$T/out")"
grep -q "^shoebox: restore: 1 catalogued file is missing from the library and never uploaded to remote usb" \
    "$T/err" || fail "in place: $(cat "$T/err")"
mv "$T/late.jpg" "$LIB/$late"
sb -L "$T/new2" verify --no-progress
expect_rc 1
grep -q "10 intact, 0 changed, 1 missing" "$T/out" || fail "verify: $(cat "$T/out")"
rm -rf "$T/new3"
sb restore --remote usb --to "$T/new3" --json --no-progress
expect_rc 1
grep -q '"status":"not_uploaded"' "$T/out" || fail "json: $(cat "$T/out")"
grep -q '"not_uploaded":1' "$T/out" || fail "json summary: $(cat "$T/out")"
# synced, it comes back
sb sync --no-progress
expect_rc 0
rm -rf "$T/new3"
sb restore --remote usb --to "$T/new3" --no-progress
expect_rc 0
grep -q "^11 files on remote usb: 11 restored" "$T/out" || fail "after sync: $(cat "$T/out")"

# --since: the files catalogued before it are not in the new library,
# which lists them all: said, exit 1; a restore there brings them.
rm -rf "$T/new4"
sb restore --remote usb --to "$T/new4" --since 2999 --no-progress
expect_rc 1
grep -q "^shoebox: restore: 11 catalogued files from before 2999.* left out (--since), so not in $T/new4, whose catalogue lists them" \
    "$T/err" || fail "--since: $(cat "$T/err")"
sb -L "$T/new4" restore --remote usb --no-progress
expect_rc 0
grep -q "11 restored" "$T/out" || fail "--since, then whole: $(cat "$T/out")"
exit 0
