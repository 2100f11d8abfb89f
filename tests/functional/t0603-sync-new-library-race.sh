#!/bin/sh
# A new library where an import and a sync start at the same moment (the
# catalogue does not exist yet): neither fails with "table ... already
# exists" or "database is locked"; the schema is made once, in one
# transaction, and the other process waits for it. Ten rounds, each with
# a fresh library, then one more sync: every imported file is on the
# remote.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/card/DCIM/100CANON" "$W/disk"
for f in exiv2-nikon-d70.jpg Reagan.jpg FurnaceCreekInn.jpg \
    exiv2-canon-eos-20d.jpg; do
	cp "$TOP/tests/fixtures/$f" "$W/card/DCIM/100CANON/"
done
cat >"$CFG" <<EOF2
[remote usb]
type = dir
path = $W/disk
EOF2

round=0
while [ $round -lt 10 ]; do
	round=$((round + 1))
	LIB=$W/lib$round
	"$SHOEBOX" -L "$LIB" -c "$CFG" import --settle 0 --no-progress "$W/card" \
	    >"$W/imp.out" 2>"$W/imp.err" &
	p1=$!
	"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress \
	    >"$W/sync.out" 2>"$W/sync.err" &
	p2=$!
	"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress \
	    >"$W/sync2.out" 2>"$W/sync2.err" &
	p3=$!
	rc1=0 rc2=0 rc3=0
	wait $p1 || rc1=$?
	wait $p2 || rc2=$?
	wait $p3 || rc3=$?
	cat "$W/imp.err" "$W/sync.err" "$W/sync2.err"
	if grep -Eiq 'already exists|locked|busy' "$W/imp.err" "$W/sync.err" \
	    "$W/sync2.err"; then
		sb_fail "round $round: a catalogue error"
	fi
	[ $rc1 = 0 ] || sb_fail "round $round: import exited $rc1"
	[ $rc2 = 0 ] || sb_fail "round $round: sync exited $rc2"
	[ $rc3 = 0 ] || sb_fail "round $round: second sync exited $rc3"
	n=$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM files")
	[ "$n" -ge 1 ] || sb_fail "round $round: nothing imported"
	"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress >/dev/null 2>"$W/err" ||
	    { cat "$W/err"; sb_fail "round $round: the last sync"; }
	[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM \
	    upload_jobs WHERE status = 'done'")" = "$n" ] ||
	    sb_fail "round $round: not every file uploaded"
done
echo "$round rounds, no catalogue error"
exit 0
