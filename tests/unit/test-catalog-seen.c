/*
 * test-catalog-seen.c: a re-run's folder scan (catalog_seen_folder) gives
 * what the per-file lookups (catalog_seen) give, for every file: sources
 * recorded by inode and by path, several rows under one name, rows whose
 * ctime is unknown, rows not media, rows whose file is gone, inodes
 * recorded under other names and in other folders, devices past
 * INT64_MAX, names asked for out of order, folders changing, names that
 * are not ASCII. The catalogue and the lookups are drawn at random from a
 * fixed seed, so that a failure repeats.
 */
#include <sys/stat.h>

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


static const char *const dirs[] = { "/card/DCIM/100/", "/card/DCIM/101/" };
static const char *const names[] = {
	"A", "AB", "B", "GL010001.LRV", "GX010001.MP4", "IMG_0001.JPG",
	"IMG_0001.JPG.xmp", "IMG_0001.XMP", "IMG_0002.JPG", "IMG_0010.JPG",
	"IMG_1.JPG", "a", "notes.txt", "\xc3\xa9t\xc3\xa9.jpg", "\xff"
};
#define NNAMES	(sizeof names / sizeof names[0])
static const char *const statuses[] = { "imported", "duplicate", "sidecar",
	"skipped" };
static const dev_t devs[] = { 2049, 2050, (dev_t)0x8000000000000001ULL };

static uint64_t	seed = 12345;

/* A number in [0, n), from a fixed sequence. */
static unsigned
pick(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

/* A stat drawn from the values the rows are drawn from. */
static void
draw_stat(struct stat *sb)
{
	memset(sb, 0, sizeof *sb);
	sb->st_dev = devs[pick(3)];
	sb->st_ino = 10 + pick(6);
	sb->st_size = 100 * (1 + pick(2));
	sb->st_mtim.tv_sec = 1 + pick(2);
	sb->st_ctim.tv_sec = 5 + pick(2);
	sb->st_mode = S_IFREG;
}

/*
 * Fill the catalogue: files, and sources of both folders at random (some
 * of them pointing to a file that is not there: foreign keys off).
 */
static void
fill(struct catalog *cat)
{
	sqlite3_stmt	*st;
	struct stat	 sb;
	int		 i, ctime;

	assert_int_equal(catalog_exec(cat, "PRAGMA foreign_keys = OFF"), 0);
	assert_int_equal(catalog_exec(cat, "BEGIN"), 0);
	for (i = 0; i < 2; i++) {
		st = catalog_prepare(cat, "INSERT INTO source_dirs (path)"
		    " VALUES (?1)");
		sqlite3_bind_text(st, 1, dirs[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(catalog_exec(cat, "INSERT INTO types (id, mime, kind)"
	    " VALUES (1, 'image/jpeg', 'image')"), 0);
	for (i = 1; i <= 20; i++) {
		st = catalog_prepare(cat, "INSERT INTO files (id, path, sha256,"
		    " size, mtime_ns, type_id, date_source) VALUES (?1,"
		    " 'lib/' || ?1, randomblob(32), 100, 7, 1, 'exif')");
		sqlite3_bind_int(st, 1, i);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	for (i = 0; i < 120; i++) {
		draw_stat(&sb);
		ctime = pick(3);
		st = catalog_prepare(cat, "INSERT OR IGNORE INTO source_files"
		    " (dir_id, name, dev, ino, size, mtime_ns, ctime_ns,"
		    " file_id, status, seen_at) SELECT id, ?2, ?3, ?4, ?5, ?6,"
		    " ?7, ?8, ?9, 0 FROM source_dirs WHERE path = ?1");
		sqlite3_bind_text(st, 1, dirs[pick(2)], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, names[pick(NNAMES)], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)sb.st_dev);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)sb.st_ino);
		sqlite3_bind_int64(st, 5, sb.st_size);
		sqlite3_bind_int64(st, 6, catalog_ns(&sb.st_mtim));
		if (ctime < 2)
			sqlite3_bind_int64(st, 7, catalog_ns(&sb.st_ctim));
		if (pick(4) != 0)
			sqlite3_bind_int(st, 8, pick(4) == 0 ? 99 : 1 + pick(20));
		sqlite3_bind_text(st, 9, statuses[pick(4)], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(catalog_exec(cat, "COMMIT"), 0);
	assert_int_equal(catalog_exec(cat, "PRAGMA foreign_keys = ON"), 0);
}

/* The same answer, field by field. */
static void
same(int rc, const struct cat_seen *a, int want, const struct cat_seen *b,
    const char *path)
{
	if (rc != want)
		fail_msg("%s: folder scan %d, per file %d", path, rc, want);
	if (rc != 1)
		return;
	if (a->skipped != b->skipped || a->file.id != b->file.id ||
	    strcmp(a->file.path, b->file.path) != 0 ||
	    strcmp(a->file.sha256, b->file.sha256) != 0 ||
	    a->file.size != b->file.size || a->file.mtime_ns != b->file.mtime_ns)
		fail_msg("%s: folder scan gives file %lld (%d), per file "
		    "%lld (%d)", path, (long long)a->file.id, a->skipped,
		    (long long)b->file.id, b->skipped);
}

/*
 * Folders' files asked for as a walk asks (in name order, a folder at a
 * time), with now and then one out of order or another folder between,
 * inside one read transaction.
 */
static void
test_folder_as_per_file(void **state)
{
	struct catalog		*cat;
	struct cat_folder	*fo;
	struct cat_seen		 a, b;
	struct stat		 sb;
	char			 path[256];
	unsigned		 round, i, d, n, hits = 0, asked = 0;
	int			 rc, want;

	(void)state;
	cat = catalog_open(libdir, 0);
	assert_non_null(cat);
	fill(cat);
	for (round = 0; round < 400; round++) {
		assert_int_equal(catalog_exec(cat, "BEGIN"), 0);
		fo = catalog_folder_new();
		d = pick(2);
		for (i = pick(3); i < NNAMES; i += 1 + pick(2)) {
			n = i;
			if (pick(8) == 0)
				n = pick(NNAMES);	/* out of order */
			if (pick(10) == 0)
				d = pick(2);		/* another folder */
			snprintf(path, sizeof path, "%s%s", dirs[d], names[n]);
			draw_stat(&sb);
			rc = catalog_seen_folder(cat, fo, path, &sb, &a);
			want = catalog_seen(cat, path, &sb, &b);
			same(rc, &a, want, &b, path);
			hits += rc == 1;
			asked++;
		}
		catalog_folder_free(fo);
		assert_int_equal(catalog_exec(cat, "COMMIT"), 0);
	}
	/* The draw must reach both answers often, or it proves little. */
	assert_true(hits > asked / 10);
	assert_true(hits < asked - asked / 10);
	catalog_close(cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folder_as_per_file),
	};

	return cmocka_run_group_tests(tests, scratch_setup,
	    scratch_teardown);
}
