#!/bin/sh
# A dir remote (a backup disk) with too little room:
#  - a file bigger than what is free there is not tried, the smaller ones
#    after it still go; one message for them all (-v names each), exit 1,
#    and they stay queued without an attempt counted (not their fault);
#  - a disk that fills all the same (no inodes left) stops the remote with
#    one message: the files left stay queued, "the remote is full";
#  - nothing half-written is left there, every file there is whole;
#  - with room again, one sync sends the rest and every copy reads back.
# And a dir remote whose folder is the library itself, or inside it, is no
# backup: nothing is sent there ("already there" for every file, before),
# one message, exit 1.
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

# 3 MB first (by name), then ten photos of 200 kB: five fit in 1 MB.
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2019/07/04/A_BIG.MOV"
i=0
while [ $i -lt 10 ]; do
	head -c 200000 /dev/urandom >"$W/p$i"
	sb_add "$W/p$i" "2019/07/04/P_$i.JPG"
	i=$((i + 1))
done

jobs() {
	sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
	    WHERE status = '$1' AND attempts = 0"
}
# whole: every file on the backup disk is the library's, byte for byte,
# and no temporary is left.
whole() {
	(cd "$BK" && find . -type f) | while read -r f; do
		cmp -s "$BK/$f" "$LIB/$f" || { echo "$f"; break; }
	done >"$W/bad"
	[ -s "$W/bad" ] && sb_fail "not whole on the remote: $(cat "$W/bad")"
	[ -z "$(find "$BK" -name '.*' ! -name . | head -n 1)" ] ||
	    sb_fail "a temporary left: $(find "$BK" -name '.*')"
}

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "too small: exit $rc, expected 1"
[ -f "$BK/2019/07/04/A_BIG.MOV" ] && sb_fail "3 MB on a 1 MB disk"
# Which photos fit depends on which finish first (four transfers at once).
[ -n "$(find "$BK" -name 'P_*.JPG' | head -n 1)" ] ||
    sb_fail "the photos after the big file did not go"
sent=$(find "$BK" -type f | wc -l)
[ "$sent" -ge 3 ] || sb_fail "only $sent photos fitted"
left=$((11 - sent))
[ "$(grep -c '^shoebox: remote bk: ' "$W/err")" = 1 ] || sb_fail "not one message"
grep -q "^shoebox: remote bk: $left files ([0-9.]* [kM]B) bigger than what is free on its disk (-v names them): make room there; they stay queued$" "$W/err" ||
    sb_fail "the message"
grep -q "^remote bk: 11 files: $sent uploaded ([0-9.]* [kM]B), 0 already there, 0 failed, $left too big for what is free there$" "$W/out" ||
    sb_fail "the summary"
[ "$(jobs pending)" = "$left" ] || sb_fail "the files left should be pending, no attempt counted"
whole

# -v names each, with its size and what is free.
sb_sync -v >"$W/out" 2>"$W/err"
grep -q "^shoebox: remote bk: 2019/07/04/A_BIG.MOV: does not fit: 3.0 MB, and [0-9.]* [kM]\{0,1\}B free on the disk$" "$W/err" ||
    sb_fail "-v does not name the file: $(cat "$W/err")"

# No inodes left: the write itself fails; the remote stops.
used=$(df --output=iused "$BK" | tail -n 1)
mount -o remount,size=64m,nr_inodes=$((used + 2)) "$BK" || sb_fail "remount"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "no inodes: exit $rc, expected 1"
[ "$(grep -c '^shoebox: remote bk: ' "$W/err")" = 1 ] || sb_fail "no inodes: not one message"
grep -q "^shoebox: remote bk: .*No space left on device: make room there; the files left stay queued$" "$W/err" ||
    sb_fail "no inodes: the message"
grep -q "not attempted (the remote is full)$" "$W/out" || sb_fail "no inodes: the summary"
whole

# Room: the rest goes, each copy reads back.
mount -o remount,size=64m,nr_inodes=1000 "$BK" || sb_fail "grow"
sb_sync >"$W/out" 2>"$W/err" || sb_fail "room again: $(cat "$W/err")"
cat "$W/out"
[ "$(find "$BK" -type f | wc -l)" = 11 ] || sb_fail "room again: not every file there"
whole
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote bk --download >"$W/out" 2>&1 ||
    sb_fail "verify: $(cat "$W/out")"
grep -q "11 intact, 0 changed, 0 missing" "$W/out" || sb_fail "verify: $(cat "$W/out")"

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
	grep -q "^remote self: 11 files: 0 uploaded (0 B), 0 already there, 0 failed, 11 not attempted" "$W/out" ||
	    sb_fail "a remote at $where: $(cat "$W/out")"
done
[ -z "$(ls -A "$LIB/backup")" ] || sb_fail "sent into the library"
exit 0
