#!/bin/sh
# find and status by a user other than the catalogue's owner, whose
# library folder that user may write to (a family's shared group) but not
# the catalogue. They read it as a WAL snapshot, which made a -wal and
# -shm of that user's that a reader cannot checkpoint and remove: the
# owner's next import failed (exit 2) with "attempt to write a readonly
# database". Another's catalogue is now read immutable, as before, leaving
# nothing; root's are given to the owner by sqlite.
. "$TOP/tests/lib/common.sh"
[ "$(id -u)" = 0 ] &&
    setpriv --reuid=4242 --regid=4242 --clear-groups true 2>/dev/null ||
    { echo "skipped: needs root, to run as two users"; exit 77; }
chmod 755 "$T"
chmod 644 "$SHOEBOX_CONFIG"
mkdir -p "$T/card" "$T/card2" "$LIB"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG" "$T/card/"
{ cat "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG"; echo 2; } \
    >"$T/card2/IMG_0002.JPG"
chown -R 4242:4242 "$LIB"
owner="setpriv --reuid=4242 --regid=4242 --clear-groups"
other="setpriv --reuid=nobody --regid=nogroup --groups=4242"
$owner "$SHOEBOX" --version >/dev/null 2>&1 ||
    { echo "skipped: another user cannot run $SHOEBOX"; exit 77; }
SB_AS=$owner
sb import --no-progress "$T/card"
expect_rc 0
chmod 775 "$LIB/.shoebox"
chmod 644 "$LIB/.shoebox/catalog.db"

SB_AS=$other
sb find
expect_rc 0
grep -q "IMG_0001.JPG" "$T/out" || fail "find: $(cat "$T/out")"
sb status
expect_rc 0
for f in "$LIB/.shoebox/catalog.db-wal" "$LIB/.shoebox/catalog.db-shm"; do
	[ ! -e "$f" ] || [ "$(stat -c %u "$f")" = 4242 ] ||
	    fail "another user's read left $f as its own"
done
SB_AS=$owner
sb import --no-progress "$T/card2"
expect_rc 0
grep -q "1 imported" "$T/out" || fail "import: $(cat "$T/out")"

# The owner's own catalogue made read-only (chmod a-w) while it is read:
# the -wal and -shm a read left took its mode, and stayed read-only once
# it was writable again; the next import failed as above.
rm -f "$LIB/.shoebox/catalog.db-wal" "$LIB/.shoebox/catalog.db-shm"
chmod a-w "$LIB/.shoebox/catalog.db"
sb find
expect_rc 0
sb status
expect_rc 0
chmod u+w "$LIB/.shoebox/catalog.db"
mkdir -p "$T/card0"
{ cat "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG"; echo 0; } \
    >"$T/card0/IMG_0000.JPG"
sb import --no-progress "$T/card0"
expect_rc 0
grep -q "1 imported" "$T/out" || fail "import: $(cat "$T/out")"

# root's read leaves nothing the owner cannot write either.
SB_AS=
sb find
expect_rc 0
grep -q "IMG_0002.JPG" "$T/out" || fail "root's find: $(cat "$T/out")"
SB_AS=$owner
sb import --no-progress "$T/card2"
expect_rc 0
