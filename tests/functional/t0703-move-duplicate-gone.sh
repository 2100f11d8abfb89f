#!/bin/sh
# --move deletes a duplicate's source only if the library copy it
# duplicates is there and intact (issue 9, bug 3). A file is imported, its
# library copy deleted (or damaged), then a copy of it is imported with
# --move from another folder: its content must not be lost, either kept
# at the source (and reported by name) or filed again.
. "$TOP/tests/functional/safety-lib.sh"

for damage in deleted truncated rewritten; do
	rm -rf "$LIB" "$T/first" "$T/second"
	mkdir -p "$T/first" "$T/second"
	cp "$CARD/IMG_0002.JPG" "$T/first/IMG_0002.JPG"
	csb import --no-progress "$T/first"
	expect_rc 0
	copy=$LIB/$(q "SELECT path FROM files WHERE lower(hex(sha256)) = '$(sum "$CARD/IMG_0002.JPG")'")
	[ -f "$copy" ] || fail "first import: $(libfiles)"
	case $damage in
	deleted) rm "$copy" ;;
	truncated) truncate -s 1000 "$copy" ;;
	rewritten) # same size, other bytes: bit rot
		printf 'rotten' | dd of="$copy" bs=1 seek=20000 conv=notrunc 2>/dev/null ;;
	esac

	cp "$CARD/IMG_0002.JPG" "$T/second/DSC_0002.JPG"
	csb import --move --no-progress "$T/second"
	cat "$T/out" "$T/err"
	if [ -f "$T/second/DSC_0002.JPG" ]; then
		cmp -s "$T/second/DSC_0002.JPG" "$CARD/IMG_0002.JPG" ||
		    fail "library copy $damage: the kept source changed"
		named DSC_0002.JPG
		expect_rc 1
	else
		[ "$(lib_count "$CARD/IMG_0002.JPG")" -ge 1 ] ||
		    fail "library copy $damage: the duplicate's source was deleted and its content is nowhere"
	fi
done
exit 0
