#!/bin/sh
# Migration 11 attacked: a schema 10 catalogue whose capture times are odd
# (offsets +14:00, -12:00, +05:45, -00:30, +17:03, none; fractional
# seconds; years 1800, 1900, 2100, 2999; a leap second, a day that does not
# exist, -00:00, malformed text) is migrated while four imports, a sync and
# a status open it at once; and again killed (SIGKILL) at many points of
# its migration. Every time: a usable catalogue (integrity ok, schema 10 or
# the latest, 12: migrations 11 and 12 in one transaction, never between),
# each capture time back byte for byte through the catalog view, find
# --date finding each by its local day.
. "$TOP/tests/lib/common.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }

sample_library
DB=$LIB/.shoebox/catalog.db
mkdir -p "$T/e1" "$T/e2" "$T/e3" "$T/e4" "$T/usb"
cat >"$T/takens" <<'X'
2014-01-01T00:30:00+14:00
1900-01-01T00:00:00-12:00
2100-12-31T23:59:59+05:45
2004-03-30T23:59:59-00:30
2004-03-30T00:00:00+17:03
2004-03-30T00:00:00+17:04
2004-03-30T10:00:00
1800-01-01T00:00:00
2999-12-31T23:59:59
2004-03-30T10:00:00.5+02:00
2004-03-30T10:00:00.123
2004-03-30T10:00:60
2004-02-30T10:00:00
2004-03-30T10:00:00-00:00
2004-03-30T10:00:00+00:00
2004-03-30T10:00:00Z
2004:03:30 10:00:00
1969-12-31T23:59:59-01:00
1970-01-01T00:00:00
X
downgrade() {
	catalog_to_schema_10
	# more rows than the sample card has files: copies of one
	q "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n
	   WHERE k < 20) INSERT INTO files (path, sha256, size, mtime_ns,
	   date_source, taken_utc, imported_at, mime, kind, make, model)
	   SELECT 'extra/' || k || '.jpg', sha256, size, mtime_ns, date_source,
	   taken_utc, imported_at, mime, kind, make, model FROM files, n
	   WHERE id = 2" || fail "extra rows"
	i=0
	while IFS= read -r t; do
		i=$((i + 1))
		q "UPDATE files SET taken = '$t' WHERE id = $i" || fail "taken $t"
	done <"$T/takens"
}
# check WHAT: the catalogue usable, each capture time back, found by day.
check_takens() {
	[ "$(q "PRAGMA integrity_check")" = ok ] || fail "$1: integrity"
	v=$(q "PRAGMA user_version")
	case $v in 10|12) ;; *) fail "$1: schema $v" ;; esac
	i=0
	while IFS= read -r t; do
		i=$((i + 1))
		if [ "$v" = 10 ]; then
			got=$(q "SELECT taken FROM files WHERE id = $i")
		else
			got=$(q "SELECT c.taken FROM catalog c JOIN files f ON f.path = c.path WHERE f.id = $i")
		fi
		[ "$got" = "$t" ] || fail "$1 (schema $v): taken '$t' came back '$got'"
		[ -z "${2:-}" ] || continue
		day=$(printf '%s' "$t" | cut -c1-10)
		p=$(q "SELECT path FROM files WHERE id = $i")
		case $day in [12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]) ;; *) continue ;; esac
		[ "$day" = 2004-02-30 ] && continue
		y=${day%%-*}
		around=""
		[ "$y" -le 1800 ] || [ "$y" -ge 2999 ] ||
		    around="$((y - 1))..$((y + 1))"
		for r in "$day" "$day..$day" "${day%-*}" "$y" "..$day" "$day.." \
		    $around; do
			sb find --date "$r"
			grep -qxF "$L/$p" "$T/out" ||
			    fail "$1 (schema $v): find --date $r misses $t ($p): $(cat "$T/out" "$T/err")"
		done
		# and not the day before nor after
		[ -n "$around" ] || continue
		for r in "..$((y - 1))" "$((y + 1)).."; do
			sb find --date "$r"
			! grep -qxF "$L/$p" "$T/out" ||
			    fail "$1 (schema $v): find --date $r finds $t ($p)"
		done
	done <"$T/takens"
}
cp "$DB" "$T/v11.db"
downgrade
check_takens "schema 10"
rm -f "$DB-wal" "$DB-shm"
cp "$DB" "$T/v10.db"

# four imports, a sync and a status at once
for e in e1 e2 e3 e4; do
	("$SHOEBOX" import --no-progress "$T/$e" >"$T/$e.out" 2>&1
	    echo $? >"$T/$e.rc") &
done
("$SHOEBOX" sync >"$T/sync.out" 2>&1; echo $? >"$T/sync.rc") &
("$SHOEBOX" status >"$T/status.out" 2>&1; echo $? >"$T/status.rc") &
wait
for f in e1 e2 e3 e4 sync status; do
	echo "$f: exit $(cat "$T/$f.rc"): $(cat "$T/$f.out")"
	[ "$(cat "$T/$f.rc")" -le 1 ] || fail "$f: exit $(cat "$T/$f.rc")"
done
for e in e1 e2 e3 e4; do
	grep -q "^0 files seen" "$T/$e.out" || fail "import $e: $(cat "$T/$e.out")"
done
[ "$(q "PRAGMA user_version")" = 12 ] || fail "not migrated"
check_takens "migrated at once"

# killed while migrating, at several points
for delay in 0 0.01 0.015 0.02 0.025 0.03 0.04 0.06; do
	rm -f "$DB" "$DB-wal" "$DB-shm"
	cp "$T/v10.db" "$DB"
	"$SHOEBOX" import --no-progress "$T/e1" >"$T/k.out" 2>&1 &
	pid=$!
	sleep $delay
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo "killed after $delay s: schema $(q "PRAGMA user_version")"
	check_takens "killed after $delay s" quick
	sb import --no-progress "$T/e1"
	expect_rc 0
	[ "$(q "PRAGMA user_version")" = 12 ] || fail "killed after $delay s: not migrated after"
	check_takens "killed after $delay s, then migrated" quick
done
exit 0
