#!/bin/sh
# restore --to DIR stopped part way (SIGTERM, or killed): it said "run it
# again to finish", and the same command again was refused, DIR being
# no longer empty, with no word of what would finish it. Now the stopped
# run, and the refusal of a DIR that holds a library, name the command
# that finishes it (shoebox -L DIR restore --remote NAME), which brings
# the rest back: DIR is then the whole library.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"
shim hook

rs_synced_library
new=$T/new
for sig in TERM KILL; do
	rm -rf "$new"
	rc=0
	LD_PRELOAD="$T/hook.so" SB_HOOK_ON=open:IMG_0002.JPG \
	    SB_HOOK_SIGNAL=$sig SB_HOOK_LOG="$T/hook.log" \
	    "$SHOEBOX" restore --remote usb --to "$new" --no-progress \
	    >"$T/out" 2>"$T/err" || rc=$?
	[ -s "$T/hook.log" ] || fail "$sig: the hook did not fire: $(cat "$T/err")"
	rm "$T/hook.log"
	if [ $sig = TERM ]; then
		[ $rc = 1 ] || fail "TERM: exit $rc: $(cat "$T/err")"
		grep -q "restore interrupted; what was restored stays in $new; to finish, run 'shoebox -L $new restore --remote usb'" \
		    "$T/err" || fail "TERM: message: $(cat "$T/err")"
	else
		[ $rc = 137 ] || fail "KILL: exit $rc: $(cat "$T/err")"
	fi
	[ -e "$new/.shoebox/catalog.db" ] || fail "$sig: no catalogue copied"
	# the same command again: refused, saying what finishes it
	sb restore --remote usb --to "$new" --no-progress
	expect_rc 2
	grep -q "restore: --to $new: not empty: a library is there already; .*run 'shoebox -L $new restore --remote usb'" \
	    "$T/err" || fail "$sig: rerun: $(cat "$T/err")"
	sb -L "$new" restore --remote usb --no-progress
	expect_rc 0
	sb -L "$new" verify --no-progress
	expect_rc 0
	diff -r -x .shoebox "$LIB" "$new" || fail "$sig: $new is not the library"
done

# An empty DIR, or one holding something else: as before.
mkdir -p "$T/other"
touch "$T/other/x"
sb restore --remote usb --to "$T/other" --no-progress
expect_rc 2
grep -q "not empty (a new or empty directory becomes the library)" "$T/err" ||
    fail "other: $(cat "$T/err")"
