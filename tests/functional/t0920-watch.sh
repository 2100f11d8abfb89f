#!/bin/sh
# shoebox watch: a file written slowly is imported once, whole, after it
# settled (never while it is written); a folder made after the start is
# watched and a burst of 200 files in it is imported, each once, with no
# "still arriving" line for the files a batch found unsettled; temporary
# and hidden names wait until renamed; a hard link made there is taken,
# once done if it is still written elsewhere; a busy library is waited
# for; a folder the inotify watch limit left unwatched (ENOSPC, through a
# shim) says what to raise and is caught up by a SIGHUP rescan; SIGTERM
# stops it cleanly; every batch is a run of command "watch".
. "$TOP/tests/lib/common.sh"

shim nowatch

S=$TOP/tests/sample-card/DCIM/100CANON
D=$T/drop
mkdir -p "$D/nowatch"

count() {
	libfiles | grep -c "$1"
}
has() {
	[ "$(count "$1")" -ge "$2" ]
}

stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"

NOWATCH=$D/nowatch LD_PRELOAD="$T/nowatch.so" \
    "$SHOEBOX" watch --settle 2s "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" || fail "watch did not start"
wait_until 10 grep -q 'watch limit reached' "$T/w.err" || fail "ENOSPC not reported: $(cat "$T/w.err")"
grep -q 'fs.inotify.max_user_watches' "$T/w.err" && grep -q 'sysctl fs.inotify.max_user_watches=' "$T/w.err" &&
	grep -q '/proc/sys/fs/inotify/max_user_watches' "$T/w.err" ||
	fail "the watch limit message does not say what to raise: $(cat "$T/w.err")"

# 1. Written slowly (appended to three times a second apart, under the
# settle time): nothing while it is written, then once, whole.
cp "$S/IMG_0002.JPG" "$T/slow.jpg"
printf 'slow' >>"$T/slow.jpg"
head -c 8000 "$T/slow.jpg" >"$D/SLOW.JPG"
sleep 1
tail -c +8001 "$T/slow.jpg" | head -c 10000 >>"$D/SLOW.JPG"
[ "$(count SLOW)" = 0 ] || fail "taken while it was written"
sleep 1
tail -c +18001 "$T/slow.jpg" >>"$D/SLOW.JPG"
[ "$(count SLOW)" = 0 ] || fail "taken while it was written"
wait_until 15 has SLOW 1 || fail "slowly written file never imported: $(cat "$T/w.err")"
f=$(libfiles | grep SLOW)
cmp -s "$LIB/$f" "$T/slow.jpg" || fail "imported before it was complete"
sleep 3
[ "$(count SLOW)" = 1 ] || fail "imported more than once: $(libfiles | grep SLOW)"
[ "$(q "SELECT count(*) FROM sources WHERE path LIKE '%/SLOW.JPG'")" = 1 ] ||
	fail "slow file recorded more than once"

# 2. Temporary and hidden names are never taken; the rename is.
cp "$S/IMG_0004.JPG" "$D/upload.jpg.part"
cp "$S/IMG_0004.JPG" "$D/.smbdeleteAAA01"
cp "$S/IMG_0004.JPG" "$D/~\$lock.jpg"
sleep 3
[ "$(count IMG_0004\|upload)" = 0 ] || fail "a temporary name was taken: $(libfiles)"
mv "$D/upload.jpg.part" "$D/UPLOAD.JPG"
wait_until 10 has UPLOAD.JPG 1 || fail "renamed file not imported"
[ "$(libfiles | grep -c 'smbdelete\|lock.jpg')" = 0 ] || fail "hidden or lock file taken"

# 2b. A hard link made in the folder (ln, cp -l, rsync --link-dest): no
# write and no move, only its creation; imported all the same.
cp "$S/IMG_0002.JPG" "$T/linked.jpg"
printf 'linked' >>"$T/linked.jpg"
ln "$T/linked.jpg" "$D/LINKED.JPG"
wait_until 10 has LINKED.JPG 1 || fail "a hard link made in the folder not imported"
# A hard link to a file another program is still writing elsewhere: it
# closes there, with no event here; taken once done, whole.
cp "$S/IMG_0004.JPG" "$T/writing.jpg"
printf 'writing' >>"$T/writing.jpg"
python3 - "$T/writing.jpg" "$T/elsewhere.jpg" "$D/WRITING.JPG" <<'PY' &
import os, sys, time
data = open(sys.argv[1], "rb").read()
f = open(sys.argv[2], "wb")
f.write(data[:8192])
f.flush()
os.link(sys.argv[2], sys.argv[3])
time.sleep(4)
f.write(data[8192:])
f.close()
PY
sleep 3
[ "$(count WRITING)" = 0 ] || fail "a link to a file still written was taken"
wait_until 15 has WRITING.JPG 1 || fail "a link to a file written elsewhere never imported"
f=$(libfiles | grep WRITING)
cmp -s "$LIB/$f" "$T/writing.jpg" || fail "the linked file was taken before it was whole"

# 3. A folder made after the start, and a burst of 200 files in it.
mkdir -p "$D/burst/deep"
i=0
while [ $i -lt 200 ]; do
	cp "$S/IMG_0001.JPG" "$D/burst/deep/B_$i.JPG"
	printf 'burst %d' $i >>"$D/burst/deep/B_$i.JPG"
	i=$((i + 1))
done
wait_until 60 has 'B_[0-9]*\.JPG' 200 || fail "burst: $(count 'B_[0-9]*\.JPG') of 200 imported"
sleep 3
[ "$(count 'B_')" = 200 ] || fail "burst: $(count 'B_') files in the library, expected 200"
[ "$(q "SELECT count(*) FROM sources WHERE path LIKE '%/burst/deep/B_%'")" = 200 ] ||
	fail "burst: catalogue does not hold 200 sources"
# A batch imports folders whole: the files there that have not settled yet
# wait for their own batch, which watch keeps; they are not a warning each.
! grep -q 'still arriving' "$T/w.err" ||
	fail "files watch waits for were said still arriving: $(grep -c 'still arriving' "$T/w.err") lines"

# 4. A busy library: the batch waits for the lock, then files.
flock "$LIB/.shoebox/lock" sleep 4 &
lpid=$!
sleep 0.5
cp "$S/IMG_0002.JPG" "$D/BUSY.JPG"
printf 'busy' >>"$D/BUSY.JPG"
sleep 3
[ "$(count BUSY)" = 0 ] || fail "imported while the library was locked"
wait $lpid
wait_until 10 has BUSY 1 || fail "not imported once the library was free"
grep -q 'waiting for it to finish' "$T/w.err" || fail "the wait was not said"

# 5. The unwatched folder: nothing until SIGHUP, then a full rescan.
cp "$S/IMG_0002.JPG" "$D/nowatch/HIDDEN.JPG"
printf 'unwatched' >>"$D/nowatch/HIDDEN.JPG"
touch -d '-1 minute' "$D/nowatch/HIDDEN.JPG"
sleep 3
[ "$(count HIDDEN)" = 0 ] || fail "a file in an unwatched folder was seen: the shim did not work"
runs() {
	[ "$(q "SELECT count(*) FROM runs WHERE command = 'watch'")" -gt "$1" ]
}
before=$(q "SELECT count(*) FROM runs WHERE command = 'watch'")
kill -HUP $wpid
wait_until 10 has HIDDEN 1 || fail "SIGHUP rescan did not import it"
# The rescan looks at every file: let it finish before the stop below,
# which would otherwise (rightly) record it as interrupted.
wait_until 30 runs "$before" || fail "the rescan was never recorded as a run"
grep -q 'SIGHUP: looking at every file' "$T/w.err" || fail "rescan not said"
kill -0 $wpid || fail "watch died on SIGHUP"

# 6. SIGTERM: a clean stop.
kill -TERM $wpid
rc=0
wait $wpid || rc=$?
wpid=""
[ $rc = 0 ] || { cat "$T/w.err"; fail "watch exited $rc on SIGTERM"; }
grep -q 'watch: stopping' "$T/w.err" || fail "stop not said"
[ "$(q "SELECT count(*) FROM runs WHERE command = 'watch'")" -ge 5 ] ||
	fail "watch batches not recorded as runs"
[ "$(q "SELECT count(*) FROM runs WHERE command = 'watch' AND outcome = 'error'")" = 0 ] ||
	fail "a batch failed: $(q "SELECT * FROM runs WHERE outcome = 'error'")"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial copies left"

# 7. A library its first batch makes inside the watched folder (a drop
# share with its archive in it) is never watched, nor is a dir remote's
# folder there (a backup disk): their files are not imported again, nor
# refused one by one as "inside the library".
mkdir -p "$T/share/backup"
cp "$SHOEBOX_CONFIG" "$T/conf-usb"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/share/backup" >>"$T/conf-usb"
SHOEBOX_LIBRARY=$T/share/photos "$SHOEBOX" -c "$T/conf-usb" watch --sync \
    --settle 1s "$T/share" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" || fail "watch did not start"
cp -r "$TOP/tests/sample-card" "$T/share/card"
lib7() {
	[ "$(find "$T/share/photos" -type f -not -path '*/.shoebox/*' | wc -l)" = 10 ]
}
wait_until 20 lib7 || fail "the card was not imported: $(cat "$T/w.err")"
backup7() {
	[ "$(find "$T/share/backup" -type f | wc -l)" = 10 ]
}
wait_until 20 backup7 || fail "the card was not uploaded: $(cat "$T/w.err")"
sleep 3
kill -TERM $wpid
wait $wpid || true
wpid=""
! grep -q 'inside it' "$T/w.err" || fail "the new library was watched: $(cat "$T/w.err")"
[ "$(sqlite3 "$T/share/photos/.shoebox/catalog.db" "SELECT count(*) FROM runs WHERE sources LIKE '%/photos%' OR duplicates > 1")" = 0 ] ||
	fail "batches: $(sqlite3 "$T/share/photos/.shoebox/catalog.db" "SELECT * FROM runs")"

# Usage: a DIR that is not a directory.
sb watch "$T/config"
expect_rc 2
# A DIR that is the library or inside it, or with --move a dir remote's
# folder: import would refuse every batch, so watch refuses to start.
mkdir -p "$LIB/inbox"
for dir in "$LIB" "$LIB/inbox"; do
	sb watch "$dir"
	expect_rc 2
	grep -q "is the library or inside it, not a source" "$T/err" ||
	    fail "watch $dir: $(cat "$T/err")"
done
sb -c "$T/conf-usb" watch --move "$T/share/backup"
expect_rc 2
grep -q "is a dir remote's folder or inside it, not a source with --move" "$T/err" ||
    fail "watch --move of the backup: $(cat "$T/err")"
exit 0
