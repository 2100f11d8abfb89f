/*
 * test-queue.c: claiming upload jobs (queue.c): a job claimed by one sync
 * is not given to another while its lease runs; a lease that expired, or
 * whose process on this machine is gone, is taken over; another machine's
 * live lease is respected. And the names remote.c tries on a remote
 * (remote_variant), which follow the library's NAME-1.EXT, and a
 * sidecar's, which follow its main file's name there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shoebox.h"
#include "catalog.h"
#include "scratch.h"
#include "queue.h"


/* Run SQL built from a format. */
static void
sql(struct catalog *cat, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) != -1);
	va_end(ap);
	assert_int_equal(catalog_exec(cat, s), 0);
	free(s);
}

/* The job a claim gets, or 0. */
static int64_t
claim(struct catalog *cat)
{
	struct upload	up;
	int64_t		id;
	int		rc;

	rc = queue_claim(cat, "r", 0, &up);
	assert_true(rc == 0 || rc == 1);
	id = rc == 1 ? up.job_id : 0;
	queue_upload_free(&up);
	return id;
}

static void
test_claim(void **state)
{
	struct catalog	*a, *b;
	char		 host[128], boot[64], me[256];
	long		 pid;
	unsigned long long start;

	(void)state;
	a = catalog_open(libdir, 0);
	b = catalog_open(libdir, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(queue_init(a), 0);
	assert_int_equal(queue_init(b), 0);
	sql(a, "INSERT INTO types (id, mime, kind) VALUES (1, 'image/jpeg', "
	    "'image')");
	sql(a, "INSERT INTO files (id, path, sha256, size, mtime_ns, type_id, "
	    "date_source, imported_at) VALUES (1, 'a.jpg', 'x', 1, 0, 1, "
	    "'test', 'now'), (2, 'b.jpg', 'y', 1, 0, 1, 'test', 'now')");
	sql(a, "INSERT INTO remotes (id, name) VALUES (1, 'r')");
	sql(a, "INSERT INTO upload_jobs (id, remote_id, file_id, queued_at) "
	    "VALUES (1, 1, 1, 'now'), (2, 1, 2, 'now')");

	/* two connections, two jobs, then none */
	assert_int_equal(claim(a), 1);
	assert_int_equal(claim(b), 2);
	assert_int_equal(claim(a), 0);
	assert_int_equal(queue_failed(a, 2, "test", 1), 0);
	assert_int_equal(claim(a), 2);

	/* an expired lease is taken over */
	sql(a, "UPDATE upload_jobs SET claimed_by = 'elsewhere - 1 1', "
	    "lease_until = %lld WHERE id = 1", (long long)time(NULL) - 1);
	assert_int_equal(claim(b), 1);
	/* another machine's live lease is not */
	sql(a, "UPDATE upload_jobs SET claimed_by = 'elsewhere - 1 1', "
	    "lease_until = %lld WHERE id = 1", (long long)time(NULL) + 100);
	assert_int_equal(claim(b), 0);
	/* nor one of a live process here (this one) */
	snprintf(me, sizeof me, "%s", queue_owner());
	sql(a, "UPDATE upload_jobs SET claimed_by = '%s', lease_until = %lld "
	    "WHERE id = 1", me, (long long)time(NULL) + 100);
	assert_int_equal(claim(b), 0);
	/* but a process here that is gone (a pid reused) is */
	assert_int_equal(sscanf(me, "%127s %63s %ld %llu", host, boot, &pid,
	    &start), 4);
	sql(a, "UPDATE upload_jobs SET claimed_by = '%s %s %ld %llu', "
	    "lease_until = %lld WHERE id = 1", host, boot, pid, start + 1,
	    (long long)time(NULL) + 100);
	assert_int_equal(claim(b), 1);
	/* and so is one from before this machine's last boot */
	sql(a, "UPDATE upload_jobs SET claimed_by = '%s other-boot %ld %llu', "
	    "lease_until = %lld WHERE id = 1", host, pid, start,
	    (long long)time(NULL) + 100);
	assert_int_equal(claim(b), 1);

	/* done: where it went is recorded and the lease given back */
	assert_int_equal(queue_done(b, 1, 0, "a-1.jpg"), 0);
	sql(a, "CREATE TEMP TABLE t AS SELECT status, remote_path, claimed_by "
	    "IS NULL AS free FROM upload_jobs WHERE id = 1");
	{
		sqlite3_stmt *st = catalog_prepare(a, "SELECT status || ' ' || "
		    "remote_path || ' ' || free FROM t");

		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		    "done a-1.jpg 1");
		sqlite3_finalize(st);
	}
	assert_int_equal(queue_release(a), 0);
	catalog_close(a);
	catalog_close(b);
}

static void
test_variant(void **state)
{
	static const char *cases[][3] = {
		{ "2019/07/04/a.jpg", "2019/07/04/a.jpg", "2019/07/04/a-2.jpg" },
		{ "d/IMG_1.CR2.xmp", "d/IMG_1.CR2.xmp", "d/IMG_1.CR2-2.xmp" },
		{ "d.x/noext", "d.x/noext", "d.x/noext-2" },
		{ "d/.hidden", "d/.hidden", "d/.hidden-2" },
		{ "top.jpg", "top.jpg", "top-2.jpg" },
	};
	/* A sidecar whose main file is there as [1]: names that pair. */
	static const char *sidecars[][5] = {
		{ "d/IMG_1.XMP", "d/IMG_1.JPG", "d/IMG_1.XMP",
		    "d/IMG_1.JPG.XMP", "d/IMG_1.JPG.1.XMP" },
		{ "d/IMG_1-1.XMP", "d/IMG_1-1.JPG", "d/IMG_1-1.XMP",
		    "d/IMG_1-1.JPG.XMP", "d/IMG_1-1.JPG.1.XMP" },
		{ "d/IMG_1.JPG.xmp", "d/IMG_1.JPG", "d/IMG_1.JPG.xmp",
		    "d/IMG_1.JPG.1.xmp", "d/IMG_1.JPG.2.xmp" },
		{ "d/noext", "d/IMG_1.JPG", "d/noext", "d/noext-1",
		    "d/noext-2" },
	};
	size_t	 i;
	int	 n;
	char	*v;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = remote_variant(cases[i][0], NULL, 0);
		assert_string_equal(v, cases[i][1]);
		free(v);
		v = remote_variant(cases[i][0], NULL, 2);
		assert_string_equal(v, cases[i][2]);
		free(v);
	}
	for (i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++)
		for (n = 0; n < 3; n++) {
			v = remote_variant(sidecars[i][0], sidecars[i][1], n);
			assert_string_equal(v, sidecars[i][2 + n]);
			free(v);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim),
		cmocka_unit_test(test_variant),
	};

	return cmocka_run_group_tests(tests, scratch_setup,
	    scratch_teardown);
}
