/*
 * test-catalog.c: the catalogue's schema: created from nothing, migrated
 * once, the documented `catalog` view, a newer schema refused, a schema 7
 * catalogue migrated to file_counts and shorter upload rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shoebox.h"
#include "catalog.h"
#include "scratch.h"


static int
version(struct catalog *cat)
{
	sqlite3_stmt	*st = catalog_prepare(cat, "PRAGMA user_version");
	int		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_create_and_view(void **state)
{
	static const char *columns[] = { "path", "sha256", "size", "mime",
	    "kind", "taken", "date_source", "make", "model", "source",
	    "imported_at", NULL };
	struct catalog	*cat;
	sqlite3_stmt	*st;
	const char	*journal;
	int		 v, i, j, found;

	(void)state;
	cat = catalog_open(libdir, 0);
	assert_non_null(cat);
	v = version(cat);
	assert_true(v >= 1);
	st = catalog_prepare(cat, "PRAGMA journal_mode");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	journal = (const char *)sqlite3_column_text(st, 0);
	assert_string_equal(journal, "wal");
	sqlite3_finalize(st);

	st = catalog_prepare(cat, "SELECT * FROM catalog");
	assert_non_null(st);
	for (i = 0; columns[i] != NULL; i++) {
		found = 0;
		for (j = 0; j < sqlite3_column_count(st); j++)
			if (strcmp(sqlite3_column_name(st, j), columns[i]) == 0)
				found = 1;
		if (!found)
			fail_msg("catalog view has no column %s", columns[i]);
	}
	sqlite3_finalize(st);
	catalog_close(cat);

	/* Opening again migrates nothing and keeps the version. */
	cat = catalog_open(libdir, 0);
	assert_non_null(cat);
	assert_int_equal(version(cat), v);
	/* A schema from a newer shoebox is refused, not damaged. */
	assert_int_equal(catalog_exec(cat, "PRAGMA user_version = 9999"), 0);
	catalog_close(cat);
	assert_null(catalog_open(libdir, 0));
	assert_null(catalog_open("/nonexistent/library", 1));
}

/*
 * What a catalogue's schema is, as text: every object, each table's
 * columns (name, type, NOT NULL, default, key), foreign keys and indexes,
 * each index's columns, and the SQL of indexes, views and triggers with
 * runs of blanks made one (a table's SQL differs where ALTER TABLE wrote
 * it); then the version. Appended to buf (size bytes).
 */
static void
schema_text(struct catalog *cat, char *buf, size_t size)
{
	static const char *const q[] = {
		"SELECT type, name, tbl_name, CASE WHEN type = 'table' THEN"
		" sql LIKE '%WITHOUT ROWID%' ELSE sql END FROM sqlite_master"
		" ORDER BY type, name",
		"SELECT m.name, p.* FROM sqlite_master m, pragma_table_xinfo("
		"m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
		"SELECT m.name, p.* FROM sqlite_master m,"
		" pragma_foreign_key_list(m.name) p WHERE m.type = 'table'"
		" ORDER BY m.name, p.\"from\", p.seq",
		"SELECT m.name, p.name, p.\"unique\", p.origin, p.partial FROM"
		" sqlite_master m, pragma_index_list(m.name) p WHERE m.type ="
		" 'table' ORDER BY m.name, p.name",
		"SELECT m.name, p.* FROM sqlite_master m, pragma_index_xinfo("
		"m.name) p WHERE m.type = 'index' ORDER BY m.name, p.seqno",
		"PRAGMA user_version",
	};
	sqlite3_stmt	*st;
	const char	*v;
	size_t		 i, len = strlen(buf);
	int		 j, blank = 0;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		st = catalog_prepare(cat, q[i]);
		assert_non_null(st);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (j = 0; j < sqlite3_column_count(st); j++) {
				v = (const char *)sqlite3_column_text(st, j);
				for (v = v ? v : "NULL"; *v != '\0'; v++) {
					if (*v == ' ' || *v == '\t' ||
					    *v == '\n') {
						blank = 1;
						continue;
					}
					assert_true(len + 3 < size);
					if (blank)
						buf[len++] = ' ';
					blank = 0;
					buf[len++] = *v;
				}
				assert_true(len + 2 < size);
				buf[len++] = '|';
				blank = 0;
			}
			buf[len++] = '\n';
		}
		sqlite3_finalize(st);
	}
	buf[len] = '\0';
}

/*
 * A new catalogue made in one step (schema_now) is the schema every
 * migration in turn makes: the same objects, columns in the same order,
 * keys, indexes, views and triggers.
 */
static void
test_schema_now(void **state)
{
	static char	 now[64 * 1024], stepwise[64 * 1024];
	struct catalog	*cat;
	char		 dir[512];

	(void)state;
	snprintf(dir, sizeof dir, "%s/now", libdir);
	assert_non_null(cat = catalog_open(dir, 0));
	schema_text(cat, now, sizeof now);
	catalog_close(cat);
	snprintf(dir, sizeof dir, "%s/stepwise", libdir);
	catalog_stepwise = 1;
	cat = catalog_open(dir, 0);
	catalog_stepwise = 0;
	assert_non_null(cat);
	schema_text(cat, stepwise, sizeof stepwise);
	catalog_close(cat);
	assert_true(strlen(now) > 4000);
	assert_string_equal(now, stepwise);
}

/* The first column of the first row of sql, as an integer (-1: none). */
static int64_t
value(struct catalog *cat, const char *sql)
{
	sqlite3_stmt	*st = catalog_prepare(cat, sql);
	int64_t		 v = -1;

	assert_non_null(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * A catalogue from before file_counts (schema 7) is migrated when a
 * writer opens it: its files counted, the upload names that are the
 * file's own path forgotten (the uploads view still gives them), the
 * others kept; a reader (status) of the old one counts it the long way.
 */
#define C_SHA	"00112233445566778899aabbccddeeff" \
		"0123456789abcdef0123456789abcdef"

static void
test_migrate_from_6(void **state)
{
	struct catalog	*cat;
	char		 sql[64], old[sizeof libdir + 8];
	int		 latest;

	(void)state;
	/* in this run's own directory: the ASan run goes at the same time */
	snprintf(old, sizeof old, "%s/old", libdir);
	cat = catalog_open(old, 0);
	assert_non_null(cat);
	latest = version(cat);
	/* back to schema 7, as a shoebox of then left it */
	assert_int_equal(catalog_exec(cat, "DROP VIEW catalog;"
	    "DROP VIEW uploads; CREATE VIEW catalog AS SELECT 1;"
	    "CREATE VIEW uploads AS SELECT * FROM upload_jobs;"
	    "DROP INDEX files_sha; CREATE INDEX files_sha256 ON files(sha256);"
	    "DROP VIEW sources; DROP TABLE source_files;"
	    "DROP TABLE source_dirs; CREATE TABLE sources ("
	    " id INTEGER PRIMARY KEY, path TEXT NOT NULL, dev INTEGER NOT NULL,"
	    " ino INTEGER NOT NULL, size INTEGER NOT NULL,"
	    " mtime_ns INTEGER NOT NULL, file_id INTEGER REFERENCES files(id),"
	    " status TEXT NOT NULL, ctime_ns INTEGER, seen_at INTEGER);"
	    "CREATE UNIQUE INDEX sources_inode ON sources(dev, ino, size,"
	    " mtime_ns); CREATE INDEX sources_file ON sources(file_id);"
	    "CREATE INDEX sources_path ON sources(path, size, mtime_ns)"), 0);
	assert_int_equal(catalog_exec(cat, "DROP TRIGGER files_count_add;"
	    "DROP TRIGGER files_count_del; DROP TRIGGER files_count_upd;"
	    "DROP TRIGGER upload_jobs_same_name; DROP TABLE file_counts;"
	    "DROP INDEX upload_jobs_renamed; DROP INDEX files_main;"
	    "CREATE INDEX files_main ON files(main_id)"), 0);
	/* before schema 11: type, camera, capture time, remote in each row */
	assert_int_equal(catalog_exec(cat, "DROP INDEX files_taken;"
	    "DROP INDEX files_camera; DROP INDEX files_type;"
	    "ALTER TABLE files DROP COLUMN type_id;"
	    "ALTER TABLE files DROP COLUMN camera_id;"
	    "ALTER TABLE files DROP COLUMN taken; DROP TABLE types;"
	    "DROP TABLE cameras; ALTER TABLE files ADD COLUMN mime TEXT;"
	    "ALTER TABLE files ADD COLUMN kind TEXT;"
	    "ALTER TABLE files ADD COLUMN taken TEXT;"
	    "ALTER TABLE files ADD COLUMN make TEXT;"
	    "ALTER TABLE files ADD COLUMN model TEXT;"
	    "CREATE INDEX files_taken ON files(taken);"
	    "CREATE INDEX files_kind ON files(kind);"
	    "CREATE INDEX files_model ON files(model);"
	    "CREATE INDEX files_camera ON files(make, model);"
	    "DROP TABLE upload_parts; DROP TABLE upload_jobs;"
	    "DROP TABLE remotes; CREATE TABLE upload_jobs (id INTEGER PRIMARY"
	    " KEY, remote TEXT NOT NULL, file_id INTEGER NOT NULL REFERENCES"
	    " files(id) ON DELETE CASCADE, status TEXT NOT NULL DEFAULT"
	    " 'pending', attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	    " skipped INTEGER NOT NULL DEFAULT 0, upload_id TEXT, part_size"
	    " INTEGER, claimed_by TEXT, lease_until INTEGER, remote_path TEXT,"
	    " tmp_path TEXT, verify_status TEXT, queued_at, done_at,"
	    " verified_at, UNIQUE (remote, file_id));"
	    "CREATE INDEX upload_jobs_verified ON upload_jobs(remote, status,"
	    " verified_at);"
	    "CREATE INDEX upload_jobs_status ON upload_jobs(remote, status);"
	    "CREATE TABLE upload_parts (job_id INTEGER NOT NULL"
	    " REFERENCES upload_jobs(id) ON DELETE CASCADE, part INTEGER NOT"
	    " NULL, etag TEXT NOT NULL, PRIMARY KEY (job_id, part))"), 0);
	/* the migration to file_counts is the last one */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", 7);
	assert_int_equal(catalog_exec(cat, sql), 0);
	assert_int_equal(catalog_exec(cat, "INSERT INTO files (path, sha256,"
	    " size, mtime_ns, mime, kind, taken, date_source, make, model,"
	    " imported_at, taken_utc) VALUES"
	    " ('2004/03/30/a.jpg', 'aa', 10, 0, 'image/jpeg', 'image',"
	    " '2004-03-30T10:00:00', 'exif', 'Canon', 'Canon EOS 20D', 'x',"
	    " '2004-03-30T09:00:00Z'),"
	    " ('2004/03/31/b.jpg', 'bb', 20, 0, 'image/jpeg', 'image',"
	    " '2004-03-31T10:00:00', 'exif', 'Canon', 'Canon EOS 20D', 'x',"
	    " '2004-03-31T09:00:00.5Z'),"
	    " ('2021/01/01/c.mp4', '" C_SHA "', 40, 0, 'video/mp4',"
	    " 'video', NULL, 'mtime', NULL, NULL, '2021-01-02T03:04:05Z',"
	    " NULL);"
	    "INSERT INTO upload_jobs (remote, file_id, status, queued_at,"
	    " remote_path) VALUES ('s3', 1, 'done', 'x', '2004/03/30/a.jpg'),"
	    " ('s3', 2, 'done', 'x', '2004/03/31/b-1.jpg'),"
	    " ('s3', 3, 'pending', 'x', NULL);"
	    "INSERT INTO sources (path, dev, ino, size, mtime_ns, file_id,"
	    " status, seen_at) VALUES ('/media/c/DCIM/100/A.JPG', 1, 1, 10,"
	    " 0, 1, 'imported', 'x'), ('/media/c/DCIM/100/B.JPG', 1, 2, 20, 0,"
	    " 2, 'imported', 'x'), ('c.mp4', 1, 3, 40, 0, 3, 'imported', 'x')"),
	    0);
	catalog_close(cat);

	/* read-only, as status opens it: not migrated, counted all the same */
	cat = catalog_open(old, 1);
	assert_non_null(cat);
	assert_int_equal(version(cat), 7);
	assert_false(catalog_has_table(cat, "file_counts"));
	catalog_close(cat);

	cat = catalog_open(old, 0);
	assert_non_null(cat);
	assert_int_equal(version(cat), latest);
	assert_int_equal(value(cat, "SELECT files * 1000 + bytes FROM"
	    " file_counts WHERE year = '2004' AND kind = 'image' AND"
	    " make = 'Canon' AND model = 'Canon EOS 20D'"), 2030);
	assert_int_equal(value(cat, "SELECT files * 1000 + bytes FROM"
	    " file_counts WHERE year = '' AND make = '' AND model = ''"), 1040);
	assert_int_equal(value(cat, "SELECT count(*) FROM upload_jobs WHERE"
	    " remote_path IS NOT NULL"), 1);
	/* schema 10: a source's folder once, the same paths through views */
	assert_int_equal(value(cat, "SELECT count(*) FROM source_dirs"), 2);
	assert_int_equal(value(cat, "SELECT count(*) FROM catalog WHERE"
	    " (path = '2004/03/30/a.jpg' AND source ="
	    " '/media/c/DCIM/100/A.JPG') OR (path = '2004/03/31/b.jpg' AND"
	    " source = '/media/c/DCIM/100/B.JPG') OR (path ="
	    " '2021/01/01/c.mp4' AND source = 'c.mp4')"), 3);
	/* schema 9: digests and whole-second times as numbers, the same text */
	assert_int_equal(value(cat, "SELECT count(*) FROM files WHERE"
	    " typeof(sha256) = 'blob' AND length(sha256) = 32 AND"
	    " typeof(imported_at) = 'integer'"), 1);
	assert_int_equal(value(cat, "SELECT count(*) FROM catalog WHERE"
	    " (path = '2021/01/01/c.mp4' AND sha256 = '" C_SHA "' AND"
	    " imported_at = '2021-01-02T03:04:05Z' AND taken_utc IS NULL) OR"
	    " (path = '2004/03/30/a.jpg' AND sha256 = 'aa' AND imported_at ="
	    " 'x' AND taken_utc = '2004-03-30T09:00:00Z') OR (path ="
	    " '2004/03/31/b.jpg' AND taken_utc = '2004-03-31T09:00:00.5Z')"),
	    3);
	assert_int_equal(value(cat, "SELECT count(*) FROM files WHERE"
	    " typeof(taken_utc) = 'integer'"), 1);
	/* schema 11: type, camera, capture time as numbers, the same text */
	assert_int_equal(value(cat, "SELECT count(*) FROM types"), 2);
	assert_int_equal(value(cat, "SELECT count(*) FROM upload_jobs j JOIN"
	    " remotes r ON r.id = j.remote_id WHERE r.name = 's3'"), 3);
	assert_int_equal(value(cat, "SELECT count(*) FROM cameras"), 1);
	assert_int_equal(value(cat, "SELECT count(*) FROM files WHERE"
	    " typeof(taken) = 'integer'"), 2);
	assert_int_equal(value(cat, "SELECT count(*) FROM catalog WHERE"
	    " (path = '2004/03/30/a.jpg' AND taken = '2004-03-30T10:00:00' AND"
	    " mime = 'image/jpeg' AND kind = 'image' AND make = 'Canon' AND"
	    " model = 'Canon EOS 20D') OR (path = '2021/01/01/c.mp4' AND"
	    " taken IS NULL AND mime = 'video/mp4' AND kind = 'video' AND"
	    " make IS NULL AND model IS NULL)"), 2);
	assert_int_equal(value(cat, "SELECT count(*) FROM uploads WHERE"
	    " (path = '2004/03/30/a.jpg' AND remote_path = path) OR"
	    " (path = '2004/03/31/b.jpg' AND remote_path ="
	    " '2004/03/31/b-1.jpg')"), 2);
	/*
	 * sync records the name it is going to, kept until the upload is
	 * done (a multipart upload resumes under it); done, its own name is
	 * not kept, another one is.
	 */
	assert_int_equal(catalog_exec(cat, "UPDATE upload_jobs SET"
	    " remote_path = '2021/01/01/c.mp4' WHERE file_id = 3"), 0);
	assert_int_equal(value(cat, "SELECT count(*) FROM upload_jobs WHERE"
	    " remote_path IS NULL"), 1);
	assert_int_equal(catalog_exec(cat, "UPDATE upload_jobs SET status ="
	    " 'done', remote_path = '2021/01/01/c.mp4' WHERE file_id = 3"), 0);
	assert_int_equal(value(cat, "SELECT count(*) FROM upload_jobs WHERE"
	    " remote_path IS NULL"), 2);
	assert_int_equal(catalog_exec(cat, "UPDATE upload_jobs SET"
	    " remote_path = '2021/01/01/c-1.mp4' WHERE file_id = 3"), 0);
	assert_int_equal(value(cat, "SELECT count(*) FROM upload_jobs WHERE"
	    " remote_path IS NULL"), 1);
	catalog_close(cat);
}

/*
 * The filesystems whose libraries get a rollback journal instead of WAL
 * (statfs f_type, as linux/magic.h and the filesystems' own sources give
 * them), and some that keep WAL.
 */
static void
test_netfs_types(void **state)
{
	static const long net[] = { 0x6969 /* NFS */, 0x517b /* SMB */,
	    (long)0xff534d42 /* CIFS */, (long)0xfe534d42 /* SMB2 */,
	    0x65735546 /* FUSE: sshfs, NAS mounts */, 0x01021997 /* 9P */,
	    0x00c36400 /* Ceph */ };
	static const long local[] = { 0xef53 /* ext2/3/4 */,
	    0x58465342 /* XFS */, (long)0x9123683e /* Btrfs */,
	    0x01021994 /* tmpfs */, 0x4d44 /* FAT */, 0x2011bab0 /* exFAT */,
	    0x794c7630 /* overlayfs */, (long)0xf2f52010 /* F2FS */ };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof net / sizeof net[0]; i++)
		assert_true(catalog_netfs_type(net[i]));
	for (i = 0; i < sizeof local / sizeof local[0]; i++)
		assert_false(catalog_netfs_type(local[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_view),
		cmocka_unit_test(test_netfs_types),
		cmocka_unit_test(test_schema_now),
		cmocka_unit_test(test_migrate_from_6),
	};

	return cmocka_run_group_tests(tests, scratch_setup,
	    scratch_teardown);
}
