#!/bin/sh
# A dir remote and a sync killed (SIGKILL) in the middle of copying a large
# file, twice: on a filesystem with O_TMPFILE (the copy has no name until
# it is whole, so nothing is left), and on one without it and without hard
# links (tests/lib/fatlike.c: a named .shoebox-tmp.* copy, recorded in the
# catalogue and removed by the next sync). Either way the next sync
# finishes the upload and no temporary file remains. Where neither
# RENAME_NOREPLACE nor hard links exist, the upload is refused with a
# clear message instead of renaming over whatever might be there.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v cc >/dev/null || sb_skip "no C compiler for the FAT-like shim"
cc -shared -fPIC -o "$W/fatlike.so" "$TOP/tests/lib/fatlike.c" -ldl ||
    sb_fail "cannot build tests/lib/fatlike.c"
# ASan wants to come first among preloaded libraries; ours need not.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
[remote usb]
type = dir
path = $W/disk
EOF2
db="$LIB/.shoebox/catalog.db"
d=2022/02/02
head -c 200000000 /dev/urandom >"$W/big"
sb_add "$W/big" "$d/VID_0001.MP4"
leftovers() { find "$W/disk" -name '.*' -type f; }

# run_killed PRELOAD: start a sync, SIGKILL it once its copy is under way
run_killed() {
	LD_PRELOAD=$1 "$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress \
	    >"$W/out1" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 600 ]; do
		# a named temporary, or an unnamed one (/proc: "#ino (deleted)")
		[ -n "$(leftovers)" ] && break
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$W/disk/$d/#" && break
		sleep 0.02
		i=$((i + 1))
	done
	[ $i -lt 600 ] || { cat "$W/out1"; sb_fail "the copy never started"; }
	sleep 0.1
	kill -9 $pid
	wait $pid 2>/dev/null
	[ -f "$W/disk/$d/VID_0001.MP4" ] && sb_fail "killed too late: the copy was done"
	return 0
}

for mode in tmpfile fatlike; do
	rm -rf "$W/disk"/*
	sqlite3 "$db" "UPDATE upload_jobs SET status = 'pending'" 2>/dev/null
	preload=
	[ $mode = fatlike ] && preload=$W/fatlike.so
	run_killed "$preload"
	echo "$mode: after the kill:" $(leftovers)
	if [ $mode = fatlike ]; then
		[ -n "$(leftovers)" ] || sb_fail "fatlike: no temporary file (killed before the copy?)"
		[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE tmp_path LIKE '%/.shoebox-tmp.%'")" = 1 ] ||
		    sb_fail "fatlike: the temporary file is not in the catalogue"
	else
		[ -z "$(leftovers)" ] || sb_fail "tmpfile: a named temporary file"
	fi
	LD_PRELOAD=$preload "$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress \
	    >"$W/out2" 2>&1 || { cat "$W/out2"; sb_fail "$mode: the sync after the kill"; }
	[ -z "$(leftovers)" ] || { leftovers; sb_fail "$mode: temporary files left"; }
	cmp "$W/big" "$W/disk/$d/VID_0001.MP4" || sb_fail "$mode: the copy differs"
	[ "$(sqlite3 "$db" "SELECT status, tmp_path IS NULL, claimed_by IS NULL FROM upload_jobs")" = "done|1|1" ] ||
	    sb_fail "$mode: the job is not done, or still holds a temporary name"
done

# no RENAME_NOREPLACE and no hard links: refused, nothing written or left
rm -rf "$W/disk"/*
sqlite3 "$db" "UPDATE upload_jobs SET status = 'pending'"
rc=0
FATLIKE_NORENAME2=1 LD_PRELOAD=$W/fatlike.so "$SHOEBOX" -L "$LIB" -c "$CFG" \
    sync --no-progress >"$W/out3" 2>&1 || rc=$?
cat "$W/out3"
[ $rc = 1 ] || sb_fail "exit $rc where nothing could be renamed safely"
grep -q 'can neither rename without replacing nor make hard links' "$W/out3" ||
    sb_fail "no clear message"
[ -z "$(find "$W/disk" -type f)" ] || sb_fail "something was written"
exit 0
