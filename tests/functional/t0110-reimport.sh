#!/bin/sh
# Running the same import again copies nothing and reads no file contents:
# the catalogue remembers each source by device, inode, size, mtime and
# ctime.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/card/DCIM/100CANON"
cp "$TOP"/tests/sample-card/DCIM/100CANON/* "$T/card/DCIM/100CANON/"
set_mtimes "$T/card"
sb import --no-progress "$T/card"
expect_rc 0
libfiles >"$T/before"
q "SELECT count(*) FROM files" >"$T/count1"

# A re-run imports nothing and leaves library and catalogue as they were.
sb import --json "$T/card"
expect_rc 0
grep -q '"imported":0' "$T/out" || fail "re-run imported something: $(tail -1 "$T/out")"
grep -q '"already":' "$T/out" || fail "no 'already' count"
libfiles >"$T/after"
cmp -s "$T/before" "$T/after" || fail "library changed on re-run"
[ "$(q 'SELECT count(*) FROM files')" = "$(cat "$T/count1")" ] || fail "catalogue grew"

# strace, where present, proves no source file is opened the second time.
# Sources are opened below their root's descriptor (openat2(N,
# "DCIM/100CANON/IMG_0001.JPG"), or openat(N, "IMG_0001.JPG") from their
# folder's), so look for their names; the same check on a first run into
# another library must see them, or it could never fail.
opened() {
	grep -E 'open(at2?)?\(.*"([^"]*/)?(IMG|MVI)_[0-9]{4}[^"/]*"' "$1" |
	    grep -v O_DIRECTORY
}
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=open,openat,openat2 -o "$T/trace1" "$SHOEBOX" -L "$T/other" \
	    import --no-progress "$T/card" >/dev/null 2>&1
	opened "$T/trace1" | grep -q . ||
	    fail "the strace check sees no source opened on a first run"
	strace -f -e trace=open,openat,openat2 -o "$T/trace" "$SHOEBOX" import --no-progress "$T/card" >/dev/null 2>&1
	if opened "$T/trace" | grep -q .; then
		opened "$T/trace" >&2
		fail "re-run opened source files"
	fi
fi

# A changed file (new mtime) is looked at again; same content: duplicate.
touch -d '2002-01-01 00:00 UTC' "$T/card/DCIM/100CANON/IMG_0001.JPG"
sb import --json "$T/card"
expect_rc 0
grep '"status":"duplicate"' "$T/out" | grep -q IMG_0001.JPG || fail "touched file not seen as duplicate"
exit 0
