#!/bin/sh
# A source swapped for a symbolic link after the scan is not followed
# (issue 9, bug 6). When shoebox opens its first file (tests/lib/hook.c),
# the other files of the drop folder are moved aside and replaced by
# symbolic links to private (0600) files outside the source, and a
# subdirectory by a link to a private directory holding a same-named file.
# With import and import --move: no private file reaches the library or
# the catalogue, none is deleted or changed, and the file left alone
# (IMG_0001.JPG) is filed as usual. (Whether the swapped names are reported
# depends on when the walk saw them, so it is not checked.)
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
P=$T/private
for move in "" --move; do
	rm -rf "$S" "$P" "$T/aside" "$LIB"
	mkdir -p "$S/B" "$P/B" "$T/aside"
	cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
	cp "$CARD/IMG_0002.JPG" "$S/IMG_0002.JPG"
	cp "$CARD/IMG_0004.JPG" "$S/IMG_0004.JPG"
	cp "$CARD/IMG_0004.JPG" "$S/B/IMG_0009.JPG"
	cp "$CARD/IMG_0003.CR3" "$P/secret1.cr3"
	cp "$CARD/MVI_0005.MOV" "$P/secret2.mov"
	cp "$CARD/../101CANON/IMG_3578.HEIC" "$P/B/IMG_0009.JPG"
	chmod 600 "$P/secret1.cr3" "$P/secret2.mov" "$P/B/IMG_0009.JPG"
	chmod 700 "$P" "$P/B"
	(cd "$P" && sha256sum secret1.cr3 secret2.mov B/IMG_0009.JPG) >"$T/private.sums"

	# At the first open of a file (whichever the walk takes first), all
	# but IMG_0001.JPG become links (the one being opened too).
	export SB_HOOK_ON=open:IMG_0
	export SB_HOOK_CMD="cd '$S' &&
	    for f in IMG_0002.JPG IMG_0004.JPG; do mv \$f '$T/aside/'; done &&
	    ln -s '$P/secret1.cr3' IMG_0002.JPG &&
	    ln -s '$P/secret2.mov' IMG_0004.JPG &&
	    mv B '$T/aside/B' && ln -s '$P/B' B"
	hsb import $move --no-progress "$S"
	hook_fired
	cat "$T/out" "$T/err"
	(cd "$P" && sha256sum -c --quiet "$T/private.sums") ||
	    fail "import ${move:-(copy)}: a private file was changed or deleted"
	for f in "$P/secret1.cr3" "$P/secret2.mov" "$P/B/IMG_0009.JPG"; do
		[ "$(lib_count "$f")" = 0 ] ||
		    fail "import ${move:-(copy)}: private ${f#$T/} reached the library through a link"
		[ "$(cat_count "$f")" = 0 ] ||
		    fail "import ${move:-(copy)}: private ${f#$T/} was catalogued"
	done
	[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] ||
	    fail "import ${move:-(copy)}: the file left alone was not filed: $(libfiles)"
done
exit 0
