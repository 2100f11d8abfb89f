#!/bin/sh
# verify --remote on a dir remote: all intact exits 0 (size and mtime only:
# "unverified" without --download, which reads every copy back); a copy
# deleted is missing, one cut short changed, one replaced by other bytes
# of the same size changed with --download; each check is recorded on its
# upload job, and --sample goes round the remote oldest-verified first.
# --resend (a backup disk wiped or tampered with): the copies found missing
# or changed are queued again and the next sync sends them, a changed one
# beside the copy it never replaces; then everything reads back intact.
# A disk not mounted (its folder empty) though files went there: sync
# writes nothing there, says what to check and what to run, exit 1.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
settle = 0

[remote usb]
type = dir
path = $W/disk
prefix = photos
EOF2
sb_add_set
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
D=$W/disk/photos
sbv() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress "$@" >"$W/out" \
	    2>"$W/err"
}
q() { sqlite3 "$LIB/.shoebox/catalog.db" "$@"; }

sbv --remote usb || { cat "$W/out" "$W/err"; sb_fail "intact remote: rc $?"; }
grep -q "^$NFILES copies on usb verified: 0 intact, 0 changed, 0 missing, 0 unreadable, $NFILES unverified" \
    "$W/out" || { cat "$W/out"; sb_fail "summary without --download"; }
sbv --remote usb --download || { cat "$W/out" "$W/err"; sb_fail "--download"; }
grep -q "^$NFILES copies on usb verified: $NFILES intact, 0 changed" "$W/out" ||
    { cat "$W/out"; sb_fail "summary with --download"; }
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb') AND
    verify_status = 'ok' AND verified_at IS NOT NULL")" = "$NFILES" ] ||
    sb_fail "checks not recorded"

# a deleted copy is missing; one cut short has changed
rm "$D/2019/07/04/IMG 0001.JPG"
head -c 100 "$LIB/2004/03/30/DSC_0001.JPG" >"$D/2004/03/30/DSC_0001.JPG"
sbv --remote usb && sb_fail "damage: rc 0"
grep -q '^missing  *2019/07/04/IMG 0001.JPG$' "$W/out" ||
    { cat "$W/out"; sb_fail "missing copy not reported"; }
grep -q '^changed  *2004/03/30/DSC_0001.JPG: 100 bytes, catalogued with' "$W/out" ||
    { cat "$W/out"; sb_fail "short copy not reported"; }
[ "$(q "SELECT j.verify_status FROM upload_jobs j JOIN files f ON
    f.id = j.file_id WHERE f.path = '2019/07/04/IMG 0001.JPG'")" = missing ] ||
    sb_fail "missing not recorded"

# other bytes of the same size (and the same mtime): only --download sees it
rel="2019/07/04/Ünïcödé été+plus~1.jpg"
head -c 300000 /dev/urandom >"$W/other"
cp "$W/other" "$D/$rel"
touch -r "$LIB/$rel" "$D/$rel"
rm "$D/2004/03/30/DSC_0001.JPG"
cp "$LIB/2019/07/04/IMG 0001.JPG" "$D/2019/07/04/IMG 0001.JPG"
cp -p "$LIB/2004/03/30/DSC_0001.JPG" "$D/2004/03/30/DSC_0001.JPG"
sbv --remote usb || { cat "$W/out" "$W/err"; sb_fail "same size: rc $?"; }
sbv --remote usb --download --json && sb_fail "--download: rc 0"
grep -q "\"path\":\"$rel\",\"remote\":\"usb\",\"remote_path\":\"$rel\",\"status\":\"changed\"" \
    "$W/out" || { cat "$W/out"; sb_fail "replaced bytes not reported as JSON"; }
grep -q '"summary":{"remote":"usb","checked":4,"intact":3,"missing":0,"changed":1,"unverified":0,"unreadable":0,' \
    "$W/out" || { cat "$W/out"; sb_fail "JSON summary"; }
cp "$LIB/$rel" "$D/$rel"

# --sample 50: two copies a run, those verified longest ago first
q "UPDATE upload_jobs SET verified_at = strftime('%s', '2000-01-01') * 1000000 WHERE
    file_id = (SELECT id FROM files WHERE path = '$rel')"
sbv -v --remote usb --sample 50 || { cat "$W/out" "$W/err"; sb_fail "sample"; }
grep -q "^2 copies on usb verified (a 50% sample" "$W/out" ||
    { cat "$W/out"; sb_fail "sample summary"; }
grep -q "^unverified  *$rel: right size" "$W/out" ||
    { cat "$W/out"; sb_fail "oldest not first"; }
sbv -v --remote usb --sample 50 || sb_fail "second sample"
grep -c '^unverified' "$W/out" | grep -qx 2 || { cat "$W/out"; sb_fail "second slice"; }
[ "$(q "SELECT count(DISTINCT verified_at) FROM upload_jobs")" -le 2 ] ||
    sb_fail "two runs of 50% did not cover the remote"

# --resend: one copy deleted, one with other bytes of the same size.
other=2019/07/04/IMG\ 0001.JPG
rm "$D/$rel"
printf 'X' | dd of="$D/2019/07/04/IMG 0001.JPG" bs=1 seek=10 conv=notrunc 2>/dev/null
sbv --remote usb && sb_fail "without --download: rc 0"
sb_sync >"$W/out" 2>"$W/err" || sb_fail "sync"
grep -q "^remote usb: 0 files" "$W/out" || sb_fail "sent without --resend: $(cat "$W/out")"
sbv --remote usb --download --resend && sb_fail "--resend: rc 0"
grep -q "^4 copies on usb verified: 2 intact, 1 changed, 1 missing, 0 unreadable, 0 unverified (size only) (.* read back in .*); 2 queued again for the next sync$" "$W/out" ||
    { cat "$W/out"; sb_fail "--resend summary"; }
[ "$(q "SELECT count(*) FROM upload_jobs WHERE status = 'pending' AND attempts = 0")" = 2 ] ||
    sb_fail "--resend: two jobs should be pending"
# queued: no longer checked (only copies the catalogue says are there)
sbv --remote usb --resend --json || { cat "$W/out"; sb_fail "--resend again: rc $?"; }
grep -q '"checked":2,.*"queued_again":0}' "$W/out" || { cat "$W/out"; sb_fail "--resend JSON"; }
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync after --resend"; }
grep -q "^remote usb: 2 files: 2 uploaded" "$W/out" || { cat "$W/out"; sb_fail "not sent again"; }
cmp -s "$LIB/$rel" "$D/$rel" || sb_fail "the missing copy is not back"
cmp -s "$LIB/2019/07/04/IMG 0001.JPG" "$D/2019/07/04/IMG 0001-1.JPG" ||
    sb_fail "the changed copy's file did not go beside it"
cmp -s "$LIB/2019/07/04/IMG 0001.JPG" "$D/2019/07/04/IMG 0001.JPG" &&
    sb_fail "the changed copy was replaced"
sbv --remote usb --download || { cat "$W/out"; sb_fail "not all intact after --resend and sync"; }
rm "$D/2019/07/04/IMG 0001.JPG"

# The disk "not mounted": its folder empty, and a new file to send.
mv "$W/disk" "$W/disk.away"
mkdir "$W/disk"
sb_add "$TOP/tests/fixtures/Reagan.jpg" "2020/02/02/NEW.JPG"
sb_sync >"$W/out" 2>"$W/err" && sb_fail "an empty remote folder: rc 0"
cat "$W/err"
[ -z "$(ls -A "$W/disk")" ] || sb_fail "written to the empty folder: $(find "$W/disk")"
grep -q "^shoebox: remote usb: 4 files went there before, and its folder is empty now: is the disk mounted? Nothing sent. If it is a new or wiped disk, 'shoebox verify --remote usb --resend' queues them again$" "$W/err" ||
    sb_fail "the empty folder message"
grep -q "^remote usb: 1 file: 0 uploaded (0 B), 0 already there, 0 failed, 1 not attempted (its folder is empty)$" "$W/out" ||
    { cat "$W/out"; sb_fail "the empty folder summary"; }
sbv --remote usb && sb_fail "verify of an empty remote folder: rc 0"
grep -q "^shoebox: verify: remote usb: its folder is empty: is the disk mounted?$" "$W/err" ||
    { cat "$W/err"; sb_fail "verify does not say the folder is empty"; }
rm "$LIB/2020/02/02/NEW.JPG"
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote usb >"$W/out" 2>"$W/err" &&
    sb_fail "restore from an empty remote folder: rc 0"
grep -q "^shoebox: restore: remote usb: its folder is empty: is the disk mounted?$" "$W/err" ||
    { cat "$W/err"; sb_fail "restore does not say the folder is empty"; }
cp "$TOP/tests/fixtures/Reagan.jpg" "$LIB/2020/02/02/NEW.JPG"
touch -d @1562249460.123456789 "$LIB/2020/02/02/NEW.JPG"
# "Mounted" again: it goes.
rmdir "$W/disk"
mv "$W/disk.away" "$W/disk"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "mounted again"; }
grep -q "^remote usb: 1 file: 1 uploaded" "$W/out" || { cat "$W/out"; sb_fail "mounted again: not sent"; }
# An empty folder that is not the top of a mounted filesystem is, as far
# as anyone can tell, the mount point of a disk unplugged: --resend queues
# nothing again (the next sync would fill the disk beneath it).
rm -rf "$W/disk"
mkdir "$W/disk"
sbv --remote usb --resend && sb_fail "unplugged: verify rc 0"
grep -q "^shoebox: verify: remote usb: its folder is empty and no disk is mounted there: nothing is queued again" "$W/err" ||
    { cat "$W/err"; sb_fail "unplugged: not said"; }
grep -q "; 0 queued again for the next sync$" "$W/out" || { cat "$W/out"; sb_fail "unplugged: queued"; }
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "unplugged: sync"; }
[ -z "$(ls -A "$W/disk")" ] || sb_fail "unplugged: written to: $(find "$W/disk")"
# A new disk (a tmpfs mounted there; else a file put in the folder, as
# the message says): --resend queues everything, then sync fills it.
mounted=
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16m shoebox-t0830 "$W/disk" 2>/dev/null; then
	mounted=1
	cleanup_hooks="${cleanup_hooks:-} umount_disk"
else
	: >"$W/disk/.keep"
fi
umount_disk() { umount "$W/disk" 2>/dev/null; }
sbv --remote usb --resend && sb_fail "a new disk: verify rc 0"
grep -q "; 5 queued again for the next sync$" "$W/out" || { cat "$W/out"; sb_fail "a new disk: not queued"; }
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "a new disk: sync"; }
grep -q "^remote usb: 5 files: 5 uploaded" "$W/out" || { cat "$W/out"; sb_fail "a new disk: not all sent"; }
sbv --remote usb --download || { cat "$W/out"; sb_fail "a new disk: not all intact"; }
[ -z "$mounted" ] || umount "$W/disk"

# usage
sbv --resend && sb_fail "--resend without --remote accepted"
grep -q 'resend goes with --remote' "$W/err" || sb_fail "no usage message for --resend"
sbv --download && sb_fail "--download without --remote accepted"
grep -q 'download goes with --remote' "$W/err" || sb_fail "no usage message"
sbv --remote nosuch && sb_fail "unknown remote accepted"
grep -q "no \[remote nosuch\] in the config" "$W/err" || { cat "$W/err"; sb_fail "unknown remote message"; }
exit 0
