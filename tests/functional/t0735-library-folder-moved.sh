#!/bin/sh
# A library folder moved away while import --move files copies in it. The
# folder of a day is opened once and kept open for the run; renamed out
# of the library (LIBRARY/2006 moved elsewhere on its disk, and a link to
# it left at its name, or nothing), the copies went on being filed in it:
# outside the library, catalogued at names that do not hold them, and
# their sources removed. tests/lib/hook.c moves it at the open of the
# fourth photo (its copies placed, none filed yet), at the syncfs() of
# the batch's names (its copies linked, not yet catalogued), and at the
# fsync of the folder a photo with a sidecar was just linked in (filed on
# its own, catalogued at the next commit). Each
# time: no copy lands in the moved folder, the catalogue names only files
# inside the library, each photo not filed is named and kept in the
# drop folder, the run exits 1, and a re-run files them all.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
O=$T/elsewhere
for how in link-at-open gone-at-names group-gone-at-commit; do
	rm -rf "$S" "$O" "$LIB" "$T/orig"
	mkdir -p "$S" "$O"
	for i in 1 2 3 4 5 6; do
		{ cat "$CARD/IMG_0001.JPG"; echo "$i"; } >"$S/P$i.JPG"
	done
	[ $how != group-gone-at-commit ] ||
	    cp "$CARD/IMG_0001.JPG.xmp" "$S/P1.JPG.xmp"
	cp -a "$S" "$T/orig"
	case $how in
	link-at-open)
		export SB_HOOK_ON=open:P4.JPG SB_HOOK_NTH=1
		export SB_HOOK_CMD="mv '$LIB/2006' '$O/2006' &&
		    ln -s '$O/2006' '$LIB/2006'" ;;
	gone-at-names)
		# The first syncfs makes the copies durable, the second
		# their names.
		export SB_HOOK_ON=syncfs SB_HOOK_NTH=2
		export SB_HOOK_CMD="mv '$LIB/2006' '$O/2006'" ;;
	group-gone-at-commit)
		# A photo with a sidecar is filed on its own: copy synced,
		# linked, its folder synced (the third sync there), and only
		# catalogued at the next commit.
		export SB_HOOK_ON=fsync:2006/08/02 SB_HOOK_NTH=3
		export SB_HOOK_WHEN=after
		export SB_HOOK_CMD="mv '$LIB/2006' '$O/2006'" ;;
	esac
	hsb import --move --no-progress "$S"
	[ $how != group-gone-at-commit ] ||
	    grep -q '^fired fsync .*/2006/08/02$' "$T/hook.log" ||
	    fail "$how: the hook fired at $(cat "$T/hook.log"), not the folder's sync"
	hook_fired
	unset SB_HOOK_WHEN
	unset SB_HOOK_ON SB_HOOK_NTH SB_HOOK_CMD
	cat "$T/out" "$T/err"
	expect_rc 1
	left=$(find "$O" -type f | sed "s|^$O/||")
	[ -z "$left" ] ||
	    fail "$how: copies filed outside the library: $left"
	# Every catalogued name is a file of the library, not through a link.
	q "SELECT path FROM files" | while read -r p; do
		r=$(realpath "$LIB/$p" 2>/dev/null) || r=
		[ "$r" = "$LIB/$p" ] && [ -f "$r" ] ||
		    fail "$how: catalogued $p is not in the library"
	done || exit 1
	for f in "$T/orig"/*; do
		n=${f##*/}
		if [ -e "$S/$n" ]; then
			cmp -s "$f" "$S/$n" || fail "$how: $n changed"
			named "$n"
		else
			[ "$(cat_count "$f")" = 1 ] &&
			    [ "$(lib_count "$f")" = 1 ] ||
			    fail "$how: $n removed from the drop folder but not filed"
		fi
	done
	grep -q 'moved or replaced' "$T/err" ||
	    fail "$how: no message says the library folder moved"

	# Put right by hand: the re-run files the rest.
	[ ! -L "$LIB/2006" ] || rm "$LIB/2006"
	csb import --move --no-progress "$S"
	cat "$T/out" "$T/err"
	expect_rc 0
	[ -z "$(ls -A "$S")" ] || fail "$how: the re-run left $(ls "$S")"
	for f in "$T/orig"/*; do
		[ "$(lib_count "$f")" = 1 ] || fail "$how: ${f##*/} not filed"
	done
	catalog_matches_lib "$how, re-run"
done
exit 0
