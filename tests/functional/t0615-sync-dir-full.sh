#!/bin/sh
# A dir remote (a backup disk) with too little room:
#  - a file bigger than what is free there is not tried, the smaller ones
#    after it still go; one message for them all (-v names each), exit 1,
#    and they stay queued without an attempt counted (not their fault);
#  - a disk that fills all the same (no inodes left) stops the remote with
#    one message: the files left stay queued, "the remote is full";
#  - nothing half-written is left there, every file there is whole;
#  - with room again, one sync sends the rest and every copy reads back;
#  - a disk mounted read-only stops the remote with one message, its
#    files queued without an attempt, and they go once it is writable.
# And a dir remote whose folder is the library itself, inside it, or holds
# it, is no backup: nothing is sent there ("already there" for every file,
# before), one message, exit 1.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ "$(id -u)" = 0 ] || sb_skip "needs root to mount a tmpfs"
BK=$W/backup
mkdir -p "$BK"
mount -t tmpfs -o size=1m shoebox-t0615 "$BK" 2>"$W/mount.err" ||
    sb_skip "cannot mount a tmpfs: $(cat "$W/mount.err")"
umount_bk() { umount "$BK" 2>/dev/null; sb_cleanup; }
trap umount_bk EXIT

cat >"$CFG" <<EOF2
[remote bk]
type = dir
path = $BK
EOF2

sb_add_full_set
sb_full_remote "$BK" "the disk" "No space left on device"
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote bk --download >"$W/out" 2>&1 ||
    sb_fail "verify: $(cat "$W/out")"
grep -q "11 intact, 0 changed, 0 missing" "$W/out" || sb_fail "verify: $(cat "$W/out")"

# The disk mounted read-only (or remounted so after errors): one message,
# the remote stopped, the new file stays queued without an attempt; once
# writable, it goes.
head -c 2000 /dev/urandom >"$W/ro.jpg"
sb_add "$W/ro.jpg" "2019/07/05/RO.JPG"
mount -o remount,ro "$BK" || sb_fail "remount read-only"
sb_sync >"$W/out" 2>"$W/err" && sb_fail "a read-only disk: rc 0"
mount -o remount,rw "$BK"
[ "$(grep -c 'read-only filesystem' "$W/err")" = 1 ] &&
    grep -q "^shoebox: remote bk: $BK is on a read-only filesystem (mounted read-only, or remounted so after disk errors); the files stay queued$" "$W/err" ||
    sb_fail "a read-only disk: $(cat "$W/err")"
grep -q "^remote bk: 1 file: 0 uploaded (0 B), 0 already there, 0 failed, 1 not attempted" "$W/out" ||
    sb_fail "a read-only disk: $(cat "$W/out")"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT attempts FROM upload_jobs j JOIN files f ON f.id = j.file_id WHERE f.path = '2019/07/05/RO.JPG'")" = 0 ] ||
    sb_fail "a read-only disk counted an attempt"
sb_sync >"$W/out" 2>"$W/err" || sb_fail "writable again: $(cat "$W/out" "$W/err")"
cmp "$W/ro.jpg" "$BK/2019/07/05/RO.JPG" || sb_fail "not sent once writable"

for where in "$LIB" "$LIB/backup"; do
	cat >"$CFG" <<EOF2
[remote self]
type = dir
path = $where
EOF2
	mkdir -p "$where"
	sb_sync >"$W/out" 2>"$W/err" && sb_fail "a remote at $where: rc 0"
	grep -q "^shoebox: remote self: $where is \(inside \)\{0,1\}the library $LIB: copies there would be no backup; nothing sent (point path = at another disk)$" "$W/err" ||
	    sb_fail "a remote at $where: $(cat "$W/err")"
	grep -q "^remote self: 12 files: 0 uploaded (0 B), 0 already there, 0 failed, 12 not attempted" "$W/out" ||
	    sb_fail "a remote at $where: $(cat "$W/out")"
done
[ -z "$(ls -A "$LIB/backup")" ] || sb_fail "sent into the library"
# A remote whose folder holds the library (the library on the backup disk
# itself): no backup either, and a rebuild from it would take the
# library's own files for the remote's.
up=$(dirname "$LIB")
cat >"$CFG" <<EOF2
[remote self]
type = dir
path = $up
EOF2
sb_sync >"$W/out" 2>"$W/err" && sb_fail "a remote around the library: rc 0"
grep -q "^shoebox: remote self: $up holds the library $LIB: copies there would be no backup" "$W/err" ||
    sb_fail "a remote around the library: $(cat "$W/err")"
[ -z "$(find "$up" -maxdepth 1 -name '20*')" ] || sb_fail "sent beside the library"
exit 0
