#!/bin/sh
# Four syncs at once, from four processes, on one library with an S3
# remote and a dir remote: each job is claimed by one of them, so every
# file is sent exactly once to each remote (PUTs counted in s3rver's log,
# names appearing on the dir remote counted with inotify, and one
# "uploaded" line per file and remote across the four outputs), and what
# arrived equals the library.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
prefix = backup
multipart_threshold = 6M
part_size = 5M
retry_delay = 0.1

[remote usb]
type = dir
path = $W/disk
EOF2

# 48 small files in four days, and one multipart file
i=0
while [ $i -lt 48 ]; do
	head -c $((2000 + i * 997)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$((i % 4 + 1))/IMG_$((1000 + i)).JPG"
	i=$((i + 1))
done
head -c 13000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID_0001.MP4"
n=49
for d in 2019/07/01 2019/07/02 2019/07/03 2019/07/04 2022/02/02; do
	mkdir -p "$W/disk/$d"
done
python3 "$TOP/tests/functional/name-watch.py" "$W/disk" >"$W/names" &
watch=$!
SB_PIDS="$SB_PIDS $watch"
i=0
until grep -q ready "$W/names" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 100 ] || sb_fail "the inotify watcher did not start"
done

pids=""
for k in 1 2 3 4; do
	sb_sync --json >"$W/out$k.json" 2>"$W/err$k" &
	pids="$pids $!"
done
k=0
for p in $pids; do
	k=$((k + 1))
	wait "$p" || { cat "$W/err$k"; sb_fail "sync $k exited non-zero"; }
done
kill "$watch"
wait "$watch" 2>/dev/null
cat "$W/err1" "$W/err2" "$W/err3" "$W/err4"

# S3: one PUT per object (parts aside), one multipart upload
grep '^PUT ' "$W/s3rver.log" | grep -v 'partNumber=' |
    sed 's/ [0-9]*$//' | sort | uniq -c | sort -rn >"$W/puts"
head -n 3 "$W/puts"
[ "$(wc -l <"$W/puts")" = $((n - 1)) ] || sb_fail "not every small file was PUT"
[ "$(awk '$1 != 1' "$W/puts" | wc -l)" = 0 ] || sb_fail "a file was PUT more than once"
[ "$(grep -c '^POST .*?uploads' "$W/s3rver.log")" = 1 ] ||
    sb_fail "more than one multipart upload was started"
[ "$(grep -c '^POST .*?uploadId=' "$W/s3rver.log")" = 1 ] ||
    sb_fail "more than one multipart upload was completed"
echo "S3 PUTs: $(wc -l <"$W/puts") objects, $(awk '{ s += $1 } END { print s }' "$W/puts") PUTs"

# dir: each name appeared once
sed '/^ready$/d' "$W/names" >"$W/names.n"
head -n 3 "$W/names.n"
[ "$(wc -l <"$W/names.n")" = $n ] || sb_fail "not every file reached the dir remote"
[ "$(awk '$1 != 1' "$W/names.n" | wc -l)" = 0 ] ||
    sb_fail "a file was written more than once to the dir remote"

# the four outputs: one result per file and remote, all "uploaded"
cat "$W"/out?.json | grep -v '"summary"' >"$W/lines"
[ "$(wc -l <"$W/lines")" = $((2 * n)) ] || sb_fail "$(wc -l <"$W/lines") results for $((2 * n)) jobs"
[ "$(grep -c '"status":"uploaded"' "$W/lines")" = $((2 * n)) ] || sb_fail "not all uploaded"

db="$LIB/.shoebox/catalog.db"
# (remote_path NULL: under the file's own path, as the uploads view says)
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE status = 'done'
    AND claimed_by IS NULL AND coalesce(remote_path, (SELECT path FROM files
    WHERE id = file_id)) = (SELECT path FROM files WHERE id = file_id)")" = $((2 * n)) ] ||
    sb_fail "catalogue: jobs not done, or still claimed"
sb_rclone_s3 "$S3_PORT"
sb_check s3:photos/backup
sb_check "$W/disk"
exit 0
