# restore-lib.sh: shared by the restore tests on a dir remote (t0840,
# t0842). Sourced after tests/lib/common.sh, not run.
#
#   rs_synced_library	tests/sample-card imported from $T/card (mtimes
#			set) and synced to [remote usb], a dir at $T/usb

rs_synced_library() {
	card=$T/card
	mkdir -p "$card" "$T/usb"
	cp -R "$TOP/tests/sample-card/DCIM" "$TOP/tests/sample-card/PRIVATE" \
	    "$card/"
	set_mtimes "$card"
	printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" \
	    >>"$SHOEBOX_CONFIG"
	sb import --no-progress "$card"
	expect_rc 0
	sb sync --no-progress
	expect_rc 0
}
