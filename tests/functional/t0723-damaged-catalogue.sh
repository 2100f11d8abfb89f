#!/bin/sh
# A damaged catalogue (a page of it overwritten, as a failing disk or a
# copy taken mid-write leaves it): each command says so once, naming the
# file, writes nothing more to it and exits 1; import --move keeps every
# source and leaves no copy the catalogue does not know; verify reports
# the damage and checks no file. Then the recovery shoebox(1) gives: the
# catalogue moved aside, adopt, verify, sync (nothing sent twice).
# Damage where the catalogue is first read (its header cut off), a
# catalogue emptied to 0 bytes in a library that holds files, and another
# program's database at its name: the same exit 1 and verify's "damaged"
# line, nothing written to it (no new schema over the loss). A catalogue
# that cannot be written to (chattr +i) stops the import at the first
# file it cannot record, said once, instead of copying and throwing away
# every file. status stops where it finds the damage, and says so.
. "$TOP/tests/lib/common.sh"

command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
sample_library
mkdir -p "$T/usb"
sb sync
expect_rc 0
sent=$(find "$T/usb" -type f | wc -l)
[ "$sent" -gt 5 ] || fail "the sample library was not sent: $sent files"
before=$(libfiles)

# damage INDEX|TABLE: overwrite its root page with random bytes
damage() {
	pg=$(q "SELECT rootpage FROM sqlite_master WHERE name = '$1'")
	ps=$(q "PRAGMA page_size")
	[ -n "$pg" ] && [ "$pg" -gt 1 ] || fail "no $1 in the catalogue"
	[ ! -e "$LIB/.shoebox/catalog.db-wal" ] || [ ! -s "$LIB/.shoebox/catalog.db-wal" ] ||
	    fail "the catalogue was left with a WAL"
	head -c "$ps" /dev/urandom | dd of="$LIB/.shoebox/catalog.db" bs="$ps" \
	    seek=$((pg - 1)) conv=notrunc 2>/dev/null
}
damaged_said() {
	[ "$(grep -c 'catalog.db is damaged' "$T/err")" = 1 ] ||
	    { cat "$T/err" >&2; fail "$1: the damage not said once, naming the catalogue"; }
}

# New files, some of them duplicates of library files.
S=$T/drop
distinct_jpegs "$S" 1 6 drop
cp "$card/DCIM/100CANON/IMG_0001.JPG" "$S/dup.jpg"
set_mtimes "$S"
find "$S" -type f | sort >"$T/drop.before"
cp "$LIB/.shoebox/catalog.db" "$T/good.db"
damage files_sha

sb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 1
damaged_said "import --move"
find "$S" -type f | sort >"$T/drop.after"
diff -u "$T/drop.before" "$T/drop.after" >&2 ||
    fail "import --move on a damaged catalogue removed sources"
[ "$(libfiles)" = "$before" ] || fail "import on a damaged catalogue left files in the library: $(libfiles)"
grep -q 'not attempted (the catalogue is damaged)' "$T/out" ||
    fail "the summary does not say why files were not attempted"

sb verify
cat "$T/out" "$T/err"
expect_rc 1
grep -q '^damaged  *\.shoebox/catalog\.db: ' "$T/out" || fail "verify did not report the damage"
grep -q '^missing\|^changed\|files verified' "$T/out" && fail "verify checked files against a damaged catalogue"
sb verify --json
expect_rc 1
grep -q '"status":"damaged"' "$T/out" || fail "verify --json did not report the damage"

mkdir -p "$LIB/2031/01/01"
cp "$S/IMG_0001.JPG" "$LIB/2031/01/01/"
sb adopt --no-progress
cat "$T/out" "$T/err"
expect_rc 1
damaged_said adopt
grep -q 'adopt stopped: the catalogue is damaged' "$T/err" || fail "adopt did not say it stopped"
rm -r "$LIB/2031"

# sync, on a catalogue whose upload jobs are damaged, with one pending
cp "$T/good.db" "$LIB/.shoebox/catalog.db"
sb import --no-progress "$S"
expect_rc 0
damage upload_jobs
sb sync
cat "$T/out" "$T/err"
expect_rc 1
damaged_said sync
[ "$(find "$T/usb" -type f | wc -l)" = "$sent" ] || fail "sync sent files from a damaged catalogue"

# status, on a catalogue whose runs, remotes or upload jobs' index are
# damaged: said, exit 1, never a remote shown holding nothing ("0 done")
# or a library with no past runs.
for what in runs sqlite_autoindex_remotes_1 upload_jobs_verified; do
	cp "$T/good.db" "$LIB/.shoebox/catalog.db"
	damage $what
	for json in "" --json; do
		sb status $json
		cat "$T/out" "$T/err"
		expect_rc 1
		damaged_said "status $json, $what damaged"
		grep -q ' 0 done\|"done":0' "$T/out" &&
		    fail "status $json, $what damaged: a remote holding nothing"
	done
done

# The recovery shoebox(1) gives.
mkdir "$LIB/.shoebox/damaged"
mv "$LIB/.shoebox/catalog.db"* "$LIB/.shoebox/damaged/"
sb adopt --no-progress
cat "$T/out" "$T/err"
expect_rc 0
sb verify
cat "$T/out"
expect_rc 0
sb sync
cat "$T/out" "$T/err"
expect_rc 0
grep -q ", $sent already there" "$T/out" || fail "after adopt, sync did not find the files already there"
[ "$(find "$T/usb" -type f | wc -l)" = "$((sent + 6))" ] ||
    fail "after adopt, sync sent files twice: $(find "$T/usb" -type f | wc -l) on the remote"
sb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ -z "$(find "$S" -type f)" ] || fail "sources not moved after the recovery"

# Damaged at its very start, emptied, or another program's database.
cp "$LIB/.shoebox/catalog.db" "$T/good.db"
for how in header empty foreign; do
	rm -f "$LIB/.shoebox/catalog.db"*
	case $how in
	header)	head -c 2048 /dev/urandom >"$LIB/.shoebox/catalog.db" ;;
	empty)	: >"$LIB/.shoebox/catalog.db" ;;
	foreign) sqlite3 "$LIB/.shoebox/catalog.db" "CREATE TABLE t(x)" ;;
	esac
	cp "$LIB/.shoebox/catalog.db" "$T/before.db"
	for cmd in import verify adopt forget find status; do
		case $cmd in
		import)	sb import --no-progress "$S" ;;
		forget)	sb forget --missing ;;
		*)	sb $cmd ;;
		esac
		cat "$T/out" "$T/err"
		expect_rc 1
		grep -q "catalog.db" "$T/err" || fail "$how, $cmd: the catalogue not named"
		cmp -s "$LIB/.shoebox/catalog.db" "$T/before.db" || fail "$how, $cmd: written to"
		[ $how != empty ] || grep -q "is empty (0 bytes) though the library holds files" "$T/err" ||
		    fail "$how, $cmd: not said"
	done
	sb verify
	grep -q '^damaged  *\.shoebox/catalog\.db: ' "$T/out" || fail "$how: verify's damaged line"
done
# An empty catalogue in a library with nothing else (a first import
# killed as sqlite made the file; a fresh disk's lost+found, dot-files):
# a new one, as ever.
rm -rf "$T/newlib" && mkdir -p "$T/newlib/.shoebox" "$T/newlib/lost+found"
: >"$T/newlib/.shoebox/catalog.db"
: >"$T/newlib/.DS_Store"
sb -L "$T/newlib" import --no-progress "$S"
expect_rc 0

# An immutable catalogue (root, on a filesystem with chattr +i).
rm -rf "$T/ro" && mkdir -p "$T/ro"
for f in "$TOP"/tests/fixtures/*.jpg; do cp "$f" "$T/ro/"; done
sb -L "$T/rolib" import --no-progress "$T/ro/Reagan.jpg"
expect_rc 0
if [ "$(id -u)" = 0 ] && chattr +i "$T/rolib/.shoebox/catalog.db" 2>/dev/null; then
	sb -L "$T/rolib" import --no-progress "$T/ro"
	chattr -i "$T/rolib/.shoebox/catalog.db"
	cat "$T/out" "$T/err"
	expect_rc 1
	[ "$(grep -c 'copy removed' "$T/err")" -le 1 ] || fail "read-only: every file copied and removed"
	grep -q "not attempted (the catalogue is read-only)" "$T/out" || fail "read-only: the summary"
	[ "$(grep -c "catalog.db cannot be written to" "$T/err")" = 1 ] ||
	    fail "read-only: not said once: $(cat "$T/err")"
fi

# A catalogue the user cannot write to is not called damaged.
if [ "$(id -u)" = 0 ] && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	chmod 755 "$T"
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/ \
	    "$SHOEBOX" -c /dev/null -L "$T/rolib" verify >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/out" "$T/err"
	[ $rc = 1 ] || [ $rc = 2 ] || fail "not writable: exit $rc"
	grep -q damaged "$T/out" "$T/err" && fail "not writable: called damaged"
	grep -q "cannot be written to\|Permission denied" "$T/err" || fail "not writable: not said"
fi

# A catalogue a newer shoebox wrote (schema 99): every command says so.
rm -rf "$T/future"
sb -L "$T/future" import --no-progress "$T/ro/Reagan.jpg"
expect_rc 0
sqlite3 "$T/future/.shoebox/catalog.db" "PRAGMA user_version = 99"
for cmd in import find status verify; do
	if [ $cmd = import ]; then sb -L "$T/future" import --no-progress "$T/ro"; else sb -L "$T/future" $cmd; fi
	[ "$rc" != 0 ] || fail "schema 99, $cmd: exit 0"
	grep -q "schema version 99 is newer than this shoebox knows" "$T/err" ||
	    fail "schema 99, $cmd: $(cat "$T/err")"
done
exit 0
