#!/bin/sh
# forget FILE... and forget --missing: a library file deleted on purpose.
# A file still there, something else at its name, a folder link on the
# way, a file a sync is sending, a name the catalogue does not know: each
# refused, nothing dropped, exit 1. A file gone: its row and upload jobs
# go (--dry-run only says so), its sidecars gone too with it, one still
# there stays on its own; the copy on the remote stays, and is named.
# Afterwards verify finds nothing missing, sync fails nothing, and the
# card it came from does not bring it back (nor does --move delete its
# source). --missing refuses when every catalogued file is gone. A name
# from inside the library that reads as two catalogued files is refused.
. "$TOP/tests/lib/common.sh"
sample_library
mkdir "$T/usb"
sb sync --no-progress
expect_rc 0
nfiles=$(q "SELECT count(*) FROM files")
[ "$(find "$T/usb" -type f | wc -l)" = "$nfiles" ] || fail "the remote's copies"

# Usage.
sb forget
expect_rc 2
sb forget --missing 2006/08/02/IMG_0001.JPG
expect_rc 2
sb forget --force 2006/08/02/IMG_0001.JPG
expect_rc 2
sb forget --remote usb 2006/08/02/IMG_0001.JPG
expect_rc 2

# Still there: refused.
sb forget 2006/08/02/IMG_0001.JPG
expect_rc 1
grep -q "forget: $LIB/2006/08/02/IMG_0001.JPG: it is still in the library: delete it first" \
    "$T/err" || { cat "$T/err"; fail "still there: message"; }
[ "$(q "SELECT count(*) FROM files")" = "$nfiles" ] || fail "refused, but dropped"

# Not catalogued, or outside the library: refused, named as given.
sb forget 2006/08/02/NOPE.JPG /etc/passwd
expect_rc 1
grep -q "forget: 2006/08/02/NOPE.JPG: the catalogue has no such file" "$T/err" &&
grep -q "forget: /etc/passwd: not inside the library" "$T/err" ||
    { cat "$T/err"; fail "unknown names: messages"; }

# Deleted with its sidecar: --dry-run says it, drops nothing.
rm "$LIB/2006/08/02/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG.xmp"
sb forget --dry-run 2006/08/02/IMG_0001.JPG
expect_rc 0
expect_out "dry run" <<EOF
would forget 2006/08/02/IMG_0001.JPG; its copy stays on usb
would forget 2006/08/02/IMG_0001.JPG.xmp (sidecar of 2006/08/02/IMG_0001.JPG); its copy stays on usb
dry run: 1 file would be forgotten, and 1 sidecar with it
EOF
[ "$(q "SELECT count(*) FROM files")" = "$nfiles" ] || fail "--dry-run dropped rows"

# A sync sending it right now: refused.
q "UPDATE upload_jobs SET lease_until = strftime('%s', 'now') + 600 WHERE file_id =
   (SELECT id FROM files WHERE path = '2006/08/02/IMG_0001.JPG')"
sb forget "$L/2006/08/02/IMG_0001.JPG"
expect_rc 1
grep -q "a sync is sending it (or its sidecar) now" "$T/err" ||
    { cat "$T/err"; fail "busy: message"; }
# The lease of a sync that was killed (its process gone, on this machine
# and boot): nobody is sending it, as the next sync would see.
dead=$(sh -c 'echo $$')
q "UPDATE upload_jobs SET claimed_by = '$(hostname) $(cat /proc/sys/kernel/random/boot_id) $dead 1'
   WHERE file_id = (SELECT id FROM files WHERE path = '2006/08/02/IMG_0001.JPG')"
sb forget --dry-run "$L/2006/08/02/IMG_0001.JPG"
expect_rc 0
grep -q "would forget 2006/08/02/IMG_0001.JPG;" "$T/out" || fail "a killed sync's lease held forget back"
q "UPDATE upload_jobs SET lease_until = NULL, claimed_by = NULL"

# By its full path: forgotten, with its sidecar; JSON names the copies.
sb forget --json "$L/2006/08/02/IMG_0001.JPG"
expect_rc 0
expect_out "forget --json" <<EOF
{"path":"2006/08/02/IMG_0001.JPG","status":"forgotten","copies_on":["usb"]}
{"path":"2006/08/02/IMG_0001.JPG.xmp","status":"forgotten","sidecar_of":"2006/08/02/IMG_0001.JPG","copies_on":["usb"]}
{"summary":"forget","forgotten":1,"sidecars":1,"refused":0,"dry_run":false}
EOF
[ "$(q "SELECT count(*) FROM files")" = $((nfiles - 2)) ] || fail "rows left"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE file_id NOT IN (SELECT id FROM files)")" = 0 ] ||
    fail "upload jobs left"
[ "$(q "SELECT count(*) FROM sources WHERE path LIKE '%/IMG_0001.JPG%' AND status = 'forgotten'
    AND file_id IS NULL")" = 2 ] || fail "sources not remembered as forgotten"
[ -f "$T/usb/2006/08/02/IMG_0001.JPG" ] || fail "the remote's copy was touched"
sb verify --no-progress
expect_rc 0
sb sync --no-progress
expect_rc 0
sb status
grep -q "usb: 0 pending (0 B), $((nfiles - 2)) done, 0 failed" "$T/out" || { cat "$T/out"; fail "status"; }

# The card again: not brought back; --move leaves its source on the card.
sb -v import --no-progress "$card"
expect_rc 0
grep -q "^already .*/IMG_0001.JPG: its library copy was deleted and forgotten" "$T/out" &&
grep -q "^skipped .*/IMG_0001.JPG.xmp: its main file was forgotten" "$T/out" ||
    { cat "$T/out"; fail "re-import: what it says"; }
[ -e "$LIB/2006/08/02/IMG_0001.JPG" ] && fail "a forgotten file came back"
sb import --move --no-progress "$card"
expect_rc 0
[ -f "$card/DCIM/100CANON/IMG_0001.JPG" ] || fail "--move deleted a forgotten file's source"
[ -f "$card/DCIM/100CANON/IMG_0002.JPG" ] && fail "--move kept a source it should move"

# --missing: the CR3 gone (its sidecar stays, on its own), a link where a
# JPEG was, a folder replaced by a link: those two refused.
rm "$LIB/2021/05/12/IMG_0003.CR3"
mv "$LIB/2003/09/25/IMG_0004.JPG" "$T/elsewhere.jpg"
ln -s "$T/elsewhere.jpg" "$LIB/2003/09/25/IMG_0004.JPG"
mv "$LIB/2019" "$T/2019"
ln -s "$T/2019" "$LIB/2019"
sb forget --missing
expect_rc 1
expect_out "--missing" <<EOF
forgot 2021/05/12/IMG_0003.CR3; its copy stays on usb
  its sidecar 2021/05/12/IMG_0003.xmp stays in the library, on its own
1 file forgotten; 2 refused
EOF
grep -q "2003/09/25/IMG_0004.JPG: something else is at its name" "$T/err" &&
grep -q "2019/12/31/MVI_0005.MOV: library folder 2019 is a symbolic link" "$T/err" ||
    { cat "$T/err"; fail "--missing: refusals"; }
[ "$(q "SELECT count(*) FROM files WHERE path = '2021/05/12/IMG_0003.xmp' AND main_id IS NULL")" = 1 ] ||
    fail "the sidecar left is not on its own"
[ "$(q "SELECT count(*) FROM files WHERE path IN ('2003/09/25/IMG_0004.JPG',
    '2019/12/31/MVI_0005.MOV')")" = 2 ] || fail "refused, but dropped"

# From a folder inside the library, a name there.
rm "$LIB/2019"
mv "$T/2019" "$LIB/2019"
rm "$LIB/2019/12/31/MVI_0005.MOV"
(cd "$LIB/2019/12" && "$SHOEBOX" forget 31/MVI_0005.MOV >"$T/out" 2>"$T/err") ||
    { cat "$T/err"; fail "a name from inside the library"; }
grep -q "^forgot 2019/12/31/MVI_0005.MOV" "$T/out" || { cat "$T/out"; fail "from inside"; }

# A name that reads as two catalogued files, one from the library's top
# (LIB/12/31/X) and one from this folder (LIB/2003/12/31/X): refused as
# ambiguous, naming both; by its full path it goes.
mkdir -p "$LIB/12/31"
cp "$FIX/Reagan.jpg" "$LIB/12/31/twin.jpg"
mkdir -p "$LIB/2003/12/31"
cp "$FIX/smiley2.jpg" "$LIB/2003/12/31/twin.jpg"
sb adopt --no-progress
expect_rc 0
rm "$LIB/12/31/twin.jpg" "$LIB/2003/12/31/twin.jpg"
n=$(q "SELECT count(*) FROM files")
rc=0
(cd "$LIB/2003" && "$SHOEBOX" forget 12/31/twin.jpg >"$T/out" 2>"$T/err") ||
    rc=$?
[ "$rc" = 1 ] || fail "an ambiguous name: exit $rc"
grep -q "forget: 12/31/twin.jpg: both 12/31/twin.jpg and 2003/12/31/twin.jpg are catalogued" \
    "$T/err" || { cat "$T/out" "$T/err"; fail "an ambiguous name"; }
[ "$(q "SELECT count(*) FROM files")" = "$n" ] || fail "ambiguous, but dropped"
(cd "$LIB/2003" && "$SHOEBOX" forget "$L/2003/12/31/twin.jpg" \
    "$L/12/31/twin.jpg" >"$T/out" 2>"$T/err") ||
    { cat "$T/err"; fail "by full paths"; }
[ "$(q "SELECT count(*) FROM files")" = $((n - 2)) ] || fail "full paths"

# Nothing else missing but the link's: --missing refuses it alone.
sb forget --missing
expect_rc 1

# A year on a disk of its own, unmounted: its mount point there, empty,
# the folders below it not. Refused and said, nothing dropped; once that
# empty folder is removed (emptied on purpose), they would go.
y=$(q "SELECT substr(path, 1, 4) FROM files ORDER BY path DESC LIMIT 1")
ny=$(q "SELECT count(*) FROM files WHERE path LIKE '$y/%'")
[ "$ny" -gt 0 ] || fail "no files in $y"
mv "$LIB/$y" "$T/disk$y"
mkdir "$LIB/$y"
sb forget --missing
expect_rc 1
grep -q "folder $y is there, empty, and the folders below it that held this file are not: is a disk mounted there?" \
    "$T/err" || { cat "$T/err"; fail "an unmounted year: message"; }
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '$y/%'")" = "$ny" ] ||
    fail "an unmounted year's files were forgotten"
rmdir "$LIB/$y"
sb forget --missing --dry-run
grep -q "^would forget $y/" "$T/out" || { cat "$T/out" "$T/err"; fail "a year removed on purpose"; }
mv "$T/disk$y" "$LIB/$y"
# The same with the files right in that folder (pattern = %Y).
mkdir "$LIB/2031"
cp "$FIX/smiley2.jpg" "$LIB/2031/flat.jpg"
sb adopt --no-progress
expect_rc 0
mv "$LIB/2031/flat.jpg" "$T/flat.jpg"
sb forget --missing
expect_rc 1
grep -q "2031/flat.jpg: folder 2031, at the library's top, is there and empty: is a disk mounted there?" \
    "$T/err" || { cat "$T/err"; fail "an unmounted year, flat: message"; }
[ "$(q "SELECT count(*) FROM files WHERE path = '2031/flat.jpg'")" = 1 ] ||
    fail "an unmounted year's file (flat) was forgotten"
mv "$T/flat.jpg" "$LIB/2031/flat.jpg"

# Every file gone: not the library as it should be; nothing forgotten.
rm "$LIB/2003/09/25/IMG_0004.JPG"
n=$(q "SELECT count(*) FROM files")
mkdir "$T/away"
mv "$LIB"/[0-9]* "$T/away/"
sb forget --missing
expect_rc 1
grep -q "every file the catalogue lists ($n) is missing.*nothing forgotten" "$T/err" ||
    { cat "$T/err"; fail "all missing: message"; }
[ "$(q "SELECT count(*) FROM files")" = "$n" ] || fail "all missing: rows dropped"
exit 0
