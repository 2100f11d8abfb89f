#!/bin/sh
# shoebox status: the library's files and size, by capture year, kind and
# camera, as text and --json (each line valid JSON, the counts those of the
# files table); each remote's queue (pending, done, failed with the last
# error: the first 20 as text, all in JSON), a remote no longer configured,
# the files that went up under another name, and the last runs. A catalogue
# from before file_counts reads the same (status, find by camera), before
# and after its migration.
. "$TOP/tests/lib/common.sh"

sample_library
DB=$LIB/.shoebox/catalog.db

# hsize N: N bytes as status shows them (12.3 kB: powers of 1000).
hsize() {
	python3 -c 'import sys
v, u = float(sys.argv[1]), 0
while v >= 999.95 and u < 5:
    v /= 1000; u += 1
print(("%.0f %s" if u == 0 else "%.1f %s") % (v, ["B", "kB", "MB", "GB", "TB", "PB"][u]))' "$1"
}

# check_json FILE: every line is JSON; the first, the library, counts what
# the files table holds by year, kind and camera; the last has the runs.
check_json() {
	while IFS= read -r line; do
		printf '%s\n' "$line" | python3 -m json.tool >/dev/null ||
		    fail "status --json: not JSON: $line"
	done <"$1"
	python3 - "$1" "$DB" "$L" <<'PY' || fail "status --json: $(cat "$1")"
import json, sqlite3, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
lib = rows[0]["library"]
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
def groups(sql):
    return {tuple(r[:-2]): (r[-2], r[-1]) for r in db.execute(sql)}
n, size = db.execute("SELECT count(*), sum(size) FROM files").fetchone()
assert lib["path"] == sys.argv[3], lib["path"]
assert (lib["files"], lib["bytes"]) == (n, size), lib
years = groups("SELECT substr(taken, 1, 4), count(*), sum(size) FROM catalog GROUP BY 1")
assert {(y["year"],): (y["files"], y["bytes"]) for y in lib["years"]} == years, lib["years"]
got = [y["year"] for y in lib["years"]]
assert got == sorted(got, key=lambda y: (y is None, y)), got
kinds = groups("SELECT kind, count(*), sum(size) FROM catalog GROUP BY 1")
assert {(k["kind"],): (k["files"], k["bytes"]) for k in lib["kinds"]} == kinds, lib["kinds"]
cams = groups("SELECT make, model, count(*), sum(size) FROM catalog GROUP BY 1, 2")
assert {(c["make"], c["model"]): (c["files"], c["bytes"]) for c in lib["cameras"]} == cams, lib["cameras"]
assert [c["files"] for c in lib["cameras"]] == sorted((c["files"] for c in lib["cameras"]), reverse=True)
remotes = [r for r in rows if "remote" in r]
assert remotes and remotes[0]["remote"] == "usb", rows
assert "runs" in rows[-1], rows[-1]
PY
}

sb status
expect_rc 0
cp "$T/out" "$T/status1"
bytes=$(q "SELECT sum(size) FROM files")
grep -qx "library $L: 11 files, $(hsize $bytes)" "$T/out" || fail "library line: $(cat "$T/out")"
sed -n '/^  by year:$/,/^  by kind:$/p' "$T/out" >"$T/years"
grep -Eq '^    2004 +2 files ' "$T/years" || fail "2004: $(cat "$T/years")"
grep -Eq '^    2003 +1 file ' "$T/years" || fail "2003: $(cat "$T/years")"
[ "$(sed -n 2p "$T/years" | awk '{print $1}')" = 2003 ] || fail "years not oldest first"
sed -n '/^  by kind:$/,/^  by camera:$/p' "$T/out" >"$T/kinds"
grep -Eq '^    image +5 files ' "$T/kinds" || fail "image: $(cat "$T/kinds")"
grep -Eq '^    sidecar +3 files ' "$T/kinds" || fail "sidecar: $(cat "$T/kinds")"
grep -Eq '^    video +2 files ' "$T/kinds" || fail "video: $(cat "$T/kinds")"
sed -n '/^  by camera:$/,/^[a-z]/p' "$T/out" >"$T/cameras"
grep -Eq '^    unknown camera +5 files ' "$T/cameras" || fail "unknown: $(cat "$T/cameras")"
grep -Eq '^    Apple iPhone XR +1 file ' "$T/cameras" || fail "iPhone: $(cat "$T/cameras")"
grep -Eq '^    Canon EOS 20D +1 file ' "$T/cameras" || fail "make said once: $(cat "$T/cameras")"
grep -Eq '^    NIKON D70 +1 file ' "$T/cameras" || fail "NIKON CORPORATION: $(cat "$T/cameras")"
grep -q "^usb: 11 pending ($(hsize $bytes)), 0 done, 0 failed$" "$T/out" || fail "queue: $(cat "$T/out")"
grep -q '^last runs:$' "$T/out" || fail "no runs: $(cat "$T/out")"
sb status --json
expect_rc 0
check_json "$T/out"

# Errors: 30 failed files, 20 listed as text, all in JSON; a remote no
# longer configured; a file renamed on the remote, and one recorded under
# its own name (kept as NULL: not renamed).
# Their capture times are text, as before schema 11: found all the same.
q "INSERT OR IGNORE INTO types (mime, kind) VALUES ('image/jpeg', 'image');
   INSERT INTO files (path, sha256, size, mtime_ns, type_id, taken, date_source, imported_at)
   WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
   SELECT printf('2010/01/%02d/F%d.JPG', i, i), printf('%064d', i), 1000, 0,
   (SELECT id FROM types WHERE mime = 'image/jpeg' AND kind = 'image'),
   printf('2010-01-%02dT10:00:00', i), 'exif', 'x' FROM n;
   INSERT OR IGNORE INTO remotes (name) VALUES ('usb'), ('old');
   INSERT INTO upload_jobs (remote_id, file_id, status, attempts, last_error, queued_at)
   SELECT (SELECT id FROM remotes WHERE name = 'usb'), id, 'failed', 2,
   'PUT 507 Insufficient Storage', 'x' FROM files WHERE path LIKE '2010/%';
   INSERT INTO upload_jobs (remote_id, file_id, queued_at) SELECT
   (SELECT id FROM remotes WHERE name = 'old'), id, 'x' FROM files WHERE path LIKE '2010/01/01/%';
   UPDATE upload_jobs SET status = 'done', remote_path = '2004/03/30/DSC_0100-1.JPG'
   WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb') AND file_id = (SELECT id FROM files WHERE path = '2004/03/30/DSC_0100.JPG');
   UPDATE upload_jobs SET status = 'done', remote_path = '2004/06/21/IMG_0002.JPG'
   WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb') AND file_id = (SELECT id FROM files WHERE path = '2004/06/21/IMG_0002.JPG')" ||
    fail "sqlite3"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_path IS NOT NULL")" = 1 ] ||
    fail "a remote_path equal to the file's path was kept"
sb status
expect_rc 0
grep -qx "library $L: 41 files, $(hsize $((bytes + 30000)))" "$T/out" || fail "after adding: $(cat "$T/out")"
grep -Eq '^    2010 +30 files +30.0 kB$' "$T/out" || fail "2010: $(cat "$T/out")"
grep -q "^usb: 9 pending (.*), 2 done, 30 failed$" "$T/out" || fail "queue: $(cat "$T/out")"
[ "$(grep -c '^  failed .*: PUT 507 Insufficient Storage$' "$T/out")" = 20 ] ||
    fail "20 errors as text: $(cat "$T/out")"
grep -q "^  \.\.\. and 10 more ('shoebox find --remote usb --failed'" "$T/out" ||
    fail "how many more: $(cat "$T/out")"
grep -q "^  renamed 2004/03/30/DSC_0100.JPG -> 2004/03/30/DSC_0100-1.JPG " "$T/out" ||
    fail "renamed: $(cat "$T/out")"
[ "$(grep -c '^  renamed' "$T/out")" = 1 ] || fail "a file under its own name shown as renamed"
grep -q "^old (not configured): 1 pending (1.0 kB), 0 done, 0 failed$" "$T/out" ||
    fail "remote not configured: $(cat "$T/out")"
cp "$T/out" "$T/status2"
sb status --json
expect_rc 0
check_json "$T/out"
python3 - "$T/out" <<'PY' || fail "JSON errors: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
usb = [r for r in rows if r.get("remote") == "usb"][0]
assert len(usb["errors"]) == 30 and usb["failed"] == 30, usb
assert usb["renamed"] == [{"path": "2004/03/30/DSC_0100.JPG", "remote_path": "2004/03/30/DSC_0100-1.JPG"}], usb["renamed"]
old = [r for r in rows if r.get("remote") == "old"][0]
assert old["configured"] is False and old["pending"] == 1, old
PY

# A catalogue from before file_counts (schema 7, remote_path kept for
# every upload): status reads it as it is, and the same after a writer
# migrated it.
# finds: what find --make, --model and --camera list, one file each.
finds() {
	for a in "--make canon" "--make NIKON" "--model eos" "--model 'iphone xr'" \
	    "--camera 'apple iphone'" "--camera 'canon eos 20d'" "--camera nikon" \
	    "--camera 'nikon corporation nikon d70'" "--camera canon --date 2003..2006" \
	    "--make leica"; do
		eval sb find "$a"
		echo "$a:" $(cat "$T/out")
	done >"$1"
}
finds "$T/finds"
grep -q "^--make canon: .*IMG_0004.JPG .*IMG_0001.JPG .*IMG_0003.CR3$" "$T/finds" ||
    fail "find --make: $(cat "$T/finds")"
grep -q "^--camera 'apple iphone': $L/2020/04/17/IMG_3578.HEIC$" "$T/finds" ||
    fail "find --camera: $(cat "$T/finds")"
v=$(q "PRAGMA user_version")
q "SELECT * FROM catalog ORDER BY path" >"$T/view"
q "SELECT * FROM uploads ORDER BY path, remote" >"$T/uploads"
grep -q '|20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z|' "$T/view" ||
    fail "imported_at in the catalog view: $(head -3 "$T/view")"
sb find --json --date 2004
cp "$T/out" "$T/json"
q "SELECT * FROM sources ORDER BY id" >"$T/sources"
[ "$(q "SELECT count(*) FROM files WHERE typeof(taken) = 'integer'")" -ge 5 ] ||
    fail "capture times not integers"
# back from schema 11: type, camera and capture time as text in each row
catalog_to_schema_10
# read as it is (status, find, import --dry-run), then the same after the
# migration (below)
sb status
expect_rc 0
diff -u "$T/status2" "$T/out" || fail "status of a schema 10 catalogue differs"
finds "$T/finds-10"
diff -u "$T/finds" "$T/finds-10" || fail "find in a schema 10 catalogue"
sb find --json --date 2004
diff -u "$T/json" "$T/out" || fail "find --json in a schema 10 catalogue"
sb import --dry-run --no-progress "$card"
expect_rc 0
[ "$(q "PRAGMA user_version")" = 10 ] || fail "a reader migrated the catalogue"
# back from schema 10: the whole source path in each row
q "CREATE TEMP TABLE s AS SELECT * FROM sources;
   DROP VIEW sources; DROP TABLE source_files; DROP TABLE source_dirs;
   CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
   dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL,
   mtime_ns INTEGER NOT NULL, file_id INTEGER REFERENCES files(id),
   status TEXT NOT NULL, ctime_ns INTEGER, seen_at INTEGER);
   INSERT INTO sources SELECT * FROM temp.s;
   CREATE UNIQUE INDEX sources_inode ON sources(dev, ino, size, mtime_ns);
   CREATE INDEX sources_name ON sources(substr(path, -16), size, mtime_ns);
   CREATE INDEX sources_file ON sources(file_id);
   UPDATE files SET verified_at = '2024-05-01T10:00:00Z' WHERE id <= 3;
   UPDATE upload_jobs SET verified_at = '2024-05-01T10:00:00.123456Z' WHERE id <= 2;
   UPDATE upload_jobs SET verified_at = '2024-05-01T10:00:00Z' WHERE id = 3" ||
    fail "downgrade 10"
# back from schema 9: hex digests, text times, the whole-path index
q "DROP VIEW catalog; DROP VIEW uploads;
   CREATE VIEW uploads AS SELECT f.path AS path, j.remote AS remote, j.status AS status,
   CASE WHEN j.status = 'done' THEN coalesce(j.remote_path, f.path) END AS remote_path,
   j.skipped AS already_there, j.done_at AS done_at, j.attempts AS attempts,
   j.last_error AS error FROM upload_jobs j JOIN files f ON f.id = j.file_id;
   CREATE VIEW catalog AS SELECT f.path AS path, f.sha256 AS sha256, f.size AS size,
   f.mime AS mime, f.kind AS kind, f.taken AS taken, f.taken_utc AS taken_utc,
   f.date_source AS date_source, f.make AS make, f.model AS model,
   (SELECT s.path FROM sources s WHERE s.file_id = f.id ORDER BY s.id LIMIT 1) AS source,
   f.imported_at AS imported_at,
   (SELECT m.path FROM files m WHERE m.id = f.main_id) AS sidecar_of FROM files f;
   UPDATE files SET sha256 = lower(hex(sha256)) WHERE typeof(sha256) = 'blob';
   UPDATE files SET taken_utc = strftime('%Y-%m-%dT%H:%M:%SZ', taken_utc, 'unixepoch')
   WHERE typeof(taken_utc) = 'integer';
   UPDATE files SET imported_at = strftime('%Y-%m-%dT%H:%M:%SZ', imported_at, 'unixepoch')
   WHERE typeof(imported_at) = 'integer';
   UPDATE sources SET seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', seen_at, 'unixepoch');
   UPDATE upload_jobs SET queued_at = strftime('%Y-%m-%dT%H:%M:%SZ', queued_at, 'unixepoch')
   WHERE typeof(queued_at) = 'integer';
   UPDATE upload_jobs SET done_at = strftime('%Y-%m-%dT%H:%M:%SZ', done_at, 'unixepoch')
   WHERE typeof(done_at) = 'integer';
   DROP INDEX files_sha; CREATE INDEX files_sha256 ON files(sha256);
   DROP INDEX sources_name; CREATE INDEX sources_path ON sources(path, size, mtime_ns);
   CREATE INDEX upload_jobs_status ON upload_jobs(remote, status)" || fail "downgrade 9"
[ "$(q "SELECT count(*) FROM files WHERE typeof(taken_utc) = 'integer'")" = 0 ] ||
    fail "downgrade 9: taken_utc"
q "DROP TRIGGER files_count_add; DROP TRIGGER files_count_del;
   DROP TRIGGER files_count_upd; DROP TRIGGER upload_jobs_same_name;
   DROP TABLE file_counts; DROP INDEX upload_jobs_renamed; DROP INDEX files_main;
   CREATE INDEX files_main ON files(main_id);
   DROP INDEX files_model; CREATE INDEX files_model ON files(model);
   CREATE INDEX files_camera ON files(make, model);
   UPDATE upload_jobs SET remote_path = (SELECT path FROM files WHERE id = file_id)
   WHERE status = 'done' AND remote_path IS NULL;
   PRAGMA user_version = 7" || fail "downgrade"
sb status
expect_rc 0
diff -u "$T/status2" "$T/out" || fail "status of an old catalogue differs"
[ "$(q "PRAGMA user_version")" = 7 ] || fail "status migrated the catalogue"
finds "$T/finds-old"
diff -u "$T/finds" "$T/finds-old" || fail "find in an old catalogue"
mkdir "$T/empty"
sb import --no-progress "$T/empty"
expect_rc 0
[ "$(q "PRAGMA user_version")" = "$v" ] || fail "not migrated"
[ "$(q "SELECT sum(files) FROM file_counts")" = 41 ] || fail "file_counts not filled"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_path IS NOT NULL")" = 1 ] ||
    fail "upload names equal to the path kept"
sb status
expect_rc 0
sed '/^last runs:$/,$d' "$T/status2" >"$T/want"
sed '/^last runs:$/,$d' "$T/out" | diff -u "$T/want" - || fail "status after migration differs"
finds "$T/finds-new"
diff -u "$T/finds" "$T/finds-new" || fail "find after the migration"
q "SELECT * FROM catalog ORDER BY path" | diff -u "$T/view" - ||
    fail "the catalog view after the migration"
q "SELECT * FROM uploads ORDER BY path, remote" | diff -u "$T/uploads" - ||
    fail "the uploads view after the migration"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE typeof(queued_at) = 'text'")" = 31 ] ||
    fail "queued_at not converted (all but the 31 'x' of this test)"
[ "$(q "SELECT count(*) FROM files WHERE typeof(sha256) != 'blob'")" = 0 ] ||
    fail "digests not converted"
[ "$(q "SELECT count(*) FROM files WHERE typeof(taken) = 'text'")" = 0 ] ||
    fail "capture times not converted"
[ "$(q "SELECT count(*) FROM files WHERE type_id IS NULL")" = 0 ] ||
    fail "types not converted"
[ "$(q "SELECT group_concat(name) FROM (SELECT name FROM remotes ORDER BY name)")" = old,usb ] ||
    fail "remotes not converted"
[ "$(q "SELECT count(*) FROM files WHERE typeof(taken_utc) = 'text'")" = 0 ] ||
    fail "taken_utc not converted"
[ "$(q "SELECT count(*) FROM sources WHERE typeof(seen_at) != 'integer'")" = 0 ] ||
    fail "seen_at not converted"
[ "$(q "SELECT group_concat(v) FROM (SELECT verified_at AS v FROM files
    WHERE verified_at IS NOT NULL ORDER BY id)")" = \
    1714557600,1714557600,1714557600 ] || fail "files.verified_at not converted"
[ "$(q "SELECT group_concat(v) FROM (SELECT verified_at AS v FROM upload_jobs
    WHERE verified_at IS NOT NULL ORDER BY id)")" = \
    1714557600123456,1714557600123456,1714557600000000 ] ||
    fail "upload_jobs.verified_at not converted: $(q "SELECT id, verified_at FROM upload_jobs WHERE verified_at IS NOT NULL")"
q "SELECT * FROM sources ORDER BY id" | diff -u "$T/sources" - ||
    fail "the sources after the migration"
[ "$(q "SELECT count(*) FROM source_dirs")" -lt "$(q "SELECT count(*) FROM source_files")" ] ||
    fail "a folder for each source"
sb find --json --date 2004
expect_rc 0
diff -u "$T/json" "$T/out" || fail "find --json after the migration"
sb find --remote usb --done
expect_rc 0
[ "$(wc -l <"$T/out")" = 2 ] || fail "done uploads: $(cat "$T/out")"
exit 0
