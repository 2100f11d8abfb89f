/*
 * catalog.c: the sqlite catalogue in LIBRARY/.shoebox/catalog.db. Opens it
 * in WAL mode, brings its schema up to date through numbered migrations
 * (PRAGMA user_version), and turns sqlite's errors into shoebox messages.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"

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
	 * 2 -> 3: safe uploads (queue.c, remote.c). A job is claimed by one
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
};

#define NMIGRATIONS	(int)(sizeof migrations / sizeof migrations[0])

/* Report sqlite's last error with context; returns -1. */
int
catalog_error(struct catalog *cat, const char *what)
{
	log_warnx("catalogue %s: %s: %s", cat->path, what,
	    sqlite3_errmsg(cat->db));
	return -1;
}

/* Run SQL with no results; 0 or -1 after saying why. */
int
catalog_exec(struct catalog *cat, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(cat->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("catalogue %s: %s", cat->path, err ? err : "error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
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
	int	 v;

	if (catalog_exec(cat, "BEGIN IMMEDIATE") == -1)
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
	if (v == NMIGRATIONS) {
		catalog_exec(cat, "ROLLBACK");
		return 0;
	}
	for (; v < NMIGRATIONS; v++)
		if (catalog_exec(cat, migrations[v]) == -1)
			goto fail;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", NMIGRATIONS);
	if (catalog_exec(cat, sql) == -1 || catalog_exec(cat, "COMMIT") == -1)
		goto fail;
	return 0;
fail:
	catalog_exec(cat, "ROLLBACK");
	return -1;
}

/*
 * The URI sqlite opens. Read-only with no write-ahead log present (no
 * writer at work), it is opened immutable, so that reading leaves no -wal
 * or -shm file behind: a dry run writes nothing at all.
 */
static char *
catalog_uri(const char *path, int readonly)
{
	static const char hex[] = "0123456789ABCDEF";
	char		*wal, *uri, *o;
	const char	*p;
	int		 immutable = 0;

	if (readonly) {
		xasprintf(&wal, "%s-wal", path);
		immutable = access(wal, F_OK) == -1;
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
	strcpy(o, immutable ? "?immutable=1" : readonly ? "?mode=ro" : "");
	return uri;
}

/*
 * Open (creating if need be) the catalogue of library. With readonly, a
 * missing catalogue is an error and nothing is created. NULL after saying
 * why.
 */
struct catalog *
catalog_open(const char *library, int readonly)
{
	struct catalog	*cat;
	char		*dir, *uri;
	int		 flags;

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
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	uri = catalog_uri(cat->path, readonly);
	if (sqlite3_open_v2(uri, &cat->db, flags | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		free(uri);
		if (cat->db != NULL)
			log_warnx("catalogue %s: %s", cat->path,
			    sqlite3_errmsg(cat->db));
		else
			log_warnx("catalogue %s: cannot open", cat->path);
		goto fail;
	}
	free(uri);
	sqlite3_busy_timeout(cat->db, 60000);
	sqlite3_extended_result_codes(cat->db, 1);
	if (!readonly && catalog_exec(cat, "PRAGMA journal_mode = WAL") == -1)
		goto fail;
	if (catalog_exec(cat, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON") == -1)
		goto fail;
	if (!readonly && catalog_migrate(cat) == -1)
		goto fail;
	if (readonly && catalog_version(cat) < 1) {
		log_warnx("catalogue %s: not a shoebox catalogue", cat->path);
		goto fail;
	}
	free(dir);
	return cat;
fail:
	free(dir);
	catalog_close(cat);
	return NULL;
}

void
catalog_close(struct catalog *cat)
{
	if (cat == NULL)
		return;
	if (cat->db != NULL)
		sqlite3_close_v2(cat->db);
	free(cat->library);
	free(cat->path);
	free(cat);
}

int
catalog_begin(struct catalog *cat)
{
	return catalog_exec(cat, "BEGIN IMMEDIATE");
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
