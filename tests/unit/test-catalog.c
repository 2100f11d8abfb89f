/*
 * test-catalog.c: the catalogue's schema: created from nothing, migrated
 * once, the documented `catalog` view, a newer schema refused.
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

static char	libdir[] = "/tmp/shoebox-test-catalog.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(libdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", libdir);
	return system(cmd) == 0 ? 0 : -1;
}

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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
