#!/bin/sh
# Sources of a shared drop folder swapped, after the walk saw them, for
# things that are not files: a FIFO (no writer: its open must not hang),
# a socket (open(2) says "No such device or address"), a device node, a
# folder. When shoebox opens its first file (tests/lib/hook.c) the others
# are swapped. With import and import --move: each is named, with the
# reason that it is no longer a regular file; none is filed or removed;
# the file left alone is filed (and moved); the run exits 1.
. "$TOP/tests/functional/safety-lib.sh"

command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
S=$T/drop
for move in "" --move; do
	rm -rf "$S" "$LIB"
	mkdir -p "$S"
	cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$CARD/IMG_0004.JPG" \
	    "$CARD/MVI_0005.MOV" "$S/"
	cp "$CARD/IMG_0003.CR3" "$S/"
	export SB_HOOK_ON=open:IMG_0001
	export SB_HOOK_CMD="cd '$S' &&
	    rm IMG_0002.JPG && mkfifo IMG_0002.JPG &&
	    rm IMG_0003.CR3 && mknod IMG_0003.CR3 c 1 3 &&
	    rm IMG_0004.JPG && mkdir IMG_0004.JPG &&
	    rm MVI_0005.MOV && python3 -c 'import socket
socket.socket(socket.AF_UNIX).bind(\"MVI_0005.MOV\")'"
	hsb import $move --no-progress "$S"
	hook_fired
	unset SB_HOOK_ON SB_HOOK_CMD
	cat "$T/out" "$T/err"
	expect_rc 1
	for f in IMG_0002.JPG IMG_0003.CR3 IMG_0004.JPG MVI_0005.MOV; do
		grep -q "$f: no longer a regular file" "$T/err" ||
		    fail "import ${move:-(copy)}: $f not named as no longer a file"
		[ -e "$S/$f" ] || fail "import ${move:-(copy)}: $f removed"
	done
	[ -p "$S/IMG_0002.JPG" ] && [ -c "$S/IMG_0003.CR3" ] &&
	    [ -d "$S/IMG_0004.JPG" ] && [ -S "$S/MVI_0005.MOV" ] ||
	    fail "import ${move:-(copy)}: a swapped source was changed"
	[ "$(libfiles)" = 2006/08/02/IMG_0001.JPG ] ||
	    fail "import ${move:-(copy)}: the library holds $(libfiles)"
	catalog_matches_lib "import ${move:-(copy)}"
	if [ -n "$move" ]; then
		[ ! -e "$S/IMG_0001.JPG" ] || fail "IMG_0001.JPG not moved"
	fi
done
exit 0
