/*
 * catalog.c: the sqlite catalogue in LIBRARY/.shoebox/catalog.db. Opens it
 * in WAL mode, brings its schema up to date through numbered migrations
 * (PRAGMA user_version), and turns sqlite's errors into shoebox messages.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"
#include "sigv4.h"

/* SQL: UTC text col as seconds since the epoch where that loses nothing. */
#define CAT_SECS(col)							\
	"CASE WHEN " col " = strftime('%Y-%m-%dT%H:%M:%SZ', " col ") THEN"	\
	" CAST(strftime('%s', " col ") AS INTEGER) ELSE " col " END"

/*
 * SQL: the key of file_counts (year, kind, make, model; '' for none) of
 * row r (NEW or OLD) of files since schema 11.
 */
#define CAT_COUNT_KEY(r)						\
	CATALOG_TAKEN_YEAR(r ".taken") ", (SELECT kind FROM types"	\
	" WHERE id = " r ".type_id), coalesce((SELECT make FROM"	\
	" cameras WHERE id = " r ".camera_id), ''), coalesce((SELECT"	\
	" model FROM cameras WHERE id = " r ".camera_id), '')"

/* SQL: runs (4 -> 5): each import run, as run.c records it. */
#define CAT_RUNS \
	"CREATE TABLE runs (" \
	"  id INTEGER PRIMARY KEY," \
	"  command TEXT NOT NULL,"		/* import, watch */ \
	"  started_at TEXT NOT NULL,"		/* ISO 8601 UTC */ \
	"  ended_at TEXT NOT NULL," \
	"  sources TEXT NOT NULL,"		/* JSON array of paths */ \
	"  seen INTEGER NOT NULL," \
	"  imported INTEGER NOT NULL," \
	"  duplicates INTEGER NOT NULL," \
	"  sidecars INTEGER NOT NULL," \
	"  already INTEGER NOT NULL," \
	"  skipped INTEGER NOT NULL," \
	"  waiting INTEGER NOT NULL," \
	"  failed INTEGER NOT NULL," \
	"  warnings INTEGER NOT NULL," \
	"  bytes INTEGER NOT NULL," \
	"  exit_status INTEGER NOT NULL," \
	"  outcome TEXT NOT NULL,"		/* complete, error */ \
	"  error TEXT"				/* what went wrong, or NULL */ \
	");"

/*
 * SQL: the names HEIF photos had before schema 12, aliases of image/heif
 * in shared-mime-info; find --mime matches them as image/heif in a
 * catalogue it reads before a writer moved it on.
 */
#define CAT_HEIF_ALIASES \
	"('image/heic', 'image/heic-sequence', 'image/heif-sequence')"

/* SQL: file_counts (7 -> 8): files and bytes by year, kind, camera. */
#define CAT_FILE_COUNTS \
	"CREATE TABLE file_counts (" \
	"  year TEXT NOT NULL," \
	"  kind TEXT NOT NULL," \
	"  make TEXT NOT NULL," \
	"  model TEXT NOT NULL," \
	"  files INTEGER NOT NULL," \
	"  bytes INTEGER NOT NULL," \
	"  PRIMARY KEY (year, kind, make, model)" \
	") WITHOUT ROWID;"

/* SQL: source_dirs and source_files (9 -> 10). */
#define CAT_SOURCE_TABLES \
	"CREATE TABLE source_dirs (" \
	"  id INTEGER PRIMARY KEY," \
	"  path TEXT NOT NULL UNIQUE"		/* up to its last '/' */ \
	");" \
	"CREATE TABLE source_files (" \
	"  id INTEGER PRIMARY KEY," \
	"  dir_id INTEGER NOT NULL REFERENCES source_dirs(id)," \
	"  name TEXT NOT NULL," \
	"  dev INTEGER NOT NULL," \
	"  ino INTEGER NOT NULL," \
	"  size INTEGER NOT NULL," \
	"  mtime_ns INTEGER NOT NULL," \
	"  ctime_ns INTEGER," \
	"  file_id INTEGER REFERENCES files(id)," \
	"  status TEXT NOT NULL,"		/* imported, duplicate, ... */ \
	"  seen_at INTEGER NOT NULL" \
	");"

/* SQL: their indexes, the sources view, its DELETE (9 -> 10). */
#define CAT_SOURCE_INDEXES \
	"CREATE UNIQUE INDEX sources_inode ON source_files(dev, ino, size," \
	"  mtime_ns);" \
	"CREATE INDEX sources_name ON source_files(dir_id, name);" \
	"CREATE INDEX sources_file ON source_files(file_id);" \
	"CREATE VIEW sources AS SELECT s.id AS id, d.path || s.name AS path," \
	"  s.dev AS dev, s.ino AS ino, s.size AS size, s.mtime_ns AS mtime_ns," \
	"  s.file_id AS file_id, s.status AS status, s.ctime_ns AS ctime_ns," \
	"  s.seen_at AS seen_at" \
	"  FROM source_files s JOIN source_dirs d ON d.id = s.dir_id;" \
	"CREATE TRIGGER sources_delete INSTEAD OF DELETE ON sources BEGIN" \
	"  DELETE FROM source_files WHERE id = OLD.id;" \
	"END;"

/* SQL: types and cameras (10 -> 11). */
#define CAT_TYPES_CAMERAS \
	"CREATE TABLE types (" \
	"  id INTEGER PRIMARY KEY," \
	"  mime TEXT NOT NULL," \
	"  kind TEXT NOT NULL,"		/* image, raw, video, ... */ \
	"  UNIQUE (mime, kind)" \
	");" \
	"CREATE TABLE cameras (" \
	"  id INTEGER PRIMARY KEY," \
	"  make TEXT," \
	"  model TEXT" \
	");" \
	"CREATE UNIQUE INDEX cameras_name ON cameras(coalesce(make, '')," \
	"  coalesce(model, ''));"

/* SQL: files' indexes and triggers, the catalog view (10 -> 11). */
#define CAT_FILES_V11 \
	"CREATE INDEX files_taken ON files(taken);" \
	"CREATE INDEX files_camera ON files(camera_id, path);" \
	"CREATE INDEX files_type ON files(type_id);" \
	"CREATE TRIGGER files_count_add AFTER INSERT ON files BEGIN" \
	"  INSERT INTO file_counts VALUES (" CAT_COUNT_KEY("NEW") ", 1," \
	"  NEW.size) ON CONFLICT DO UPDATE SET files = files + 1," \
	"  bytes = bytes + excluded.bytes;" \
	"END;" \
	"CREATE TRIGGER files_count_del AFTER DELETE ON files BEGIN" \
	"  UPDATE file_counts SET files = files - 1, bytes = bytes - OLD.size" \
	"  WHERE (year, kind, make, model) = (" CAT_COUNT_KEY("OLD") ");" \
	"  DELETE FROM file_counts WHERE files <= 0;" \
	"END;" \
	"CREATE TRIGGER files_count_upd AFTER UPDATE OF taken, type_id," \
	"  camera_id, size ON files BEGIN" \
	"  UPDATE file_counts SET files = files - 1, bytes = bytes - OLD.size" \
	"  WHERE (year, kind, make, model) = (" CAT_COUNT_KEY("OLD") ");" \
	"  DELETE FROM file_counts WHERE files <= 0;" \
	"  INSERT INTO file_counts VALUES (" CAT_COUNT_KEY("NEW") ", 1," \
	"  NEW.size) ON CONFLICT DO UPDATE SET files = files + 1," \
	"  bytes = bytes + excluded.bytes;" \
	"END;" \
	"CREATE VIEW catalog AS SELECT" \
	"  f.path AS path, " CATALOG_SHA_HEX("f.sha256") " AS sha256," \
	"  f.size AS size, t.mime AS mime, t.kind AS kind," \
	"  " CATALOG_TAKEN_TEXT("f.taken") " AS taken," \
	"  " CATALOG_UTC_TEXT("f.taken_utc") " AS taken_utc," \
	"  f.date_source AS date_source, c.make AS make, c.model AS model," \
	"  (SELECT s.path FROM sources s WHERE s.file_id = f.id" \
	"   ORDER BY s.id LIMIT 1) AS source," \
	"  " CATALOG_UTC_TEXT("f.imported_at") " AS imported_at," \
	"  (SELECT m.path FROM files m WHERE m.id = f.main_id) AS sidecar_of" \
	"  FROM files f LEFT JOIN types t ON t.id = f.type_id" \
	"  LEFT JOIN cameras c ON c.id = f.camera_id;"

/* SQL: remotes (10 -> 11). */
#define CAT_REMOTES \
	"CREATE TABLE remotes (" \
	"  id INTEGER PRIMARY KEY," \
	"  name TEXT NOT NULL UNIQUE" \
	");"

/* SQL: upload_jobs' columns and key (10 -> 11). */
#define CAT_JOB_COLUMNS \
	"  id INTEGER PRIMARY KEY," \
	"  remote_id INTEGER NOT NULL REFERENCES remotes(id)," \
	"  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE," \
	"  status TEXT NOT NULL DEFAULT 'pending',"	/* done, failed */ \
	"  attempts INTEGER NOT NULL DEFAULT 0," \
	"  last_error TEXT," \
	"  skipped INTEGER NOT NULL DEFAULT 0," \
	"  upload_id TEXT," \
	"  part_size INTEGER," \
	"  claimed_by TEXT," \
	"  lease_until INTEGER," \
	"  remote_path TEXT," \
	"  tmp_path TEXT," \
	"  verify_status TEXT," \
	"  queued_at INTEGER," \
	"  done_at INTEGER," \
	"  verified_at INTEGER," \
	"  UNIQUE (remote_id, file_id)"

/* SQL: upload_parts (10 -> 11). */
#define CAT_UPLOAD_PARTS \
	"CREATE TABLE upload_parts (" \
	"  job_id INTEGER NOT NULL REFERENCES upload_jobs(id)" \
	"    ON DELETE CASCADE," \
	"  part INTEGER NOT NULL," \
	"  etag TEXT NOT NULL," \
	"  PRIMARY KEY (job_id, part)" \
	");"

/* SQL: upload_jobs' trigger and indexes, uploads (10 -> 11). */
#define CAT_UPLOADS_V11 \
	"CREATE TRIGGER upload_jobs_same_name AFTER UPDATE OF remote_path ON" \
	"  upload_jobs WHEN NEW.status = 'done' AND NEW.remote_path =" \
	"  (SELECT f.path FROM files f WHERE f.id = NEW.file_id) BEGIN" \
	"  UPDATE upload_jobs SET remote_path = NULL WHERE id = NEW.id;" \
	"END;" \
	"CREATE INDEX upload_jobs_renamed ON upload_jobs(remote_id)" \
	"  WHERE remote_path IS NOT NULL;" \
	"CREATE INDEX upload_jobs_verified ON upload_jobs(remote_id, status," \
	"  verified_at);" \
	"CREATE VIEW uploads AS SELECT" \
	"  f.path AS path, r.name AS remote, j.status AS status," \
	"  CASE WHEN j.status = 'done' THEN coalesce(j.remote_path, f.path)" \
	"  END AS remote_path," \
	"  j.skipped AS already_there, " CATALOG_UTC_TEXT("j.done_at") \
	"  AS done_at, j.attempts AS attempts, j.last_error AS error" \
	"  FROM upload_jobs j JOIN files f ON f.id = j.file_id" \
	"  JOIN remotes r ON r.id = j.remote_id;"

/*
 * Migrations: entry i takes the schema from version i to i + 1. Append
 * only; never edit one that has shipped. The `catalog` view is the stable,
 * documented interface (shoebox(1), CATALOGUE).
 */
static const char *const migrations[] = {
	/* 0 -> 1: files, the sources they came from, the public view. */
	"CREATE TABLE files ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"		/* relative to the library */
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  mime TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  taken TEXT,"				/* wall clock [+offset] */
	"  taken_utc TEXT,"
	"  date_source TEXT NOT NULL,"
	"  make TEXT,"
	"  model TEXT,"
	"  main_id INTEGER REFERENCES files(id),"	/* sidecars */
	"  imported_at TEXT NOT NULL"
	");"
	"CREATE INDEX files_sha256 ON files(sha256);"
	"CREATE INDEX files_main ON files(main_id);"
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  dev INTEGER NOT NULL,"
	"  ino INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  file_id INTEGER REFERENCES files(id),"
	"  status TEXT NOT NULL,"		/* imported, duplicate, sidecar */
	"  seen_at TEXT NOT NULL"
	");"
	"CREATE UNIQUE INDEX sources_inode ON sources(dev, ino, size, mtime_ns);"
	"CREATE INDEX sources_path ON sources(path, size, mtime_ns);"
	"CREATE INDEX sources_file ON sources(file_id);"
	"CREATE VIEW catalog AS SELECT"
	"  f.path AS path, f.sha256 AS sha256, f.size AS size, f.mime AS mime,"
	"  f.kind AS kind, f.taken AS taken, f.taken_utc AS taken_utc,"
	"  f.date_source AS date_source, f.make AS make, f.model AS model,"
	"  (SELECT s.path FROM sources s WHERE s.file_id = f.id"
	"   ORDER BY s.id LIMIT 1) AS source,"
	"  f.imported_at AS imported_at,"
	"  (SELECT m.path FROM files m WHERE m.id = f.main_id) AS sidecar_of"
	"  FROM files f;",

	/*
	 * 1 -> 2: the upload queue (queue.c): one job per file and remote,
	 * and the S3 multipart upload in progress for a job, so that a sync
	 * killed halfway resumes instead of starting again.
	 */
	"CREATE TABLE upload_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  remote TEXT NOT NULL,"
	"  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
	"  status TEXT NOT NULL DEFAULT 'pending',"	/* pending, done, failed */
	"  attempts INTEGER NOT NULL DEFAULT 0,"	/* syncs that tried it */
	"  last_error TEXT,"
	"  skipped INTEGER NOT NULL DEFAULT 0,"		/* was already there */
	"  queued_at TEXT NOT NULL,"
	"  done_at TEXT,"
	"  upload_id TEXT,"				/* S3 multipart */
	"  part_size INTEGER,"
	"  UNIQUE (remote, file_id)"
	");"
	"CREATE INDEX upload_jobs_status ON upload_jobs(remote, status);"
	"CREATE TABLE upload_parts ("
	"  job_id INTEGER NOT NULL REFERENCES upload_jobs(id) ON DELETE CASCADE,"
	"  part INTEGER NOT NULL,"
	"  etag TEXT NOT NULL,"
	"  PRIMARY KEY (job_id, part)"
	");",

	/*
	 * 2 -> 3: a source's ctime, so that a new file which reuses a removed
	 * file's inode, size and mtime (cp -p from FAT) is not taken for it.
	 * NULL in rows from before: those match on the rest, as they did.
	 */
	"ALTER TABLE sources ADD COLUMN ctime_ns INTEGER;",

	/*
	 * 3 -> 4: safe uploads (queue.c, remote.c). A job is claimed by one
	 * sync at a time (claimed_by, a lease renewed while it runs); where
	 * the file went on the remote (remote_path: NAME-1.EXT when another
	 * file held the name); a temporary file a killed upload may have
	 * left there (tmp_path), removed by the next sync. The view
	 * `uploads` is the documented way to read it (shoebox(1)).
	 */
	"ALTER TABLE upload_jobs ADD COLUMN claimed_by TEXT;"
	"ALTER TABLE upload_jobs ADD COLUMN lease_until INTEGER;"
	"ALTER TABLE upload_jobs ADD COLUMN remote_path TEXT;"
	"ALTER TABLE upload_jobs ADD COLUMN tmp_path TEXT;"
	"CREATE VIEW uploads AS SELECT"
	"  f.path AS path, j.remote AS remote, j.status AS status,"
	"  CASE WHEN j.status = 'done' THEN coalesce(j.remote_path, f.path)"
	"  END AS remote_path,"
	"  j.skipped AS already_there, j.done_at AS done_at,"
	"  j.attempts AS attempts, j.last_error AS error"
	"  FROM upload_jobs j JOIN files f ON f.id = j.file_id;",

	/*
	 * 4 -> 5: each import run, by hand or unattended (card, ingest,
	 * watch), as run.c records it: what it was given, what became of the
	 * files, how it ended. shoebox status shows the last ones.
	 */
	CAT_RUNS,

	/*
	 * 5 -> 6: shoebox find and verify. Indexes for find's filters on
	 * the capture day, the camera and the kind (a million rows answered
	 * without reading them all), and each file's last verification:
	 * when (UTC) and what it found (ok, missing, changed, unreadable),
	 * so that verify --sample takes the files checked longest ago first.
	 */
	"CREATE INDEX files_taken ON files(taken);"
	"CREATE INDEX files_camera ON files(make, model);"
	"CREATE INDEX files_model ON files(model);"
	"CREATE INDEX files_kind ON files(kind);"
	"ALTER TABLE files ADD COLUMN verified_at TEXT;"
	"ALTER TABLE files ADD COLUMN verify_status TEXT;"
	"CREATE INDEX files_verified ON files(verified_at);",

	/*
	 * 6 -> 7: shoebox verify --remote. Each upload's last check of the
	 * copy on its remote: when (UTC) and what it found (ok, missing,
	 * changed, unverified, unreadable), so that a regular run takes the
	 * copies checked longest ago first on each remote.
	 */
	"ALTER TABLE upload_jobs ADD COLUMN verified_at TEXT;"
	"ALTER TABLE upload_jobs ADD COLUMN verify_status TEXT;"
	"CREATE INDEX upload_jobs_verified ON upload_jobs(remote, status,"
	" verified_at);",

	/*
	 * 7 -> 8: a catalogue of a million files (shoebox(1), CATALOGUE).
	 * file_counts: files and bytes by capture year ('' unknown), kind
	 * and camera ('' none), kept by triggers as files change, so that
	 * status answers from a few hundred rows instead of reading every
	 * file. A done upload's remote_path is kept only where it differs
	 * from the file's path (NULL: the same name; the uploads view says
	 * so), and the few that differ have an index of their own. One not
	 * done keeps the name it is going to: an S3 multipart upload resumes
	 * only under the name recorded (queue_target). Only sidecars
	 * have a main file: files_main holds only them. A source is still
	 * looked up by path where inode numbers do not last (sources_path,
	 * whole paths): an index of its size and mtime alone is a fifth of
	 * the bytes, but a card of same-sized files (thumbnails, or a
	 * camera's fixed-size frames) with one mtime made each new file's
	 * lookup read all the others. files_model (model, make, path) replaces files_camera
	 * (make, model) and files_model (model): find --make, --model and
	 * --camera list a camera's files from it alone, tens of thousands in
	 * a few hundredths of a second, not tenths. No ANALYZE:
	 * with statistics sqlite reads every file for find --model (a camera
	 * is 5% of a million rows) instead of seeking its index.
	 */
	CAT_FILE_COUNTS
	"INSERT INTO file_counts SELECT coalesce(substr(taken, 1, 4), ''),"
	"  kind, coalesce(make, ''), coalesce(model, ''), count(*), sum(size)"
	"  FROM files GROUP BY 1, 2, 3, 4;"
	"CREATE TRIGGER files_count_add AFTER INSERT ON files BEGIN"
	"  INSERT INTO file_counts VALUES (coalesce(substr(NEW.taken, 1, 4),"
	"  ''), NEW.kind, coalesce(NEW.make, ''), coalesce(NEW.model, ''), 1,"
	"  NEW.size) ON CONFLICT DO UPDATE SET files = files + 1,"
	"  bytes = bytes + excluded.bytes;"
	"END;"
	"CREATE TRIGGER files_count_del AFTER DELETE ON files BEGIN"
	"  UPDATE file_counts SET files = files - 1, bytes = bytes - OLD.size"
	"  WHERE year = coalesce(substr(OLD.taken, 1, 4), '') AND"
	"  kind = OLD.kind AND make = coalesce(OLD.make, '') AND"
	"  model = coalesce(OLD.model, '');"
	"  DELETE FROM file_counts WHERE files <= 0;"
	"END;"
	"CREATE TRIGGER files_count_upd AFTER UPDATE OF taken, kind, make,"
	"  model, size ON files BEGIN"
	"  UPDATE file_counts SET files = files - 1, bytes = bytes - OLD.size"
	"  WHERE year = coalesce(substr(OLD.taken, 1, 4), '') AND"
	"  kind = OLD.kind AND make = coalesce(OLD.make, '') AND"
	"  model = coalesce(OLD.model, '');"
	"  DELETE FROM file_counts WHERE files <= 0;"
	"  INSERT INTO file_counts VALUES (coalesce(substr(NEW.taken, 1, 4),"
	"  ''), NEW.kind, coalesce(NEW.make, ''), coalesce(NEW.model, ''), 1,"
	"  NEW.size) ON CONFLICT DO UPDATE SET files = files + 1,"
	"  bytes = bytes + excluded.bytes;"
	"END;"
	"UPDATE upload_jobs SET remote_path = NULL WHERE status = 'done' AND"
	"  remote_path = (SELECT f.path FROM files f WHERE f.id = file_id);"
	"CREATE TRIGGER upload_jobs_same_name AFTER UPDATE OF remote_path ON"
	"  upload_jobs WHEN NEW.status = 'done' AND NEW.remote_path ="
	"  (SELECT f.path FROM files f WHERE f.id = NEW.file_id) BEGIN"
	"  UPDATE upload_jobs SET remote_path = NULL WHERE id = NEW.id;"
	"END;"
	"CREATE INDEX upload_jobs_renamed ON upload_jobs(remote)"
	"  WHERE remote_path IS NOT NULL;"
	"DROP INDEX files_main;"
	"CREATE INDEX files_main ON files(main_id) WHERE main_id IS NOT NULL;"
	"DROP INDEX files_model;"
	"DROP INDEX files_camera;"
	"CREATE INDEX files_model ON files(model, make, path);",

	/*
	 * 8 -> 9: a smaller catalogue (README, Catalogue schema). A SHA-256
	 * is its 32 bytes (sb_unhex, the C function catalog_migrate gives
	 * this step; a value that is not a lowercase hex digest stays as it
	 * was), looked up by its first 8 (files_sha, a sixth of the index of
	 * the whole hex), the row then compared whole. taken_utc,
	 * imported_at, a source's seen_at and an upload's queued_at and
	 * done_at are seconds since the epoch where that keeps the text
	 * exactly: new INTEGER columns, as a TEXT one would turn a number
	 * back into text. A source is looked up by the end of its path with
	 * its size and mtime (sources_name), the row then compared on the
	 * whole path, which was indexed as a second copy of the longest
	 * value in the catalogue. upload_jobs_status (remote, status) is the
	 * start of upload_jobs_verified and goes. The views give the same
	 * text as before (CATALOG_SHA_HEX, CATALOG_UTC_TEXT).
	 */
	"UPDATE files SET sha256 = sb_unhex(sha256) WHERE typeof(sha256) ="
	"  'text';"
	"DROP INDEX files_sha256;"
	"CREATE INDEX files_sha ON files(substr(sha256, 1, 8));"
	"DROP VIEW catalog;"
	"DROP VIEW uploads;"
	"ALTER TABLE files ADD COLUMN taken_s INTEGER;"
	"ALTER TABLE files ADD COLUMN imported_s INTEGER;"
	"UPDATE files SET taken_s = " CAT_SECS("taken_utc") ","
	"  imported_s = " CAT_SECS("imported_at") ";"
	"ALTER TABLE files DROP COLUMN taken_utc;"
	"ALTER TABLE files DROP COLUMN imported_at;"
	"ALTER TABLE files RENAME COLUMN taken_s TO taken_utc;"
	"ALTER TABLE files RENAME COLUMN imported_s TO imported_at;"
	"ALTER TABLE sources ADD COLUMN seen_s INTEGER;"
	"UPDATE sources SET seen_s = " CAT_SECS("seen_at") ";"
	"ALTER TABLE sources DROP COLUMN seen_at;"
	"ALTER TABLE sources RENAME COLUMN seen_s TO seen_at;"
	"ALTER TABLE upload_jobs ADD COLUMN queued_s INTEGER;"
	"ALTER TABLE upload_jobs ADD COLUMN done_s INTEGER;"
	"UPDATE upload_jobs SET queued_s = " CAT_SECS("queued_at") ","
	"  done_s = " CAT_SECS("done_at") ";"
	"ALTER TABLE upload_jobs DROP COLUMN queued_at;"
	"ALTER TABLE upload_jobs DROP COLUMN done_at;"
	"ALTER TABLE upload_jobs RENAME COLUMN queued_s TO queued_at;"
	"ALTER TABLE upload_jobs RENAME COLUMN done_s TO done_at;"
	"CREATE VIEW uploads AS SELECT"
	"  f.path AS path, j.remote AS remote, j.status AS status,"
	"  CASE WHEN j.status = 'done' THEN coalesce(j.remote_path, f.path)"
	"  END AS remote_path,"
	"  j.skipped AS already_there, " CATALOG_UTC_TEXT("j.done_at")
	"  AS done_at, j.attempts AS attempts, j.last_error AS error"
	"  FROM upload_jobs j JOIN files f ON f.id = j.file_id;"
	"DROP INDEX sources_path;"
	"CREATE INDEX sources_name ON sources(substr(path, -16), size,"
	"  mtime_ns);"
	"DROP INDEX upload_jobs_status;"
	"CREATE VIEW catalog AS SELECT"
	"  f.path AS path, " CATALOG_SHA_HEX("f.sha256") " AS sha256,"
	"  f.size AS size, f.mime AS mime, f.kind AS kind, f.taken AS taken,"
	"  " CATALOG_UTC_TEXT("f.taken_utc") " AS taken_utc,"
	"  f.date_source AS date_source, f.make AS make, f.model AS model,"
	"  (SELECT s.path FROM sources s WHERE s.file_id = f.id"
	"   ORDER BY s.id LIMIT 1) AS source,"
	"  " CATALOG_UTC_TEXT("f.imported_at") " AS imported_at,"
	"  (SELECT m.path FROM files m WHERE m.id = f.main_id) AS sidecar_of"
	"  FROM files f;",

	/*
	 * 9 -> 10: a source's folder once (source_dirs: a card has a few,
	 * the path up to and with its last '/') and in each source's row
	 * (source_files) its number and the name in it, not the whole path
	 * (sb_dir and sb_name, the C functions catalog_migrate gives this
	 * step). sources_name (dir_id, name) finds a source by its path
	 * where inode numbers do not last; the rows it leads to, a few at
	 * most, are then compared on size, mtime and ctime. `sources` is
	 * now a view of the same columns as the table was, the path whole
	 * again, for the catalog view, find --source and sqlite3 users.
	 * The last verify of a file (verified_at) is seconds since the
	 * epoch, and of an upload microseconds (verify --remote tells its
	 * own checks from a run's a moment before by them), where that
	 * keeps the text exactly.
	 */
	CAT_SOURCE_TABLES
	"INSERT OR IGNORE INTO source_dirs (path) SELECT sb_dir(path)"
	"  FROM sources ORDER BY id;"
	"INSERT INTO source_files SELECT s.id, d.id, sb_name(s.path), s.dev,"
	"  s.ino, s.size, s.mtime_ns, s.ctime_ns, s.file_id, s.status,"
	"  s.seen_at FROM sources s JOIN source_dirs d ON d.path ="
	"  sb_dir(s.path) ORDER BY s.id;"
	"DROP TABLE sources;"
	CAT_SOURCE_INDEXES
	"DROP INDEX files_verified;"
	"ALTER TABLE files ADD COLUMN verified_s INTEGER;"
	"UPDATE files SET verified_s = " CAT_SECS("verified_at")
	"  WHERE verified_at IS NOT NULL;"
	"ALTER TABLE files DROP COLUMN verified_at;"
	"ALTER TABLE files RENAME COLUMN verified_s TO verified_at;"
	"CREATE INDEX files_verified ON files(verified_at);"
	"DROP INDEX upload_jobs_verified;"
	"ALTER TABLE upload_jobs ADD COLUMN verified_us INTEGER;"
	"UPDATE upload_jobs SET verified_us = CASE WHEN verified_at GLOB"
	"  '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:"
	"[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime("
	"  '%Y-%m-%dT%H:%M:%S', substr(verified_at, 1, 19)) = substr("
	"  verified_at, 1, 19) THEN CAST(strftime('%s', substr(verified_at,"
	"  1, 19)) AS INTEGER) * 1000000 + CAST(substr(verified_at, 21, 6)"
	"  AS INTEGER) WHEN verified_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
	"  verified_at) THEN CAST(strftime('%s', verified_at) AS INTEGER) *"
	"  1000000 ELSE verified_at END WHERE verified_at IS NOT NULL;"
	"ALTER TABLE upload_jobs DROP COLUMN verified_at;"
	"ALTER TABLE upload_jobs RENAME COLUMN verified_us TO verified_at;"
	"CREATE INDEX upload_jobs_verified ON upload_jobs(remote, status,"
	"  verified_at);",

	/*
	 * 10 -> 11: what files repeat, once. A file's MIME type and kind
	 * are a row of `types`, its camera a row of `cameras` (make and
	 * model, NULL for none; a file with neither has no camera), and the
	 * file keeps their numbers (type_id, camera_id): a library has a
	 * few dozen of each. files_camera (camera_id, path) lists a camera's
	 * files from the index alone, as files_model (model, make, path)
	 * did at twice the size; files_type finds a kind or a type. A
	 * capture time (taken) is an integer where that gives its text back
	 * (sb_taken, the C function catalog_migrate gives this step;
	 * CATALOG_TAKEN_TEXT): the wall clock's seconds as if it were UTC,
	 * times 2048, and its offset, so that files_taken finds a local day
	 * between two integers. The column has no type: with INTEGER, sqlite
	 * would turn a year's text ('2004', a bound of find --date) into a
	 * number before comparing. file_counts keeps its text, the views
	 * give the same text as before. An upload job keeps its remote's
	 * number (remotes: one row a remote) instead of its name, in the
	 * row and in its two indexes; the table is made anew for it (the
	 * name was in its UNIQUE constraint), its S3 parts kept.
	 */
	CAT_TYPES_CAMERAS
	"INSERT OR IGNORE INTO types (mime, kind) SELECT mime, kind FROM files"
	"  ORDER BY id;"
	"INSERT OR IGNORE INTO cameras (make, model) SELECT make, model FROM"
	"  files WHERE make IS NOT NULL OR model IS NOT NULL ORDER BY id;"
	"DROP VIEW catalog;"
	"DROP TRIGGER files_count_add;"
	"DROP TRIGGER files_count_del;"
	"DROP TRIGGER files_count_upd;"
	"DROP INDEX files_taken;"
	"DROP INDEX files_model;"
	"DROP INDEX files_kind;"
	"ALTER TABLE files ADD COLUMN type_id INTEGER REFERENCES types(id);"
	"ALTER TABLE files ADD COLUMN camera_id INTEGER REFERENCES"
	"  cameras(id);"
	"ALTER TABLE files ADD COLUMN taken_k;"	/* no type: see above */
	"UPDATE files SET type_id = (SELECT t.id FROM types t WHERE t.mime ="
	"  files.mime AND t.kind = files.kind), camera_id = (SELECT c.id FROM"
	"  cameras c WHERE coalesce(c.make, '') = coalesce(files.make, '') AND"
	"  coalesce(c.model, '') = coalesce(files.model, '') AND (files.make"
	"  IS NOT NULL OR files.model IS NOT NULL)), taken_k = sb_taken(taken);"
	"ALTER TABLE files DROP COLUMN mime;"
	"ALTER TABLE files DROP COLUMN kind;"
	"ALTER TABLE files DROP COLUMN make;"
	"ALTER TABLE files DROP COLUMN model;"
	"ALTER TABLE files DROP COLUMN taken;"
	"ALTER TABLE files RENAME COLUMN taken_k TO taken;"
	CAT_FILES_V11
	CAT_REMOTES
	"INSERT OR IGNORE INTO remotes (name) SELECT remote FROM upload_jobs"
	"  ORDER BY id;"
	"CREATE TABLE jobs ("
	CAT_JOB_COLUMNS
	");"
	"INSERT INTO jobs SELECT j.id, r.id, j.file_id, j.status, j.attempts,"
	"  j.last_error, j.skipped, j.upload_id, j.part_size, j.claimed_by,"
	"  j.lease_until, j.remote_path, j.tmp_path, j.verify_status,"
	"  j.queued_at, j.done_at, j.verified_at FROM upload_jobs j JOIN"
	"  remotes r ON r.name = j.remote ORDER BY j.id;"
	"CREATE TEMP TABLE parts AS SELECT * FROM upload_parts;"
	"DROP VIEW uploads;"
	"DROP TABLE upload_parts;"
	"DROP TABLE upload_jobs;"
	"ALTER TABLE jobs RENAME TO upload_jobs;"
	CAT_UPLOAD_PARTS
	"INSERT INTO upload_parts SELECT * FROM temp.parts;"
	"DROP TABLE temp.parts;"
	CAT_UPLOADS_V11,

	/*
	 * 11 -> 12: HEIF photos and sequences under shared-mime-info's
	 * name, image/heif, not its aliases image/heic, image/heic-sequence
	 * and image/heif-sequence (ExifTool's and libmagic's names, which
	 * shoebox gave until then): their files take image/heif's type of
	 * the same kind, the alias types go.
	 */
	"INSERT OR IGNORE INTO types (mime, kind) SELECT 'image/heif', kind"
	"  FROM types WHERE mime IN " CAT_HEIF_ALIASES " ORDER BY id;"
	"UPDATE files SET type_id = (SELECT h.id FROM types h, types a WHERE"
	"  a.id = files.type_id AND h.mime = 'image/heif' AND h.kind = a.kind)"
	"  WHERE type_id IN (SELECT id FROM types WHERE mime IN "
	CAT_HEIF_ALIASES ");"
	"DELETE FROM types WHERE mime IN " CAT_HEIF_ALIASES ";",
};

#define NMIGRATIONS	(int)(sizeof migrations / sizeof migrations[0])

/*
 * A new catalogue is made at the latest schema in one step: the same
 * tables, columns in the same order, indexes, views and triggers as the
 * migrations above leave (test-catalog compares the two), without their
 * dozens of ALTERs, each of which had sqlite parse the whole schema again
 * (four hundredths of a second, a tenth of a first import of a card).
 * A migration appended changes it too: test-catalog fails until it does.
 */
static const char schema_now[] =
	"CREATE TABLE files ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"		/* relative to the library */
	"  sha256 TEXT NOT NULL,"		/* its 32 bytes (schema 9) */
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  date_source TEXT NOT NULL,"
	"  main_id INTEGER REFERENCES files(id),"	/* sidecars */
	"  verify_status TEXT,"
	"  taken_utc INTEGER,"
	"  imported_at INTEGER,"
	"  verified_at INTEGER,"
	"  type_id INTEGER REFERENCES types(id),"
	"  camera_id INTEGER REFERENCES cameras(id),"
	"  taken"				/* no type: see 10 -> 11 */
	");"
	CAT_RUNS
	CAT_FILE_COUNTS
	"CREATE INDEX files_main ON files(main_id) WHERE main_id IS NOT NULL;"
	"CREATE INDEX files_sha ON files(substr(sha256, 1, 8));"
	CAT_SOURCE_TABLES
	CAT_SOURCE_INDEXES
	"CREATE INDEX files_verified ON files(verified_at);"
	CAT_TYPES_CAMERAS
	CAT_FILES_V11
	CAT_REMOTES
	"CREATE TABLE upload_jobs ("
	CAT_JOB_COLUMNS
	");"
	CAT_UPLOAD_PARTS
	CAT_UPLOADS_V11;

/* Tests: a new catalogue made through every migration instead. */
int	catalog_stepwise;

/*
 * After an error: if sqlite found the catalogue's file damaged (a page
 * that does not parse, or no database at all), say once what that means
 * and what to do, and mark it, so that the commands that write to it
 * (import, adopt) stop before their next file.
 */
static int
catalog_damage_code(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Why a catalogue is no longer written to (cat->stopped). */
static const char cat_damaged[] = "the catalogue is damaged";
static const char cat_readonly[] = "the catalogue is read-only";
static const char cat_changed[] = "the catalogue changed while it was read";

/*
 * Has the catalogue's file changed since cat opened it immutable (a dry
 * run's read, which takes no lock)? Then another shoebox wrote to it
 * meanwhile, and what sqlite read torn is no sign of damage. 1 or 0.
 */
static int
catalog_changed(const struct catalog *cat)
{
	struct stat	sb;

	return cat->immutable && stat(cat->path, &sb) == 0 &&
	    (sb.st_size != cat->read_sb.st_size ||
	    sb.st_mtim.tv_sec != cat->read_sb.st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != cat->read_sb.st_mtim.tv_nsec);
}

static void
catalog_damage(struct catalog *cat, int rc)
{
	if (cat->damaged)
		return;
	if (catalog_damage_code(rc) && catalog_changed(cat)) {
		cat->damaged = 1;
		cat->stopped = cat_changed;
		log_warnx("catalogue %s changed while it was read (another "
		    "shoebox wrote to it meanwhile); it is not damaged: run "
		    "this again", cat->path);
		return;
	}
	if ((rc & 0xff) == SQLITE_READONLY) {
		/* Every write would fail the same: stop as for damage. */
		cat->damaged = 1;
		cat->stopped = cat_readonly;
		log_warnx("catalogue %s cannot be written to (its file or "
		    "folder made read-only: permissions, chattr +i, a "
		    "read-only mount?); nothing more is done that needs it, "
		    "and the library's files are not touched", cat->path);
		return;
	}
	if (!catalog_damage_code(rc))
		return;
	cat->damaged = 1;
	cat->stopped = cat_damaged;
	log_warnx("catalogue %s is damaged: nothing more is written to it; "
	    "the library's files are not touched. Move it aside and "
	    "catalogue the library again with 'shoebox adopt' (see \"A "
	    "damaged catalogue\" in shoebox(1))", cat->path);
}

/* Why the catalogue is no longer written to (cat->damaged). */
const char *
catalog_stopped(const struct catalog *cat)
{
	return cat->stopped != NULL ? cat->stopped : cat_damaged;
}

/*
 * sqlite says "disk I/O error" where a write found no room (the -shm or
 * -wal grown on a full disk): " (its disk is full)" then, else "".
 */
static const char *
catalog_full_note(const struct catalog *cat, int rc)
{
	struct statvfs	vfs;
	char		*dir;
	int		 full;

	if ((rc & 0xff) != SQLITE_IOERR)
		return "";
	xasprintf(&dir, "%s/.shoebox", cat->library);
	full = statvfs(dir, &vfs) == 0 && (vfs.f_bavail == 0 ||
	    (vfs.f_files > 0 && vfs.f_favail == 0));
	free(dir);
	return full ? " (its disk is full: make room there)" : "";
}

/* Report sqlite's last error with context; returns -1. */
int
catalog_error(struct catalog *cat, const char *what)
{
	log_warnx("catalogue %s: %s: %s%s", cat->path, what,
	    sqlite3_errmsg(cat->db), catalog_full_note(cat,
	    sqlite3_extended_errcode(cat->db)));
	catalog_damage(cat, sqlite3_errcode(cat->db));
	return -1;
}

/*
 * Check the catalogue's file (PRAGMA quick_check: every page and row
 * read, the indexes' order and NOT NULL checked, without matching each
 * index to its table): problem is called with each of the first 20
 * problems found. Returns how many, or -1 if the check could not run.
 */
int
catalog_check(struct catalog *cat, void (*problem)(void *, const char *),
    void *arg)
{
	sqlite3_stmt	*st;
	const char	*t;
	char		*line;
	size_t		 len;
	int		 rc, n = 0;

	if (sqlite3_prepare_v2(cat->db, "PRAGMA quick_check(20)", -1, &st,
	    NULL) != SQLITE_OK) {
		if (catalog_damage_code(sqlite3_errcode(cat->db))) {
			cat->damaged = 1;
			problem(arg, sqlite3_errmsg(cat->db));
			return 1;
		}
		return catalog_error(cat, "checking it");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		if (t == NULL || strcmp(t, "ok") == 0)
			continue;
		/* A row may be several lines, under a "*** in database" one. */
		for (; *t != '\0'; t += len + (t[len] == '\n')) {
			len = strcspn(t, "\n");
			if (len == 0 || strncmp(t, "*** ", 4) == 0)
				continue;
			xasprintf(&line, "%.*s", (int)len, t);
			problem(arg, line);
			free(line);
			n++;
		}
	}
	if (rc != SQLITE_DONE) {
		n++;
		problem(arg, sqlite3_errmsg(cat->db));
	}
	sqlite3_finalize(st);
	if (n > 0)
		cat->damaged = 1;
	return n;
}

/*
 * A wait for another writer has lasted ms: false once it passed busy_ms;
 * said once it has lasted 3 s, so that a wait is never silent.
 */
static int
catalog_wait_more(struct catalog *cat, long long ms)
{
	if (ms >= cat->busy_ms)
		return 0;
	if (!cat->busy_said && ms >= 3000) {
		log_info("catalogue %s: waiting for another program that is "
		    "writing to it (up to %d s)", cat->path,
		    cat->busy_ms / 1000);
		cat->busy_said = 1;
	}
	return 1;
}

/*
 * sqlite's busy handler: another process writes to the catalogue. Wait
 * (a little longer each try, up to 50 ms) for at most busy_ms in all
 * (catalog_wait_more). 1 to try again, 0 to give up (SQLITE_BUSY).
 */
static int
catalog_busy(void *arg, int tries)
{
	struct catalog	*cat = arg;
	struct timespec	 ts = { 0, 0 };

	if (tries == 0)
		cat->busy_start = mono_ms();
	if (!catalog_wait_more(cat, mono_ms() - cat->busy_start))
		return 0;
	ts.tv_nsec = (tries < 5 ? 1 + tries * 5 : 50) * 1000000L;
	nanosleep(&ts, NULL);
	return 1;
}

/*
 * Run SQL that takes a lock, retrying while the database is busy, for as
 * long in all as the busy timeout (a minute): sqlite returns SQLITE_BUSY
 * at once, without calling the busy handler, where waiting could deadlock,
 * as when a new catalogue's journal mode is set while another process
 * creates its schema; elsewhere each try waits that long itself. 0, or -1
 * after saying why.
 */
static int
catalog_exec_wait(struct catalog *cat, const char *sql)
{
	struct timespec	 ts = { 0, 20 * 1000000L };
	long long	 start = mono_ms();
	int		 rc;

	for (;;) {
		rc = sqlite3_exec(cat->db, sql, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		if (!catalog_wait_more(cat, mono_ms() - start))
			break;
		nanosleep(&ts, NULL);
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		log_warnx("catalogue %s: another program has held it locked "
		    "for %lld s; try again once it is done (fuser -v names "
		    "it)", cat->path, (mono_ms() - start) / 1000);
		return -1;
	}
	if (rc != SQLITE_OK)
		return catalog_error(cat, sql);
	return 0;
}

/* Run SQL with no results; 0 or -1 after saying why. */
int
catalog_exec(struct catalog *cat, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(cat->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("catalogue %s: %s%s", cat->path, err ? err : "error",
		    catalog_full_note(cat, sqlite3_extended_errcode(cat->db)));
		sqlite3_free(err);
		catalog_damage(cat, sqlite3_errcode(cat->db));
		return -1;
	}
	return 0;
}

/*
 * For a command that goes through the catalogue by key, a row or a page at
 * a time (sync, verify --remote): a 512 KiB page cache instead of sqlite's
 * 2 MB, so that its memory stays flat as the catalogue grows. 0 or -1.
 */
int
catalog_cache_small(struct catalog *cat)
{
	return catalog_exec(cat, "PRAGMA cache_size = -512");
}

/* Prepare a statement; NULL after saying why. */
sqlite3_stmt *
catalog_prepare(struct catalog *cat, const char *sql)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v3(cat->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		catalog_error(cat, "prepare");
		return NULL;
	}
	return st;
}

static int
catalog_version(struct catalog *cat)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(cat->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The value of hex digit c, or -1 (lowercase only: hex() round trips). */
static int
catalog_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digest hex (64 lowercase digits) into md[32]; 0, or -1 if not one. */
static int
catalog_unhex(const char *hex, size_t len, unsigned char *md)
{
	size_t	i;
	int	hi, lo;

	if (hex == NULL || len != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		if ((hi = catalog_hexval(hex[2 * i])) == -1 ||
		    (lo = catalog_hexval(hex[2 * i + 1])) == -1)
			return -1;
		md[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * sb_unhex(x), for migration 9: a lowercase hex SHA-256 as its 32 bytes;
 * anything else as it is.
 */
static void
catalog_sql_unhex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char	 md[32];
	const char	*hex;

	(void)argc;
	hex = (const char *)sqlite3_value_text(argv[0]);
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
	    catalog_unhex(hex, (size_t)sqlite3_value_bytes(argv[0]), md) == 0)
		sqlite3_result_blob(ctx, md, sizeof md, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/* Where path's name begins: after its last '/' (0 if none). */
static int
catalog_name_at(const char *path, int len)
{
	int	i;

	for (i = len; i > 0; i--)
		if (path[i - 1] == '/')
			return i;
	return 0;
}

/*
 * sb_dir(path) and sb_name(path), for migration 10: path up to and with
 * its last '/' ("" if none), and what follows.
 */
static void
catalog_sql_split(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*path;
	int		 len, at;

	(void)argc;
	if ((path = (const char *)sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	len = sqlite3_value_bytes(argv[0]);
	at = catalog_name_at(path, len);
	if (sqlite3_user_data(ctx) == NULL)
		sqlite3_result_text(ctx, path, at, SQLITE_TRANSIENT);
	else
		sqlite3_result_text(ctx, path + at, len - at, SQLITE_TRANSIENT);
}

/*
 * The integer a capture time is kept as since schema 11 (CATALOG_TAKEN_TEXT)
 * from its text, as date_format writes it: YYYY-MM-DDTHH:MM:SS, then +HH:MM
 * or -HH:MM where the offset is known. 0 and *key, or -1 where the integer
 * would not give the same text back (the text is then kept as it is).
 */
static int
catalog_taken_key(const char *s, size_t len, int64_t *key)
{
	int	y, mo, d, h, mi, sec, oh, om, off, code = 0;

	if (s == NULL || (len != 19 && len != 25) || s[4] != '-' ||
	    s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return -1;
	y = date_digits(s, 4);
	mo = date_digits(s + 5, 2);
	d = date_digits(s + 8, 2);
	h = date_digits(s + 11, 2);
	mi = date_digits(s + 14, 2);
	sec = date_digits(s + 17, 2);
	if (!date_valid(y, mo, d, h, mi, sec) || sec > 59)
		return -1;
	if (len == 25) {
		if ((s[19] != '+' && s[19] != '-') || s[22] != ':' ||
		    (oh = date_digits(s + 20, 2)) == -1 ||
		    (om = date_digits(s + 23, 2)) == -1 || om > 59)
			return -1;
		off = oh * 60 + om;
		/* -00:00 would come back as +00:00 */
		if (off > 1023 || (off == 0 && s[19] == '-'))
			return -1;
		code = 1024 + (s[19] == '-' ? -off : off);
	}
	*key = ((date_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 2048) + code;
	return 0;
}

/*
 * sb_taken(x), for migration 11: a capture time's text as its integer
 * (catalog_taken_key); anything else as it is.
 */
static void
catalog_sql_taken(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t	key;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && catalog_taken_key(
	    (const char *)sqlite3_value_text(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), &key) == 0)
		sqlite3_result_int64(ctx, key);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/*
 * After migrations 9 to 11 rewrote an existing catalogue's rows smaller, give
 * the space back (the file does not shrink by itself): VACUUM, outside the
 * migration's transaction, all or nothing as sqlite does it. Where it
 * cannot (another process reading, no room for the copy) the catalogue is
 * left as it is, whole and current, and a later VACUUM can do it.
 */
static void
catalog_compact(struct catalog *cat)
{
	char	*err = NULL;

	log_info("catalogue %s: converted to schema %d; compacting it, once",
	    cat->path, NMIGRATIONS);
	if (sqlite3_exec(cat->db, "VACUUM", NULL, NULL, &err) != SQLITE_OK) {
		log_info("catalogue %s: not compacted (%s); it works as it is",
		    cat->path, err ? err : "error");
		sqlite3_free(err);
	}
}

/*
 * Is the catalogue another program's database: schema 0 (no shoebox
 * schema ever written), yet tables in it? 1 or 0 (damage is found later).
 */
static int
catalog_foreign(struct catalog *cat)
{
	sqlite3_stmt	*st;
	int		 n = 0;

	if (sqlite3_prepare_v2(cat->db, "SELECT count(*) FROM sqlite_master"
	    " WHERE (SELECT user_version FROM pragma_user_version) = 0", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n > 0;
}

/*
 * Does the library hold anything but dot-files (its .shoebox) and a new
 * filesystem's lost+found (a catalogue found empty there was emptied, not
 * just made: nothing is filed before the catalogue has its schema)? 1 or
 * 0.
 */
static int
catalog_library_used(const char *library)
{
	struct dirent	*e;
	DIR		*d;
	int		 used = 0;

	if ((d = opendir(library)) == NULL)
		return 0;
	while (!used && (e = readdir(d)) != NULL)	/* a fresh disk's too */
		used = e->d_name[0] != '.' &&
		    strcmp(e->d_name, "lost+found") != 0;
	closedir(d);
	return used;
}

/*
 * Is the catalogue at path still empty (0 bytes) after a second? One that
 * another shoebox is making right now (the first adopt of a tree already
 * there, or a sync or import started beside it) is empty only until
 * sqlite writes its header, a moment after creating it: it was taken for
 * a catalogue emptied or lost, and the run refused. 1 or 0.
 */
static int
catalog_still_empty(const char *path)
{
	struct timespec	ts = { 0, 50 * 1000 * 1000 };
	struct stat	sb;
	int		i;

	for (i = 0; i < 20; i++) {
		nanosleep(&ts, NULL);
		if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_size != 0)
			return 0;
	}
	return 1;
}

/*
 * Apply every migration the file has not seen, all in one write
 * transaction taken before the version is read: two processes opening a
 * new library at once cannot both create its tables, and the second finds
 * the schema complete (it waits, with the busy timeout, for the first).
 */
static int
catalog_migrate(struct catalog *cat)
{
	char	 sql[64];
	int	 v, from = -1;

	if (sqlite3_create_function(cat->db, "sb_unhex", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, catalog_sql_unhex, NULL, NULL) !=
	    SQLITE_OK)
		return catalog_error(cat, "sb_unhex");
	if (sqlite3_create_function(cat->db, "sb_taken", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, catalog_sql_taken, NULL, NULL) !=
	    SQLITE_OK)
		return catalog_error(cat, "sb_taken");
	if (sqlite3_create_function(cat->db, "sb_dir", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, catalog_sql_split, NULL, NULL) !=
	    SQLITE_OK || sqlite3_create_function(cat->db, "sb_name", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, cat, catalog_sql_split, NULL,
	    NULL) != SQLITE_OK)
		return catalog_error(cat, "sb_dir");
	if (catalog_exec_wait(cat, "BEGIN IMMEDIATE") == -1)
		return -1;
	if ((v = catalog_version(cat)) == -1) {
		catalog_error(cat, "reading schema version");
		goto fail;
	}
	if (v > NMIGRATIONS) {
		log_warnx("catalogue %s: schema version %d is newer than this "
		    "shoebox knows (%d); upgrade shoebox", cat->path, v,
		    NMIGRATIONS);
		goto fail;
	}
	cat->version = NMIGRATIONS;
	if (v == NMIGRATIONS) {
		catalog_exec(cat, "ROLLBACK");
		return 0;
	}
	if ((from = v) == 0 && !catalog_stepwise) {
		if (catalog_exec(cat, schema_now) == -1)
			goto fail;
		v = NMIGRATIONS;
	}
	for (; v < NMIGRATIONS; v++)
		if (catalog_exec(cat, migrations[v]) == -1)
			goto fail;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", NMIGRATIONS);
	if (catalog_exec(cat, sql) == -1 || catalog_exec(cat, "COMMIT") == -1)
		goto fail;
	if (from > 0 && from < 11)
		catalog_compact(cat);
	return 0;
fail:
	/*
	 * sqlite has already rolled back where the disk filled (SQLITE_FULL):
	 * a ROLLBACK then only adds "no transaction is active".
	 */
	if (!sqlite3_get_autocommit(cat->db))
		catalog_exec(cat, "ROLLBACK");
	if (from > 0)
		log_warnx("catalogue %s: not converted from schema %d to %d; "
		    "it is left as it was", cat->path, from, NMIGRATIONS);
	return -1;
}

/*
 * The URI sqlite opens, for catalog_open's mode. Read only (1) with no
 * write-ahead log present, it is opened immutable, so that reading leaves
 * no -wal or -shm file behind: a dry run writes nothing at all. Immutable
 * means no lock either: an import or sync that starts writing meanwhile
 * and checkpoints is read torn (catalog_changed: not called damage, then).
 * With CATALOG_READ (find, status, restore --to's copy), it is opened so
 * only where no shoebox can write to it: its folder (dir) on a read-only
 * mount, or one this user cannot write to (where sqlite could not make
 * the -shm file anyway); or a catalogue of another user's, or one made
 * read-only (chmod a-w): a reader cannot checkpoint, so the -wal and -shm
 * it makes stay, this user's, with the catalogue's mode, and the owner's
 * next import (once it is writable again) could not write them ("attempt
 * to write a readonly database"; root's are given to the owner by
 * sqlite; t0852). Before, find and status beside an import failed with
 * "database disk image is malformed", and restore --to copied a catalogue
 * whose rows disagreed, or called the library's own damaged (t0851).
 */
static char *
catalog_uri(const char *path, const char *dir, int mode, int *immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	struct statvfs	 vfs;
	struct stat	 sb;
	char		*wal, *uri, *o;
	const char	*p;
	int		 readonly = mode == 1 || mode == CATALOG_READ;

	*immutable = 0;
	if (readonly) {
		xasprintf(&wal, "%s-wal", path);
		*immutable = access(wal, F_OK) == -1 && (mode == 1 ||
		    (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) ||
		    access(dir, W_OK) == -1 || (stat(path, &sb) == 0 &&
		    ((geteuid() != 0 && sb.st_uid != geteuid()) ||
		    !(sb.st_mode & S_IWUSR))));
		free(wal);
	}
	uri = xmalloc(strlen(path) * 3 + 32);
	o = uri + sprintf(uri, "file:");
	for (p = path; *p != '\0'; p++) {
		unsigned char	c = (unsigned char)*p;

		if (c == '?' || c == '#' || c == '%' || c <= 0x20 || c >= 0x7f) {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else
			*o++ = (char)c;
	}
	strcpy(o, *immutable ? "?immutable=1" : readonly ? "?mode=ro" : "");
	return uri;
}

/*
 * A catalogue before schema 11, read before its migration (status, find,
 * a dry run), keeps each upload job's remote by name: temporary views
 * (this connection's only, nothing written) give the names and numbers the
 * queries since ask for, a name as its own number, remotes from a few
 * seeks of the (remote, file_id) index. 0 or -1.
 */
static int
catalog_old_remotes(struct catalog *cat)
{
	if (cat->version >= 11 || !catalog_has_table(cat, "upload_jobs"))
		return 0;
	return catalog_exec(cat, "CREATE TEMP VIEW upload_jobs AS SELECT *,"
	    " remote AS remote_id FROM main.upload_jobs;"
	    "CREATE TEMP VIEW remotes AS WITH RECURSIVE r(v) AS (SELECT"
	    " min(remote) FROM main.upload_jobs UNION ALL SELECT (SELECT"
	    " min(remote) FROM main.upload_jobs WHERE remote > r.v) FROM r"
	    " WHERE r.v IS NOT NULL) SELECT v AS id, v AS name FROM r WHERE"
	    " v IS NOT NULL");
}

/*
 * The library's .shoebox and its catalogue must be what they seem: a
 * folder and a file, not symbolic links. The library's owner could
 * otherwise point them anywhere, and a shoebox run by root would write
 * its lock, temporary copies or catalogue there (over /etc/shadow, or
 * into another program's database). 0, or -1 after saying why.
 */
static int
catalog_no_links(const char *dir, const char *path)
{
	static const char *const side[] = { "", "-wal", "-shm", "-journal" };
	struct stat	sb;
	char		file[PATH_MAX];
	size_t		i;

	if (library_dir_check(dir) == -1)
		return -1;
	/* The catalogue, then sqlite's files beside it. */
	for (i = 0; i < sizeof side / sizeof side[0]; i++) {
		if ((size_t)snprintf(file, sizeof file, "%s%s", path,
		    side[i]) >= sizeof file)
			continue;
		if (lstat(file, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			log_warnx("catalogue %s: %s; refusing to use it "
			    "(shoebox follows no link inside a library's "
			    ".shoebox)", file, S_ISLNK(sb.st_mode) ?
			    "is a symbolic link" : "is not a regular file");
			return -1;
		}
	}
	return 0;
}

/*
 * Is the catalogue's file, or sqlite's beside it, a hard link that another
 * name shares: a copy of the library made with cp -al, or a snapshot tool
 * that links unchanged files (rsnapshot)? sqlite writes its pages in
 * place, so every write would change the other copy's catalogue too (a
 * backup made to list files it does not hold), and each name keeps its
 * own -wal: one's log checkpointed over the other's pages damages it.
 * 1 after saying so, or 0.
 */
static int
catalog_hard_linked(const char *path)
{
	static const char *const side[] = { "", "-wal", "-shm" };
	struct stat	sb;
	char		file[PATH_MAX];
	const char	*name;
	size_t		i;

	for (i = 0; i < sizeof side / sizeof side[0]; i++) {
		if ((size_t)snprintf(file, sizeof file, "%s%s", path,
		    side[i]) >= sizeof file)
			continue;
		name = (name = strrchr(file, '/')) != NULL ? name + 1 : file;
		if (lstat(file, &sb) == -1 || sb.st_nlink <= 1)
			continue;
		log_warnx("catalogue %s: %lu hard links share its file (a copy "
		    "of the library made with cp -al, or by a snapshot tool): "
		    "writing it would change the other copy too, so nothing is "
		    "written. Give it a file of its own (in its folder, with "
		    "no shoebox running): cp -p %s %s.own && mv %s.own %s",
		    file, (unsigned long)sb.st_nlink, name, name, name, name);
		return 1;
	}
	return 0;
}

/* Is library's catalogue file there? 1, or 0 with errno saying why not. */
int
catalog_exists(const char *library)
{
	char	*db;
	int	 there, e;

	xasprintf(&db, "%s/.shoebox/catalog.db", library);
	there = access(db, F_OK) == 0;
	e = errno;
	free(db);
	errno = e;
	return there;
}

/*
 * Is there a catalogue in library, for command who that must not create
 * one (a library it would find empty)? 0, or -1 after saying why.
 */
int
catalog_present(const char *library, const char *who)
{
	if (catalog_exists(library))
		return 0;
	log_warn("%s: %s/.shoebox/catalog.db", who, library);
	return -1;
}

/*
 * Is making a new library (a catalogue) at library refused? With
 * SHOEBOX_NEW_LIBRARY=no (the units' shoebox-run sets it) a library whose
 * catalogue is not there is not made: its disk is most likely not mounted,
 * and one made beneath the empty mount point would fill the system's disk
 * and hide what --move filed once the disk is back. 1 after saying so.
 */
int
catalog_new_refused(const char *library)
{
	const char	*v = getenv("SHOEBOX_NEW_LIBRARY");

	if (v == NULL || (strcmp(v, "no") != 0 && strcmp(v, "0") != 0) ||
	    catalog_exists(library) || errno != ENOENT)
		return 0;
	log_warnx("library %s: no catalogue there (is its disk mounted?); "
	    "with SHOEBOX_NEW_LIBRARY=no, as the units run shoebox, no new "
	    "library is made: run 'shoebox import' by hand once to start it",
	    library);
	return 1;
}

/* The last catalogue this process failed to open was damaged (exit 1). */
int	catalog_open_damaged;

/* The library whose catalogue this process last failed to open. */
static char	*open_failed;

/*
 * Open (creating if need be) the catalogue of library. With mode 1 (read
 * only, nothing written: a dry run) or CATALOG_READ (read only, and read
 * whole beside a writer), a missing catalogue is an error and nothing is
 * created; with 0, a new one is made unless catalog_new_refused; with
 * CATALOG_NEW, anyway. NULL after saying why.
 */
struct catalog *
catalog_open(const char *library, int mode)
{
	static int	 netfs_said;	/* the note, once a run */
	struct catalog	*cat;
	struct statfs	 fs;
	struct statvfs	 vfs;
	struct stat	 sb;
	char		*dir, *uri, *rl, *real = NULL;
	const char	*v;
	int		 flags, busy;
	int		 readonly = mode == 1 || mode == CATALOG_READ;

	if (mode == 0 && catalog_new_refused(library))
		return NULL;
	cat = xcalloc(1, sizeof *cat);
	cat->library = xstrdup(library);
	xasprintf(&dir, "%s/.shoebox", library);
	xasprintf(&cat->path, "%s/catalog.db", dir);
	if (!readonly) {
		if (mkdir(library, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", library);
			goto fail;
		}
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", dir);
			goto fail;
		}
	}
	if (!readonly && statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		/* sqlite would say only "unable to open database file". */
		log_warnx("library %s: %s (mounted read-only, or remounted so "
		    "after disk errors: see dmesg); its catalogue is written "
		    "to: check the disk and mount it writable", library,
		    strerror(EROFS));
		goto fail;
	}
	if ((rl = realpath(library, NULL)) != NULL) {
		xasprintf(&real, "%s/.shoebox/catalog.db", rl);
		free(rl);
	}
	if (catalog_no_links(dir, cat->path) == -1 ||
	    (!readonly && catalog_hard_linked(cat->path)))
		goto fail;
	/*
	 * An empty catalogue (0 bytes: truncated, or its only writes in a
	 * -wal since deleted) in a library that holds files: sqlite would take
	 * it for a new database and a new schema would hide the loss.
	 */
	if (stat(cat->path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size == 0 && catalog_library_used(library) &&
	    catalog_still_empty(cat->path)) {
		log_warnx("catalogue %s is empty (0 bytes) though the library "
		    "holds files: it was emptied or lost; nothing is written "
		    "to it. Move it aside and catalogue the library again with "
		    "'shoebox adopt', or bring it back from a backup (see \"A "
		    "damaged catalogue\" in shoebox(1))", cat->path);
		cat->damaged = 1;
		goto fail;
	}
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/*
	 * sqlite opens the file by the library's real path, refusing a link
	 * anywhere in it (SQLITE_OPEN_NOFOLLOW): should one be put at
	 * .shoebox or catalog.db after the check above, another program's
	 * database is still never migrated and written to.
	 */
	uri = catalog_uri(real != NULL ? real : cat->path, dir, mode,
	    &cat->immutable);
	if (cat->immutable && stat(cat->path, &cat->read_sb) == -1)
		cat->immutable = 0;	/* gone: sqlite says so below */
	if (sqlite3_open_v2(uri, &cat->db, flags | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		free(uri);
		if (cat->db != NULL)
			log_warnx("catalogue %s: %s", cat->path,
			    sqlite3_errmsg(cat->db));
		else
			log_warnx("catalogue %s: cannot open", cat->path);
		goto fail;
	}
	free(uri);
	/* How long to wait for another process's write (a test's knob). */
	busy = (v = getenv("SHOEBOX_BUSY_TIMEOUT")) != NULL ? atoi(v) : 0;
	cat->busy_ms = busy > 0 ? busy : 60000;
	sqlite3_busy_handler(cat->db, catalog_busy, cat);
	sqlite3_extended_result_codes(cat->db, 1);
	if (statfs(dir, &fs) == 0 && catalog_netfs_type((long)fs.f_type)) {
		/*
		 * WAL's index lives in shared memory that only one machine
		 * sees: on a network share two machines could each commit
		 * over the other. A rollback journal relies on file locks,
		 * which NFS and SMB carry between machines.
		 */
		cat->netfs = 1;
		if (!readonly && !netfs_said++)
			log_info("library %s is on a network filesystem: the "
			    "catalogue uses a rollback journal instead of "
			    "WAL (slower; safe while the share's file locks "
			    "work)", library);
	}
	/* Before WAL mode, which writes its header: another's database. */
	if (!readonly && catalog_foreign(cat)) {
		log_warnx("catalogue %s: not a shoebox catalogue (another "
		    "program's database: it holds tables of its own); nothing "
		    "is written to it", cat->path);
		cat->damaged = 1;
		goto fail;
	}
	if (!readonly && catalog_exec_wait(cat, cat->netfs ?
	    "PRAGMA journal_mode = DELETE" : "PRAGMA journal_mode = WAL") == -1)
		goto fail;
	if (catalog_exec(cat, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON") == -1)
		goto fail;
	if (!readonly && catalog_migrate(cat) == -1)
		goto fail;
	if (readonly && (cat->version = catalog_version(cat)) < 1) {
		log_warnx("catalogue %s: not a shoebox catalogue", cat->path);
		cat->damaged = 1;
		goto fail;
	}
	if (readonly && cat->version > NMIGRATIONS) {
		log_warnx("catalogue %s: schema version %d is newer than this "
		    "shoebox knows (%d); upgrade shoebox", cat->path,
		    cat->version, NMIGRATIONS);
		goto fail;
	}
	if (readonly && catalog_old_remotes(cat) == -1)
		goto fail;
	if (catalog_open_failed(library)) {	/* it opens again */
		free(open_failed);
		open_failed = NULL;
	}
	free(dir);
	free(real);
	return cat;
fail:
	/* Damaged: not one that only cannot be written to (exit 2). */
	catalog_open_damaged = cat->damaged && cat->stopped != cat_readonly;
	free(open_failed);
	open_failed = xstrdup(library);
	free(dir);
	free(real);
	catalog_close(cat);
	return NULL;
}

/*
 * Did this process fail to open the catalogue of library (said then)? The
 * run's record (run.c) does not try again to say the same twice.
 */
int
catalog_open_failed(const char *library)
{
	return open_failed != NULL && strcmp(open_failed, library) == 0;
}

void
catalog_close(struct catalog *cat)
{
	int	i;

	if (cat == NULL)
		return;
	for (i = 0; i < CAT_NSTMT; i++)
		sqlite3_finalize(cat->st[i]);
	if (cat->db != NULL)
		sqlite3_close_v2(cat->db);
	free(cat->library);
	free(cat->path);
	free(cat);
}

int
catalog_begin(struct catalog *cat)
{
	return catalog_exec_wait(cat, "BEGIN IMMEDIATE");
}

int
catalog_commit(struct catalog *cat)
{
	return catalog_exec(cat, "COMMIT");
}

int
catalog_rollback(struct catalog *cat)
{
	return catalog_exec(cat, "ROLLBACK");
}

/* Bind text, or NULL for an empty string. */
void
catalog_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL || *s == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Now as ISO 8601 UTC, for imported_at and the like. */
void
catalog_now(char *buf, size_t size)
{
	struct sb_time	t;

	memset(&t, 0, sizeof t);
	t.has_utc = 1;
	t.utc = (int64_t)time(NULL);
	date_format_utc(&t, buf, size);
}

/*
 * A timestamp in nanoseconds, as the catalogue keeps mtimes and ctimes.
 * 64 bits of them span 1677-09-21 to 2262-04-11; a file's time beyond
 * (ext4 keeps them up to 2446, tmpfs any) is held as the nearest end.
 */
int64_t
catalog_ns(const struct timespec *ts)
{
	/* as int64_t: a 32-bit time_t (glibc before 2.34) warns otherwise */
	int64_t	s = ts->tv_sec;

	if (s >= INT64_MAX / 1000000000)
		return INT64_MAX;
	if (s <= INT64_MIN / 1000000000)
		return INT64_MIN;
	return s * 1000000000 + ts->tv_nsec;
}

/*
 * The whole path or digest is compared with a "+": as a plain column = ?1
 * sqlite would put ?1 in the other term's place, which then no longer
 * matches the expression index (sources_name, files_sha), and read every
 * row instead.
 */
static const char *const catalog_sql[CAT_NSTMT] = {
	[CAT_SEEN_INODE] = "SELECT s.status, coalesce(s.file_id, 0), f.path,"
	    " f.sha256, f.size, f.mtime_ns FROM sources s LEFT JOIN files f"
	    " ON f.id = s.file_id WHERE s.dev = ?1 AND s.ino = ?2 AND"
	    " s.size = ?3 AND s.mtime_ns = ?4 AND (s.ctime_ns IS NULL OR"
	    " s.ctime_ns = ?5)",
	[CAT_SEEN_PATH] = "SELECT s.status, coalesce(s.file_id, 0), f.path,"
	    " f.sha256, f.size, f.mtime_ns FROM source_files s LEFT JOIN"
	    " files f ON f.id = s.file_id WHERE s.dir_id = (SELECT id FROM"
	    " source_dirs WHERE path = ?5) AND s.name = ?6 AND s.size = ?2"
	    " AND s.mtime_ns = ?3 AND (s.ctime_ns IS NULL OR s.ctime_ns ="
	    " ?4) LIMIT 1",
	[CAT_SEEN_DIR] = "SELECT s.name, s.dev, s.ino, s.size, s.mtime_ns,"
	    " s.ctime_ns, s.status, coalesce(s.file_id, 0), f.path, f.sha256,"
	    " f.size, f.mtime_ns FROM source_files s LEFT JOIN files f ON"
	    " f.id = s.file_id WHERE s.dir_id = (SELECT id FROM source_dirs"
	    " WHERE path = ?1) AND s.name >= ?2 ORDER BY s.name, s.id",
	[CAT_LATE_MAIN] = "SELECT s.name, f.id, f.path, f.sha256, f.size,"
	    " f.mtime_ns FROM source_files s JOIN files f ON f.id = s.file_id"
	    " WHERE s.dir_id = (SELECT id FROM source_dirs WHERE path = ?1)"
	    " AND s.name >= ?2 AND s.name < ?3 AND f.main_id IS NULL"
	    " ORDER BY s.name, s.id DESC",
	[CAT_FIND_SHA] = "SELECT id, path, sha256, size, mtime_ns FROM files"
	    " WHERE substr(sha256, 1, 8) = substr(?1, 1, 8) AND +sha256 = ?1"
	    " AND size = ?2 AND (?3 = 0 OR main_id = ?3) ORDER BY id LIMIT 1",
	[CAT_FILE_BY_ID] = "SELECT id, path, sha256, size, mtime_ns FROM files"
	    " WHERE id = ?1",
	/* A sidecar with no date (its main not read again) takes the main's. */
	[CAT_ADD_FILE] = "INSERT INTO files (path, sha256, size, mtime_ns,"
	    " type_id, taken, taken_utc, date_source, camera_id, main_id,"
	    " imported_at) VALUES (?1, ?2, ?3, ?4, (SELECT id FROM types WHERE"
	    " mime = ?5 AND kind = ?6), coalesce(?7, (SELECT taken FROM files"
	    " WHERE id = ?12)), coalesce(?8, (SELECT taken_utc FROM files"
	    " WHERE id = ?12)), ?9, (SELECT id FROM cameras"
	    " WHERE coalesce(make, '') = coalesce(?10, '') AND coalesce(model,"
	    " '') = coalesce(?11, '')), ?12, ?13)",
	[CAT_ADD_REMOTE] = "INSERT INTO remotes (name) VALUES (?1)"
	    " ON CONFLICT DO NOTHING",
	[CAT_ADD_TYPE] = "INSERT INTO types (mime, kind) VALUES (?1, ?2)"
	    " ON CONFLICT DO NOTHING",
	[CAT_ADD_CAMERA] = "INSERT INTO cameras (make, model) SELECT ?1, ?2"
	    " WHERE ?1 IS NOT NULL OR ?2 IS NOT NULL ON CONFLICT DO NOTHING",
	[CAT_ADD_DIR] = "INSERT INTO source_dirs (path) VALUES (?1)"
	    " ON CONFLICT DO NOTHING",
	[CAT_ADD_SOURCE] = "INSERT OR REPLACE INTO source_files (dir_id,"
	    " name, dev, ino, size, mtime_ns, ctime_ns, file_id, status,"
	    " seen_at) SELECT id, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM"
	    " source_dirs WHERE path = ?10",
	[CAT_FILE_BY_PATH] = "SELECT id, path, sha256, size, mtime_ns FROM"
	    " files WHERE path = ?1",
	[CAT_VERIFIED] = "UPDATE files SET verified_at = ?1, verify_status ="
	    " ?2 WHERE id = ?3",
};

/*
 * Those that differ in a catalogue before schema 9, read-only before its
 * migration (import --dry-run): the indexes it has, the hex it keeps.
 */
static const char *const catalog_sql_v8[CAT_NSTMT] = {
	[CAT_SEEN_PATH] = "SELECT s.status, coalesce(s.file_id, 0), f.path,"
	    " f.sha256, f.size, f.mtime_ns FROM sources s LEFT JOIN files f"
	    " ON f.id = s.file_id WHERE s.path = ?1 AND s.size = ?2 AND"
	    " s.mtime_ns = ?3 AND (s.ctime_ns IS NULL OR s.ctime_ns = ?4)"
	    " LIMIT 1",
	[CAT_FIND_SHA] = "SELECT id, path, sha256, size, mtime_ns FROM files"
	    " WHERE sha256 = ?1 AND size = ?2 AND (?3 = 0 OR main_id = ?3)"
	    " ORDER BY id LIMIT 1",
};

/* Those that differ in a schema 9 catalogue, read-only before migration. */
static const char *const catalog_sql_v9[CAT_NSTMT] = {
	[CAT_SEEN_PATH] = "SELECT s.status, coalesce(s.file_id, 0), f.path,"
	    " f.sha256, f.size, f.mtime_ns FROM sources s LEFT JOIN files f"
	    " ON f.id = s.file_id WHERE substr(s.path, -16) = substr(?1, -16)"
	    " AND s.size = ?2 AND s.mtime_ns = ?3 AND +s.path = ?1 AND"
	    " (s.ctime_ns IS NULL OR s.ctime_ns = ?4) LIMIT 1",
};

/* Statement i, prepared on first use and reset; NULL after saying why. */
static sqlite3_stmt *
catalog_stmt(struct catalog *cat, enum catalog_st i)
{
	const char	*sql = catalog_sql[i];

	if (cat->version < 9 && catalog_sql_v8[i] != NULL)
		sql = catalog_sql_v8[i];
	else if (cat->version < 10 && catalog_sql_v9[i] != NULL)
		sql = catalog_sql_v9[i];
	if (cat->st[i] == NULL)
		cat->st[i] = catalog_prepare(cat, sql);
	else
		sqlite3_reset(cat->st[i]);
	return cat->st[i];
}

/*
 * Column i of st, a SHA-256 (a 32-byte BLOB, or TEXT as an older
 * catalogue keeps it), as lowercase hex into hex (size bytes; "" if NULL).
 */
void
catalog_column_sha(sqlite3_stmt *st, int i, char *hex, size_t size)
{
	const unsigned char	*p;
	size_t			 n;

	if (size == 0)
		return;
	hex[0] = '\0';
	if (sqlite3_column_type(st, i) != SQLITE_BLOB) {
		if ((p = sqlite3_column_text(st, i)) != NULL)
			strlcpy_sb(hex, (const char *)p, size);
		return;
	}
	p = sqlite3_column_blob(st, i);
	n = (size_t)sqlite3_column_bytes(st, i);
	sigv4_hex(p, n < (size - 1) / 2 ? n : (size - 1) / 2, hex);
}

/* Fill f from columns first.. of st (id, path, sha256, size, mtime_ns). */
static void
catalog_get_file(sqlite3_stmt *st, int first, struct cat_file *f)
{
	const unsigned char	*s;

	memset(f, 0, sizeof *f);
	f->id = sqlite3_column_int64(st, first);
	if ((s = sqlite3_column_text(st, first + 1)) != NULL)
		strlcpy_sb(f->path, (const char *)s, sizeof f->path);
	catalog_column_sha(st, first + 2, f->sha256, sizeof f->sha256);
	f->size = sqlite3_column_int64(st, first + 3);
	f->mtime_ns = sqlite3_column_int64(st, first + 4);
}

/* Bind path's folder (to its last '/') as i and its name as i + 1. */
static void
catalog_bind_split(sqlite3_stmt *st, int i, const char *path)
{
	int	len, at;

	len = (int)strlen(path);
	at = catalog_name_at(path, len);
	sqlite3_bind_text(st, i, path, at, SQLITE_STATIC);
	sqlite3_bind_text(st, i + 1, path + at, len - at, SQLITE_STATIC);
}

/* What a row of st recorded of a source: its status at col, its file after. */
static void
catalog_seen_row(sqlite3_stmt *st, int col, struct cat_seen *seen)
{
	const unsigned char	*status = sqlite3_column_text(st, col);

	seen->skipped = status != NULL &&
	    strcmp((const char *)status, "skipped") == 0;
	seen->forgotten = status != NULL &&
	    strcmp((const char *)status, "forgotten") == 0;
	if (sqlite3_column_type(st, col + 2) != SQLITE_NULL)
		catalog_get_file(st, col + 1, &seen->file);
	else
		memset(&seen->file, 0, sizeof seen->file);
}

/*
 * One of catalog_seen's two lookups: by inode (pass 0) or by path (pass
 * 1). 1 and seen, 0 if no row, -1 on error.
 */
static int
catalog_seen_pass(struct catalog *cat, int pass, const char *abspath,
    const struct stat *sb, struct cat_seen *seen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = catalog_stmt(cat, pass == 0 ? CAT_SEEN_INODE :
	    CAT_SEEN_PATH)) == NULL)
		return -1;
	if (pass == 0) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)sb->st_dev);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)sb->st_ino);
		sqlite3_bind_int64(st, 3, sb->st_size);
		sqlite3_bind_int64(st, 4, catalog_ns(&sb->st_mtim));
		sqlite3_bind_int64(st, 5, catalog_ns(&sb->st_ctim));
	} else {
		sqlite3_bind_text(st, 1, abspath, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sb->st_size);
		sqlite3_bind_int64(st, 3, catalog_ns(&sb->st_mtim));
		sqlite3_bind_int64(st, 4, catalog_ns(&sb->st_ctim));
		if (cat->version >= 10)
			catalog_bind_split(st, 5, abspath);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		catalog_seen_row(st, 0, seen);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_error(cat, "looking up a source");
	return rc == SQLITE_ROW;
}

/*
 * Was this source seen by an earlier run: the same inode (or, where inode
 * numbers do not last, as on FAT, the same path) with the same size, mtime
 * and ctime? 1 with what was recorded, 0 if not seen, -1 on error. One
 * query: a re-run over a card costs little more than its stat calls.
 */
int
catalog_seen(struct catalog *cat, const char *abspath, const struct stat *sb,
    struct cat_seen *seen)
{
	int	rc;

	memset(seen, 0, sizeof *seen);
	if ((rc = catalog_seen_pass(cat, 0, abspath, sb, seen)) != 0)
		return rc;
	return catalog_seen_pass(cat, 1, abspath, sb, seen);
}

/*
 * A folder's sources, read in one range scan of sources_name in name order
 * (CAT_SEEN_DIR) and merged with the folder's files as the walk hands them
 * over, sorted by name: a re-run steps through an index instead of
 * seeking two for each file. Only while a read transaction holds the
 * catalogue still (the caller's to keep: catalog_folder_free before it
 * ends), so that the rows stepped through are what catalog_seen would
 * find. Holds one row at a time, whatever the folder's size.
 */
struct cat_folder {
	sqlite3_stmt	*st;		/* the scan, NULL until started */
	int		 row;		/* st is on a row not yet passed */
	int		 broken;	/* the scan failed: per file from now */
	size_t		 dirlen;
	char		 dir[PATH_MAX * 2];	/* up to and with its last '/' */
	int		 lastlen;	/* the last name asked for */
	char		 last[NAME_MAX * 4 + 1];
};

/* A folder's range scan, not yet started. */
struct cat_folder *
catalog_folder_new(void)
{
	struct cat_folder	*fo = xmalloc(sizeof *fo);

	fo->st = NULL;
	fo->row = fo->broken = 0;
	fo->dirlen = 0;
	fo->lastlen = 0;
	return fo;
}

/* Stop the scan (before the read transaction ends) and free it. */
void
catalog_folder_free(struct cat_folder *fo)
{
	if (fo == NULL)
		return;
	if (fo->st != NULL)
		sqlite3_reset(fo->st);
	free(fo);
}

/* Step the scan to its next row; -1 (the scan given up) on error. */
static int
catalog_folder_step(struct cat_folder *fo)
{
	int	rc = sqlite3_step(fo->st);

	fo->row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	sqlite3_reset(fo->st);
	fo->st = NULL;
	fo->broken = 1;
	return -1;
}

/*
 * The name of the scan's row against name (len bytes), as sqlite orders
 * them (BINARY: memcmp, then the shorter first). A name that is not text
 * sorts apart from ours: 2, and the scan is given up.
 */
static int
catalog_folder_cmp(struct cat_folder *fo, const char *name, int len)
{
	const unsigned char	*p;
	int			 n, c;

	if (sqlite3_column_type(fo->st, 0) != SQLITE_TEXT)
		return 2;
	p = sqlite3_column_text(fo->st, 0);
	n = sqlite3_column_bytes(fo->st, 0);
	if ((c = memcmp(p, name, n < len ? n : len)) != 0)
		return c < 0 ? -1 : 1;
	return n < len ? -1 : n > len;
}

/* Is column i of st an integer equal to v (as "column = ?" in SQL)? */
static int
catalog_int_is(sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_column_type(st, i) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, i) == v;
}

/*
 * Does the scan's row match sb: by inode (CAT_SEEN_INODE's test, with
 * inode 1) or by size, mtime and ctime alone (CAT_SEEN_PATH's, inode 0)?
 */
static int
catalog_folder_match(struct cat_folder *fo, const struct stat *sb, int inode)
{
	sqlite3_stmt	*st = fo->st;

	if (inode && (!catalog_int_is(st, 1, (sqlite3_int64)sb->st_dev) ||
	    !catalog_int_is(st, 2, (sqlite3_int64)sb->st_ino)))
		return 0;
	return catalog_int_is(st, 3, sb->st_size) &&
	    catalog_int_is(st, 4, catalog_ns(&sb->st_mtim)) &&
	    (sqlite3_column_type(st, 5) == SQLITE_NULL ||
	    catalog_int_is(st, 5, catalog_ns(&sb->st_ctim)));
}

/*
 * Start the scan of the folder dir (dirlen bytes) at name (len bytes):
 * 0, or -1 if it cannot be used.
 */
static int
catalog_folder_start(struct catalog *cat, struct cat_folder *fo,
    const char *dir, int dirlen, const char *name, int len)
{
	if (fo->st != NULL)
		sqlite3_reset(fo->st);
	fo->row = 0;
	memcpy(fo->dir, dir, dirlen);
	fo->dirlen = (size_t)dirlen;
	if ((fo->st = catalog_stmt(cat, CAT_SEEN_DIR)) == NULL) {
		fo->broken = 1;
		return -1;
	}
	sqlite3_bind_text(fo->st, 1, fo->dir, dirlen, SQLITE_STATIC);
	sqlite3_bind_text(fo->st, 2, name, len, SQLITE_TRANSIENT);
	return catalog_folder_step(fo);
}

/*
 * Take the scan to name's rows (len bytes; names asked for in ascending
 * order): passes those before it. 0, or -1 if the scan cannot answer
 * (name not after the last one asked for, an error).
 */
static int
catalog_folder_seek(struct catalog *cat, struct cat_folder *fo,
    const char *abspath, int at, int len)
{
	const char	*name = abspath + at;
	int		 c = 0;

	if (fo->broken || at >= (int)sizeof fo->dir ||
	    len >= (int)sizeof fo->last)
		return -1;
	if (fo->st == NULL || (size_t)at != fo->dirlen ||
	    memcmp(fo->dir, abspath, at) != 0) {
		if (catalog_folder_start(cat, fo, abspath, at, name, len) == -1)
			return -1;
	} else if ((c = memcmp(name, fo->last, len < fo->lastlen ? len :
	    fo->lastlen)) < 0 || (c == 0 && len <= fo->lastlen))
		return -1;	/* out of order (a sidecar): per file */
	memcpy(fo->last, name, len);
	fo->lastlen = len;
	while (fo->row && (c = catalog_folder_cmp(fo, name, len)) < 0)
		if (catalog_folder_step(fo) == -1)
			return -1;
	if (fo->row && c == 2) {
		fo->broken = 1;
		return -1;
	}
	return 0;
}

/*
 * The rows of a late-main query (name, then a cat_file): the one rank
 * ranks highest for the sidecar above *best into f and source, *best
 * raised. sqlite's last step's code.
 */
static int
catalog_late_rows(sqlite3_stmt *st, const char *sidecar,
    int (*rank)(const char *, const char *), int *best, struct cat_file *f,
    char *source, size_t size)
{
	const char	*name;
	int		 rc, r;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (name == NULL || (r = rank(sidecar, name)) <= *best)
			continue;
		*best = r;
		catalog_get_file(st, 1, f);
		strlcpy_sb(source, name, size);
	}
	return rc;
}

/*
 * catalog_late_main's last resort, for a prefix in mixed case (Img_0008.JPG
 * filed, IMG_0008.XMP come later): the folder's sources read through with
 * LIKE, which ignores ASCII case. Rare (a sidecar found alone, none of the
 * three cases matched), so a scan of one folder's rows.
 */
static int
catalog_late_main_nocase(struct catalog *cat, const char *abspath, int at,
    size_t plen, int (*rank)(const char *, const char *), struct cat_file *f,
    char *source, size_t size)
{
	sqlite3_stmt	*st;
	char		 pat[NAME_MAX * 2 + 2];
	size_t		 i, o = 0;
	int		 best = 0, rc;

	for (i = 0; i < plen && o + 3 < sizeof pat; i++) {
		if (abspath[at + i] == '%' || abspath[at + i] == '_' ||
		    abspath[at + i] == '\\')
			pat[o++] = '\\';
		pat[o++] = abspath[at + i];
	}
	pat[o++] = '%';
	pat[o] = '\0';
	if ((st = catalog_prepare(cat, "SELECT s.name, f.id, f.path, "
	    "f.sha256, f.size, f.mtime_ns FROM source_files s JOIN files f ON "
	    "f.id = s.file_id WHERE s.dir_id = (SELECT id FROM source_dirs "
	    "WHERE path = ?1) AND s.name LIKE ?2 ESCAPE '\\' AND f.main_id "
	    "IS NULL ORDER BY s.name, s.id DESC")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, abspath, at, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pat, -1, SQLITE_STATIC);
	rc = catalog_late_rows(st, abspath + at, rank, &best, f, source, size);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "looking up a sidecar's main file");
	return best > 0;
}

/*
 * The main file, imported by an earlier run, of a sidecar found alone at
 * abspath (its main file since moved away, or deleted): of the sources
 * recorded in its folder whose names begin with its first plen bytes
 * (as they are, in upper case or in lower case) and whose library file is
 * no sidecar itself, the one rank ranks highest (0: not its main), and of
 * those alike the last recorded (a card's folder reused after a format,
 * a drop folder's IMG_0001.JPG of this week: the photo that just left, not
 * the first of that name). 1 with *f and that source's name in source, 0
 * if there is none, -1 on an error.
 */
int
catalog_late_main(struct catalog *cat, const char *abspath, size_t plen,
    int (*rank)(const char *, const char *), struct cat_file *f,
    char *source, size_t size)
{
	sqlite3_stmt	*st;
	char		 lo[NAME_MAX + 2], hi[NAME_MAX + 3];
	int		 len = (int)strlen(abspath), at, v, best = 0, rc;
	size_t		 i;

	at = catalog_name_at(abspath, len);
	if (cat->version < 10 || plen == 0 || plen > NAME_MAX)
		return 0;
	for (v = 0; v < 3; v++) {
		/* The prefix as it is, then upper-cased, then lower-cased. */
		for (i = 0; i < plen; i++)
			lo[i] = v == 0 ? abspath[at + i] : v == 1 ?
			    (char)toupper((unsigned char)abspath[at + i]) :
			    (char)tolower((unsigned char)abspath[at + i]);
		if (v > 0 && memcmp(lo, abspath + at, plen) == 0)
			continue;	/* that case already */
		memcpy(hi, lo, plen);
		hi[plen] = (char)0xff;	/* above every name after lo */
		if ((st = catalog_stmt(cat, CAT_LATE_MAIN)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, abspath, at, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, lo, (int)plen, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, hi, (int)plen + 1, SQLITE_TRANSIENT);
		rc = catalog_late_rows(st, abspath + at, rank, &best, f,
		    source, size);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return catalog_error(cat, "looking up a sidecar's main "
			    "file");
	}
	if (best == 0)
		return catalog_late_main_nocase(cat, abspath, at, plen, rank,
		    f, source, size);
	return best > 0;
}

/*
 * catalog_seen, answered from the folder's scan fo where it can: a row of
 * the file's name that matches its inode is the one catalog_seen's first
 * lookup finds (sources_inode is unique); with none, that lookup is made
 * (the inode may be recorded under another name), and the path's is the
 * first of the name's rows, in rowid order, that matches size, mtime and
 * ctime, as sources_name gives them. fo NULL, or a scan that cannot
 * answer: catalog_seen.
 */
int
catalog_seen_folder(struct catalog *cat, struct cat_folder *fo,
    const char *abspath, const struct stat *sb, struct cat_seen *seen)
{
	struct cat_seen	 path;
	int		 len, at, rc, have = 0;

	len = (int)strlen(abspath);
	at = catalog_name_at(abspath, len);
	if (fo == NULL || cat->version < 10 ||
	    catalog_folder_seek(cat, fo, abspath, at, len - at) == -1)
		return catalog_seen(cat, abspath, sb, seen);
	while (fo->row && catalog_folder_cmp(fo, abspath + at, len - at) == 0) {
		if (catalog_folder_match(fo, sb, 1)) {
			catalog_seen_row(fo->st, 6, seen);
			return 1;
		}
		if (!have && catalog_folder_match(fo, sb, 0)) {
			catalog_seen_row(fo->st, 6, &path);
			have = 1;
		}
		if (catalog_folder_step(fo) == -1)
			return catalog_seen(cat, abspath, sb, seen);
	}
	memset(seen, 0, sizeof *seen);
	if ((rc = catalog_seen_pass(cat, 0, abspath, sb, seen)) != 0)
		return rc;
	if (have)
		*seen = path;
	return have;
}

/* Step st, a statement that writes: 0, or -1 after saying what failed. */
static int
catalog_step_done(struct catalog *cat, sqlite3_stmt *st, const char *what)
{
	int	rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : catalog_error(cat, what);
}

/* Step st, a query for one file: 1 and f, 0 if none, -1 on error. */
static int
catalog_step_file(struct catalog *cat, sqlite3_stmt *st, struct cat_file *f,
    const char *what)
{
	int	rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		catalog_get_file(st, 0, f);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_error(cat, what);
	return rc == SQLITE_ROW;
}

/*
 * Bind hex digest sha as the catalogue keeps it: its 32 bytes since
 * schema 9 (text if it is not a lowercase hex digest), text before.
 */
static void
catalog_bind_sha(struct catalog *cat, sqlite3_stmt *st, int i,
    const char *sha)
{
	unsigned char	md[32];

	if (cat->version >= 9 && catalog_unhex(sha, strlen(sha), md) == 0)
		sqlite3_bind_blob(st, i, md, sizeof md, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(st, i, sha, -1, SQLITE_TRANSIENT);
}

/*
 * The first catalogued file with this content (with main_id not 0: the
 * first sidecar of that main file with it): 1 and f, 0 if none, -1.
 */
int
catalog_find_sha(struct catalog *cat, const char *sha, uint64_t size,
    int64_t main_id, struct cat_file *f)
{
	sqlite3_stmt	*st;

	if ((st = catalog_stmt(cat, CAT_FIND_SHA)) == NULL)
		return -1;
	catalog_bind_sha(cat, st, 1, sha);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 3, main_id);
	return catalog_step_file(cat, st, f, "looking up a file's content");
}

/* The catalogued file id: 1 and f, 0 if none, -1 on error. */
int
catalog_file(struct catalog *cat, int64_t id, struct cat_file *f)
{
	sqlite3_stmt	*st;

	if ((st = catalog_stmt(cat, CAT_FILE_BY_ID)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return catalog_step_file(cat, st, f, "looking up a file");
}

/* Remember a source (imported, duplicate, sidecar, skipped); 0 or -1. */
int
catalog_add_source(struct catalog *cat, const char *abspath,
    const struct stat *sb, int64_t file_id, const char *status)
{
	sqlite3_stmt	*st;
	int		 at;

	at = catalog_name_at(abspath, (int)strlen(abspath));
	if ((st = catalog_stmt(cat, CAT_ADD_DIR)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, abspath, at, SQLITE_STATIC);
	if (catalog_step_done(cat, st, "recording a source's folder") == -1)
		return -1;
	if ((st = catalog_stmt(cat, CAT_ADD_SOURCE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 10, abspath, at, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, abspath + at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)sb->st_dev);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)sb->st_ino);
	sqlite3_bind_int64(st, 4, sb->st_size);
	sqlite3_bind_int64(st, 5, catalog_ns(&sb->st_mtim));
	sqlite3_bind_int64(st, 6, catalog_ns(&sb->st_ctim));
	if (file_id > 0)
		sqlite3_bind_int64(st, 7, file_id);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	return catalog_step_done(cat, st, "recording a source");
}

/*
 * Record m's type (MIME type and kind) and camera in `types` and `cameras`
 * if they are not there yet, for the file about to be added. 0 or -1.
 */
static int
catalog_add_names(struct catalog *cat, const struct meta *m)
{
	sqlite3_stmt	*st;

	if ((st = catalog_stmt(cat, CAT_ADD_TYPE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, m->mime, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind_name(m->kind), -1, SQLITE_STATIC);
	if (catalog_step_done(cat, st, "recording a file's type") == -1)
		return -1;
	if ((st = catalog_stmt(cat, CAT_ADD_CAMERA)) == NULL)
		return -1;
	catalog_bind_text(st, 1, m->make);
	catalog_bind_text(st, 2, m->model);
	return catalog_step_done(cat, st, "recording a file's camera");
}

/* Add a files row for a copy filed at rel; its id, or -1. */
int64_t
catalog_add_file(struct catalog *cat, const char *rel, const char *sha,
    uint64_t size, int64_t mtime_ns, const struct meta *m, int64_t main_id)
{
	sqlite3_stmt	*st;
	char		 taken[64], utc[64];
	int64_t		 key;

	if (catalog_add_names(cat, m) == -1 ||
	    (st = catalog_stmt(cat, CAT_ADD_FILE)) == NULL)
		return -1;
	date_format(&m->taken, taken, sizeof taken);
	date_format_utc(&m->taken, utc, sizeof utc);
	sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
	catalog_bind_sha(cat, st, 2, sha);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 4, mtime_ns);
	sqlite3_bind_text(st, 5, m->mime, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, kind_name(m->kind), -1, SQLITE_STATIC);
	/* an integer where the view gives back the same text */
	if (catalog_taken_key(taken, strlen(taken), &key) == 0)
		sqlite3_bind_int64(st, 7, key);
	else
		catalog_bind_text(st, 7, taken);
	/* seconds where the view gives back the same text (years 0-9999) */
	if (strlen(utc) == 20 && utc[0] >= '0' && utc[0] <= '9')
		sqlite3_bind_int64(st, 8, (sqlite3_int64)m->taken.utc);
	else
		catalog_bind_text(st, 8, utc);
	sqlite3_bind_text(st, 9, m->date_source, -1, SQLITE_STATIC);
	catalog_bind_text(st, 10, m->make);
	catalog_bind_text(st, 11, m->model);
	if (main_id > 0)
		sqlite3_bind_int64(st, 12, main_id);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)time(NULL));
	if (catalog_step_done(cat, st, "recording a file") == -1)
		return -1;
	return sqlite3_last_insert_rowid(cat->db);
}

/* Record the remote name (remotes) if it is not there yet; 0 or -1. */
int
catalog_add_remote(struct catalog *cat, const char *name)
{
	sqlite3_stmt	*st;

	if ((st = catalog_stmt(cat, CAT_ADD_REMOTE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return catalog_step_done(cat, st, "recording a remote");
}

/*
 * True for the filesystem types (statfs f_type) where sqlite's WAL is not
 * safe: its shared-memory index needs every writer on one machine. NFS,
 * SMB/CIFS, FUSE (sshfs, and most NAS mounts through it), 9p, AFS, Ceph,
 * Coda, GFS2, OCFS2, Lustre.
 */
int
catalog_netfs_type(long type)
{
	static const unsigned long netfs[] = {
		0x6969,		/* NFS */
		0x517b,		/* SMB */
		0xff534d42,	/* CIFS */
		0xfe534d42,	/* SMB2 */
		0x65735546,	/* FUSE */
		0x01021997,	/* 9P */
		0x5346414f,	/* AFS */
		0x6b414653,	/* kAFS */
		0x00c36400,	/* Ceph */
		0x73757245,	/* Coda */
		0x01161970,	/* GFS2 */
		0x7461636f,	/* OCFS2 */
		0x0bd00bd0,	/* Lustre */
	};
	size_t	i;

	for (i = 0; i < sizeof netfs / sizeof netfs[0]; i++)
		if ((unsigned long)type == netfs[i] ||
		    ((unsigned long)type & 0xffffffffUL) == netfs[i])
			return 1;
	return 0;
}

/* The catalog view's columns, as catalog_find gives them. */
const char *const catalog_columns[CAT_NCOLUMNS] = {
	"path", "sha256", "size", "mime", "kind", "taken", "taken_utc",
	"date_source", "make", "model", "source", "imported_at", "sidecar_of"
};

/* fnmatch(3) pattern on the last component of a library path. */
static int
catalog_name_match(const char *pattern, const char *path)
{
	const char	*slash = strrchr(path, '/');

	return fnmatch(pattern, slash != NULL ? slash + 1 : path, 0) == 0;
}

/* Append to the SQL being built in buf (size bytes). */
static void
catalog_sql_add(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
catalog_sql_add(char *buf, size_t size, const char *fmt, ...)
{
	size_t	len = strlen(buf);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * The distinct values of column (make or model) that contain text ?N in
 * any case, found by seeking its index from one value to the next: a
 * few dozen cameras cost a few dozen seeks, not a scan of every file.
 */
#define CAT_DISTINCT(col, n)						\
	"(WITH RECURSIVE d(v) AS (SELECT min(" col ") FROM files UNION ALL"	\
	" SELECT (SELECT min(" col ") FROM files WHERE " col " > d.v) FROM d"	\
	" WHERE d.v IS NOT NULL) SELECT v FROM d WHERE instr(lower(v),"	\
	" lower(?" n ")))"

/*
 * Does a camera that lacks a make or a model (but not both) match, its
 * expr (over file_counts' make and model) containing text? 1 or 0.
 */
static int
catalog_camera_partial(struct catalog *cat, const char *expr,
    const char *text)
{
	sqlite3_stmt	*st;
	char		*sql;
	int		 some = 0;

	xasprintf(&sql, "SELECT 1 FROM file_counts WHERE (make = '') !="
	    " (model = '') AND instr(lower(%s), lower(?1)) LIMIT 1", expr);
	st = catalog_prepare(cat, sql);
	free(sql);
	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	some = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return some;
}

/*
 * find --make, --model, --camera: the cameras whose expr (over make and
 * model) contains text, parameter ?n, in any case. The cameras come from
 * file_counts (a few dozen rows) and their files from files_model
 * (model, make, path) alone, in library order for each camera. A camera
 * with no model or no make cannot be in a row-value IN (NULL equals
 * nothing): only when one matches are its files looked up apart, still
 * on files_model (model IS NULL, make = ?).
 */
static void
catalog_find_camera(struct catalog *cat, const char *expr, int n,
    const char *text, const char *plus, char *sql, size_t size)
{
	catalog_sql_add(sql, size, " AND ((%sf.model, %sf.make) IN (SELECT"
	    " model, make FROM file_counts WHERE make != '' AND model != '' AND"
	    " instr(lower(%s), lower(?%d)))", plus, plus, expr, n);
	if (catalog_camera_partial(cat, expr, text))
		catalog_sql_add(sql, size, " OR (%sf.model IS NULL AND %sf.make"
		    " IN (SELECT make FROM file_counts WHERE model = '' AND"
		    " make != '' AND instr(lower(%s), lower(?%d)))) OR (%sf.make"
		    " IS NULL AND %sf.model IN (SELECT model FROM file_counts"
		    " WHERE make = '' AND model != '' AND instr(lower(%s),"
		    " lower(?%d))))", plus, plus, expr, n, plus, plus, expr, n);
	catalog_sql_add(sql, size, ")");
}

/*
 * The same for a catalogue read before its migration to file_counts:
 * the distinct makes and models seeked on files_camera and files_model.
 */
static void
catalog_find_camera_old(const struct cat_query *q, const char *plus,
    char *sql, size_t size)
{
	if (q->make != NULL)
		catalog_sql_add(sql, size, " AND %sf.make IN %s", plus,
		    CAT_DISTINCT("make", "3"));
	if (q->model != NULL)
		catalog_sql_add(sql, size, " AND %sf.model IN %s", plus,
		    CAT_DISTINCT("model", "4"));
	if (q->camera != NULL)
		catalog_sql_add(sql, size, " AND (%sf.make IN %s OR %sf.model IN"
		    " %s OR (%sf.make, %sf.model) IN (SELECT DISTINCT make,"
		    " model FROM files WHERE instr(lower(make || ' ' || model),"
		    " lower(?10))))", plus, CAT_DISTINCT("make", "10"), plus,
		    CAT_DISTINCT("model", "10"), plus, plus);
}

/*
 * find's query before its filters on source and uploads, in a catalogue
 * before schema 11 (read-only, before its migration): make, model, kind,
 * mime and taken (text) in each row.
 */
static void
catalog_find_v10(struct catalog *cat, const struct cat_query *q,
    const char *plus, char *sql, size_t size)
{
	/* Without all_columns only the path: less for the sort to carry. */
	catalog_sql_add(sql, size, "%s", q->all_columns ? "SELECT f.path, "
	    CATALOG_SHA_HEX("f.sha256") ", f.size, f.mime, f.kind, f.taken, "
	    CATALOG_UTC_TEXT("f.taken_utc") ", f.date_source, f.make, f.model,"
	    " (SELECT s.path FROM sources s WHERE s.file_id = f.id ORDER BY"
	    " s.id LIMIT 1), " CATALOG_UTC_TEXT("f.imported_at") ","
	    " (SELECT m.path FROM files m WHERE m.id = f.main_id) FROM files f"
	    " WHERE 1" : "SELECT f.path, NULL, NULL, NULL, NULL, NULL, NULL,"
	    " NULL, NULL, NULL, NULL, NULL, NULL FROM files f WHERE 1");
	if (q->taken != NULL && q->taken->from[0] != '\0')
		catalog_sql_add(sql, size, " AND f.taken >= ?1");
	if (q->taken != NULL && q->taken->to[0] != '\0')
		catalog_sql_add(sql, size, " AND f.taken < ?2");
	if (!catalog_has_table(cat, "file_counts"))
		catalog_find_camera_old(q, plus, sql, size);
	else {
		if (q->make != NULL)
			catalog_find_camera(cat, "make", 3, q->make, plus, sql,
			    size);
		if (q->model != NULL)
			catalog_find_camera(cat, "model", 4, q->model, plus, sql,
			    size);
		if (q->camera != NULL)
			catalog_find_camera(cat, "make || ' ' || model", 10,
			    q->camera, plus, sql, size);
	}
	if (q->kind != NULL)
		catalog_sql_add(sql, size, " AND %sf.kind = ?5", plus);
	if (q->mime != NULL)
		catalog_sql_add(sql, size, " AND (f.mime GLOB ?6 OR (f.mime IN"
		    " " CAT_HEIF_ALIASES " AND 'image/heif' GLOB ?6))");
}

/*
 * The same since schema 11: type and camera looked up in `types` and
 * `cameras` (a few dozen rows each) and found by their numbers in
 * files_type and files_camera (camera_id, path: a camera's files from the
 * index alone). A capture time is an integer (CATALOG_TAKEN_TEXT), or
 * text where that would not give it back: the span is two, ?11 to ?12
 * among the integers and ?1 to ?2 among the texts (every integer sorts
 * before every text), each a range of files_taken.
 */
static void
catalog_find_v11(const struct cat_query *q, const char *plus, char *sql,
    size_t size)
{
	catalog_sql_add(sql, size, "%s", q->all_columns ? "SELECT f.path, "
	    CATALOG_SHA_HEX("f.sha256") ", f.size, t.mime, t.kind, "
	    CATALOG_TAKEN_TEXT("f.taken") ", "
	    CATALOG_UTC_TEXT("f.taken_utc") ", f.date_source, c.make, c.model,"
	    " (SELECT s.path FROM sources s WHERE s.file_id = f.id ORDER BY"
	    " s.id LIMIT 1), " CATALOG_UTC_TEXT("f.imported_at") ","
	    " (SELECT m.path FROM files m WHERE m.id = f.main_id) FROM files f"
	    " LEFT JOIN types t ON t.id = f.type_id LEFT JOIN cameras c ON"
	    " c.id = f.camera_id WHERE 1" : "SELECT f.path, NULL, NULL, NULL,"
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM files f"
	    " WHERE 1");
	if (q->taken != NULL)
		catalog_sql_add(sql, size, " AND ((%sf.taken < ?12) OR"
		    " (f.taken >= ?1%s))", q->taken->from[0] != '\0' ?
		    "f.taken >= ?11 AND " : "", q->taken->to[0] != '\0' ?
		    " AND f.taken < ?2" : "");
	if (q->make != NULL)
		catalog_sql_add(sql, size, " AND %sf.camera_id IN (SELECT id"
		    " FROM cameras WHERE instr(lower(make), lower(?3)))", plus);
	if (q->model != NULL)
		catalog_sql_add(sql, size, " AND %sf.camera_id IN (SELECT id"
		    " FROM cameras WHERE instr(lower(model), lower(?4)))",
		    plus);
	if (q->camera != NULL)
		catalog_sql_add(sql, size, " AND %sf.camera_id IN (SELECT id"
		    " FROM cameras WHERE instr(lower(coalesce(make, '') || ' '"
		    " || coalesce(model, '')), lower(?10)))", plus);
	if (q->kind != NULL)
		catalog_sql_add(sql, size, " AND %sf.type_id IN (SELECT id FROM"
		    " types WHERE kind = ?5)", plus);
	if (q->mime != NULL)
		catalog_sql_add(sql, size, " AND +f.type_id IN (SELECT id FROM"
		    " types WHERE mime GLOB ?6 OR (mime IN " CAT_HEIF_ALIASES
		    " AND 'image/heif' GLOB ?6))");
}

/* The start of a day, month or year ("2004-03") as a taken integer. */
static int64_t
catalog_prefix_key(const char *p)
{
	size_t	len = strlen(p);
	int	y, mo = 1, d = 1;

	y = date_digits(p, 4);
	if (len >= 7)
		mo = date_digits(p + 5, 2);
	if (len >= 10)
		d = date_digits(p + 8, 2);
	return date_days_from_civil(y, mo, d) * 86400 * 2048;
}

/*
 * Bind span r for catalog_find_v11: its ends as integers (?11, ?12; '',
 * above every integer, for no end) and as text (?1, '' for no start, ?2).
 */
static void
catalog_bind_taken(sqlite3_stmt *st, const struct daterange *r)
{
	if (r->from[0] != '\0')
		sqlite3_bind_int64(st, 11, catalog_prefix_key(r->from));
	if (r->to[0] != '\0')
		sqlite3_bind_int64(st, 12, catalog_prefix_key(r->to));
	else
		sqlite3_bind_text(st, 12, "", 0, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, r->from, -1, SQLITE_TRANSIENT);
	catalog_bind_text(st, 2, r->to);
}

/*
 * Every file that q matches, in library order (by path): fn(arg, values)
 * for each, values[i] the text of catalog_columns[i] (NULL for none;
 * source and sidecar_of only with q->all_columns). fn returns 0 to go on.
 * The number found, or -1 after saying why. Indexes answer the date
 * (files_taken), the camera (since schema 11 files_camera, the cameras
 * from `cameras`; before, files_model with the cameras from file_counts,
 * and before schema 8 files_camera and files_model), the kind (files_type,
 * before schema 11 files_kind) and the upload state (upload_jobs_verified);
 * name tests each row the others leave. With a date, the date's index
 * leads ("+" keeps sqlite from preferring another): a month of the
 * library is a few thousand rows, a camera or a kind can be half of it.
 */
int
catalog_find(struct catalog *cat, const struct cat_query *q,
    int (*fn)(void *, const char *const *), void *arg)
{
	sqlite3_stmt	*st;
	const char	*v[CAT_NCOLUMNS];
	const char	*plus = q->taken != NULL ? "+" : "";
	char		*sql;
	size_t		 size = 4096;
	int		 rc, i, n = 0;

	sql = xcalloc(1, size);
	if (cat->version >= 11)
		catalog_find_v11(q, plus, sql, size);
	else
		catalog_find_v10(cat, q, plus, sql, size);
	if (q->source != NULL)
		catalog_sql_add(sql, size, " AND f.id IN (SELECT file_id FROM"
		    " sources WHERE path GLOB ?7)");
	if (q->remote != NULL || q->job_status != NULL)
		catalog_sql_add(sql, size, " AND f.id IN (SELECT file_id FROM"
		    " upload_jobs WHERE (?8 IS NULL OR remote_id = "
		    CATALOG_REMOTE("?8") ") AND (?9 IS"
		    " NULL OR status = ?9))");
	/*
	 * Unfiltered, the path index gives the order; filtered, "+" keeps
	 * sqlite from walking that index to spare a sort, which would fetch
	 * every row at random to test it (seconds, not tenths).
	 */
	catalog_sql_add(sql, size, " ORDER BY %sf.path", q->taken != NULL ||
	    q->make != NULL || q->model != NULL || q->camera != NULL ||
	    q->kind != NULL ||
	    q->mime != NULL || q->source != NULL || q->remote != NULL ||
	    q->job_status != NULL ? "+" : "");
	st = catalog_prepare(cat, sql);
	free(sql);
	if (st == NULL)
		return -1;
	if (q->taken != NULL && cat->version >= 11)
		catalog_bind_taken(st, q->taken);
	else if (q->taken != NULL) {
		catalog_bind_text(st, 1, q->taken->from);
		catalog_bind_text(st, 2, q->taken->to);
	}
	catalog_bind_text(st, 3, q->make);
	catalog_bind_text(st, 4, q->model);
	catalog_bind_text(st, 5, q->kind);
	catalog_bind_text(st, 6, q->mime);
	catalog_bind_text(st, 7, q->source);
	catalog_bind_text(st, 8, q->remote);
	catalog_bind_text(st, 9, q->job_status);
	catalog_bind_text(st, 10, q->camera);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < CAT_NCOLUMNS; i++)	/* else path only */
			v[i] = i == 0 || q->all_columns ? (const char *)
			    sqlite3_column_text(st, i) : NULL;
		if (v[0] == NULL || (q->name != NULL &&
		    !catalog_name_match(q->name, v[0])))
			continue;
		n++;
		if (fn(arg, v) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "finding files");
	return n;
}

/* The file catalogued at rel (relative to the library): 1 and f, 0, -1. */
int
catalog_file_at(struct catalog *cat, const char *rel, struct cat_file *f)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = catalog_stmt(cat, CAT_FILE_BY_PATH)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		catalog_get_file(st, 0, f);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_error(cat, "looking up a library path");
	return rc == SQLITE_ROW;
}

/* How many files were catalogued at or after since (NULL: all), or -1. */
int64_t
catalog_count(struct catalog *cat, const char *since)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if ((st = catalog_prepare(cat, "SELECT count(*) FROM files WHERE"
	    " ?1 IS NULL OR " CATALOG_UTC_TEXT("imported_at") " >= ?1")) ==
	    NULL)
		return -1;
	catalog_bind_text(st, 1, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		catalog_error(cat, "counting files");
	sqlite3_finalize(st);
	return n;
}

/*
 * How many of the files catalogued at or after since (NULL: any time) a
 * verify of up to limit of them (-1: all) takes, and their total size: a
 * count, nothing kept. 0 or -1.
 */
int
catalog_verify_size(struct catalog *cat, const char *since, int64_t limit,
    uint64_t *n, uint64_t *bytes)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = *bytes = 0;
	if ((st = catalog_prepare(cat, "SELECT count(*), total(size) FROM"
	    " (SELECT size FROM files WHERE ?1 IS NULL OR "
	    CATALOG_UTC_TEXT("imported_at") " >= ?1"
	    " ORDER BY verified_at, id LIMIT ?2)")) == NULL)
		return -1;
	catalog_bind_text(st, 1, since);
	sqlite3_bind_int64(st, 2, limit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		*bytes = (uint64_t)sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return catalog_error(cat, "counting files to verify");
	return 0;
}

/*
 * Start verify's walk through the catalogue (catalog_verify_next). The
 * walk takes the files verified before the second it began in (what it
 * verifies itself is stamped with that second or later), so when a file
 * was verified in this very second (a verify that just ended), it waits
 * for the next second first. 0 or -1.
 */
int
catalog_verify_start(struct catalog *cat, struct catalog_vcursor *c,
    const char *since)
{
	struct timespec	 ts = { 0, 50 * 1000 * 1000 };
	sqlite3_stmt	*st;
	int		 rc;

	memset(c, 0, sizeof *c);
	c->since = since;
	for (;;) {
		c->before = (int64_t)time(NULL);
		if ((st = catalog_prepare(cat, "SELECT 1 FROM files WHERE"
		    " verified_at = ?1 LIMIT 1")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, c->before);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return catalog_error(cat, "choosing files to verify");
		nanosleep(&ts, NULL);
	}
}

/*
 * The next ids (at most max) of the files verify takes: those never
 * verified first, in catalogue order, then those verified longest ago
 * (files_verified), a page at a time so that memory does not grow with
 * the catalogue. A file verified since the walk began is not taken again:
 * the walk goes on after the last file it gave (c), among those verified
 * before it began. *n is 0 at the end. 0 or -1.
 */
int
catalog_verify_next(struct catalog *cat, struct catalog_vcursor *c,
    int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = catalog_prepare(cat, !c->verified ?
	    "SELECT id, NULL FROM files WHERE verified_at IS NULL AND id > ?2"
	    " AND (?1 IS NULL OR " CATALOG_UTC_TEXT("imported_at") " >= ?1)"
	    " ORDER BY id LIMIT ?3" :
	    "SELECT id, verified_at FROM files WHERE (verified_at, id) >"
	    " (?4, ?2) AND verified_at < ?5 AND (?1 IS NULL OR "
	    CATALOG_UTC_TEXT("imported_at") " >= ?1)"
	    " ORDER BY verified_at, id LIMIT ?3")) == NULL)
		return -1;
	catalog_bind_text(st, 1, c->since);
	sqlite3_bind_int64(st, 2, c->id);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	if (c->verified) {
		sqlite3_bind_int64(st, 4, c->at);
		sqlite3_bind_int64(st, 5, c->before);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids[(*n)++] = c->id = sqlite3_column_int64(st, 0);
		c->at = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, "choosing files to verify");
	if (*n == 0 && !c->verified) {
		/* past the never verified: on to the oldest verified */
		c->verified = 1;
		c->id = 0;
		return catalog_verify_next(cat, c, ids, max, n);
	}
	return 0;
}

/* Record that file id was verified now and found status; 0 or -1. */
int
catalog_verified(struct catalog *cat, int64_t id, const char *status)
{
	sqlite3_stmt	*st;

	if ((st = catalog_stmt(cat, CAT_VERIFIED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return catalog_step_done(cat, st, "recording a verification");
}

/* Does the catalogue have table name (an older one may not)? */
int
catalog_has_table(struct catalog *cat, const char *name)
{
	sqlite3_stmt	*st;
	int		 has;

	if (sqlite3_prepare_v2(cat->db, "SELECT 1 FROM sqlite_master WHERE"
	    " type = 'table' AND name = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

/*
 * The library's files counted by capture year, kind and camera:
 * fn(arg, t) for each group (year, make and model "" for none). From
 * file_counts, which triggers keep (a few hundred rows at any size); a
 * catalogue opened read-only before its migration to schema 8 is
 * counted the long way, with the same result. 0, or -1 after saying why.
 */
int
catalog_tally(struct catalog *cat, int (*fn)(void *, const struct cat_tally *),
    void *arg)
{
	struct cat_tally	 t;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = catalog_prepare(cat, catalog_has_table(cat, "file_counts") ?
	    "SELECT year, kind, make, model, files, bytes FROM file_counts"
	    " WHERE files > 0" :
	    "SELECT coalesce(substr(taken, 1, 4), ''), kind,"
	    " coalesce(make, ''), coalesce(model, ''), count(*), sum(size)"
	    " FROM files GROUP BY 1, 2, 3, 4")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t.year = (const char *)sqlite3_column_text(st, 0);
		t.kind = (const char *)sqlite3_column_text(st, 1);
		t.make = (const char *)sqlite3_column_text(st, 2);
		t.model = (const char *)sqlite3_column_text(st, 3);
		t.files = sqlite3_column_int64(st, 4);
		t.bytes = sqlite3_column_int64(st, 5);
		if (t.year == NULL || t.kind == NULL || t.make == NULL ||
		    t.model == NULL)
			continue;
		if (fn(arg, &t) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_error(cat, "counting files");
	return 0;
}
