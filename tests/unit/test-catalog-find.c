/*
 * test-catalog-find.c: the catalogue queries behind shoebox find and
 * verify: find's filters (dates as half-open spans, cameras in any case,
 * files with no camera at all, --camera as make, model or both), library
 * order, verify's choice of the files verified longest ago, and status's
 * counts by year, kind and camera (file_counts).
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

static struct catalog	*cat;

/*
 * Add a file taken at taken (wall clock, then +HH:MM or -HH:MM if the
 * offset is known) by make/model (NULL: none).
 */
static int64_t
add(const char *path, const char *taken, const char *make, const char *model,
    enum kind kind)
{
	struct meta	m;
	char		sha[65];
	int64_t		id;
	int		n = 0, oh, om;

	memset(&m, 0, sizeof m);
	if (sscanf(taken, "%d-%d-%dT%d:%d:%d%n", &m.taken.year, &m.taken.mon,
	    &m.taken.day, &m.taken.hour, &m.taken.min, &m.taken.sec, &n) != 6)
		fail_msg("bad date %s", taken);
	if (sscanf(taken + n, "%*c%d:%d", &oh, &om) == 2) {
		m.taken.has_offset = 1;
		m.taken.offset_min = (oh * 60 + om) * (taken[n] == '-' ?
		    -1 : 1);
	}
	m.taken.has_wall = 1;
	m.kind = kind;
	strcpy(m.mime, kind == KIND_VIDEO ? "video/mp4" : "image/jpeg");
	strcpy(m.date_source, "exif");
	if (make != NULL)
		strcpy(m.make, make);
	if (model != NULL)
		strcpy(m.model, model);
	snprintf(sha, sizeof sha, "%064zx", strlen(path) * 7919 + (size_t)path[5]);
	id = catalog_add_file(cat, path, sha, 100, 0, &m, 0);
	assert_true(id > 0);
	return id;
}

static int
setup(void **state)
{
	if (scratch_setup(state) == -1 ||
	    (cat = catalog_open(libdir, 0)) == NULL)
		return -1;
	add("2004/03/29/A.JPG", "2004-03-29T23:59:59", "NIKON CORPORATION",
	    "NIKON D70", KIND_IMAGE);
	add("2004/03/30/B.JPG", "2004-03-30T00:00:00", "NIKON CORPORATION",
	    "NIKON D70", KIND_IMAGE);
	add("2004/03/30/C.MP4", "2004-03-30T12:00:00", NULL, NULL, KIND_VIDEO);
	add("2004/03/31/D.JPG", "2004-03-31T23:59:59", "Canon", "Canon EOS 20D",
	    KIND_IMAGE);
	add("2004/04/01/E.JPG", "2004-04-01T00:00:00", "Canon", NULL,
	    KIND_IMAGE);
	add("2005/01/01/F.JPG", "2005-01-01T00:00:00", "Apple", "iPhone XR",
	    KIND_IMAGE);
	return 0;
}

static int
teardown(void **state)
{
	catalog_close(cat);
	return scratch_teardown(state);
}

/* Collect the paths found, space-separated. */
static int
collect(void *arg, const char *const *v)
{
	char	*out = arg;

	if (*out != '\0')
		strcat(out, " ");
	strcat(out, v[0]);
	return 0;
}

static void
expect(const struct cat_query *q, const char *paths)
{
	char	out[4096] = "";
	int	n, words;

	n = catalog_find(cat, q, collect, out);
	assert_string_equal(out, paths);
	words = paths[0] == '\0' ? 0 : 1;
	for (; *paths != '\0'; paths++)
		words += *paths == ' ';
	assert_int_equal(n, words);
}

static void
expect_date(const char *spec, const char *paths)
{
	struct cat_query	q;
	struct daterange	r;

	memset(&q, 0, sizeof q);
	assert_int_equal(daterange_parse(spec, &r), 0);
	q.taken = &r;
	expect(&q, paths);
}

static void
test_dates(void **state)
{
	(void)state;
	expect_date("2004-03-30", "2004/03/30/B.JPG 2004/03/30/C.MP4");
	expect_date("2004-03-30..2004-03-31",
	    "2004/03/30/B.JPG 2004/03/30/C.MP4 2004/03/31/D.JPG");
	expect_date("2004-03", "2004/03/29/A.JPG 2004/03/30/B.JPG "
	    "2004/03/30/C.MP4 2004/03/31/D.JPG");
	expect_date("2004-04..", "2004/04/01/E.JPG 2005/01/01/F.JPG");
	/* Dated by a wild mtime: filed under that year, and found there. */
	add("1700/06/01/G.AVI", "1700-06-01T00:00:00", NULL, NULL, KIND_VIDEO);
	add("9999/12/31/H.AVI", "9999-12-31T23:59:59", NULL, NULL, KIND_VIDEO);
	expect_date("1700", "1700/06/01/G.AVI");
	expect_date("1700-06-01", "1700/06/01/G.AVI");
	expect_date("9999", "9999/12/31/H.AVI");
	expect_date("9999-12-31", "9999/12/31/H.AVI");
	expect_date("2005..", "2005/01/01/F.JPG 9999/12/31/H.AVI");
	expect_date("..2004-03-29", "1700/06/01/G.AVI 2004/03/29/A.JPG");
	assert_int_equal(catalog_exec(cat, "DELETE FROM files WHERE path LIKE"
	    " '1700/%' OR path LIKE '9999/%'"), 0);
	expect_date("..2004-03-29", "2004/03/29/A.JPG");
	expect_date("2003", "");
}

/* The text of the first column of sql's first row into buf. */
static void
text(const char *sql, char *buf, size_t size)
{
	sqlite3_stmt	*st = catalog_prepare(cat, sql);

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/*
 * Capture times as integers (schema 11): the same text back through the
 * catalog view, offsets or none, a day found by its wall clock; one kept
 * as text (an older shoebox's, or one that would not come back the same)
 * found as well, by itself or with the integers of its span.
 */
static void
test_taken(void **state)
{
	char	buf[256];

	(void)state;
	add("2006/06/06/K.JPG", "2006-06-06T23:30:00+05:45", NULL, NULL,
	    KIND_IMAGE);
	add("2006/06/06/L.JPG", "2006-06-06T00:10:00-03:30", NULL, NULL,
	    KIND_IMAGE);
	add("2006/06/07/M.JPG", "2006-06-07T00:00:00+00:00", NULL, NULL,
	    KIND_IMAGE);
	text("SELECT group_concat(taken, ' ') FROM (SELECT taken FROM catalog"
	    " WHERE path LIKE '2006/%' ORDER BY path)", buf, sizeof buf);
	assert_string_equal(buf, "2006-06-06T23:30:00+05:45 "
	    "2006-06-06T00:10:00-03:30 2006-06-07T00:00:00+00:00");
	text("SELECT group_concat(typeof(taken)) FROM files WHERE path LIKE"
	    " '2006/%'", buf, sizeof buf);
	assert_string_equal(buf, "integer,integer,integer");
	text("SELECT taken FROM catalog WHERE path = '2004/03/30/B.JPG'", buf,
	    sizeof buf);
	assert_string_equal(buf, "2004-03-30T00:00:00");
	expect_date("2006-06-06", "2006/06/06/K.JPG 2006/06/06/L.JPG");
	expect_date("2006-06-07..", "2006/06/07/M.JPG");
	assert_int_equal(catalog_exec(cat, "UPDATE files SET taken ="
	    " '2006-06-06T12:00:00.5' WHERE path = '2006/06/07/M.JPG'"), 0);
	expect_date("2006-06-06", "2006/06/06/K.JPG 2006/06/06/L.JPG "
	    "2006/06/07/M.JPG");
	expect_date("2006-06-07..", "");
	expect_date("2006..", "2006/06/06/K.JPG 2006/06/06/L.JPG "
	    "2006/06/07/M.JPG");
	expect_date("..2005", "2004/03/29/A.JPG 2004/03/30/B.JPG "
	    "2004/03/30/C.MP4 2004/03/31/D.JPG 2004/04/01/E.JPG "
	    "2005/01/01/F.JPG");
	text("SELECT taken FROM catalog WHERE path = '2006/06/07/M.JPG'", buf,
	    sizeof buf);
	assert_string_equal(buf, "2006-06-06T12:00:00.5");
	assert_int_equal(catalog_exec(cat, "DELETE FROM files WHERE path LIKE"
	    " '2006/%'"), 0);
}

static void
test_filters(void **state)
{
	struct cat_query	q;
	struct daterange	r;

	(void)state;
	memset(&q, 0, sizeof q);
	expect(&q, "2004/03/29/A.JPG 2004/03/30/B.JPG 2004/03/30/C.MP4 "
	    "2004/03/31/D.JPG 2004/04/01/E.JPG 2005/01/01/F.JPG");
	q.make = "canon";	/* E has a make and no model: found */
	expect(&q, "2004/03/31/D.JPG 2004/04/01/E.JPG");
	q.make = NULL;
	q.model = "EOS";
	expect(&q, "2004/03/31/D.JPG");
	q.model = "d70";
	q.make = "nikon";
	expect(&q, "2004/03/29/A.JPG 2004/03/30/B.JPG");
	assert_int_equal(daterange_parse("2004-03-30", &r), 0);
	q.taken = &r;
	expect(&q, "2004/03/30/B.JPG");
	memset(&q, 0, sizeof q);
	q.kind = "video";
	expect(&q, "2004/03/30/C.MP4");
	q.kind = NULL;
	q.mime = "image/*";
	q.name = "[A-D].*";
	expect(&q, "2004/03/29/A.JPG 2004/03/30/B.JPG 2004/03/31/D.JPG");
	q.mime = NULL;
	q.name = "2004*";	/* the name only, not the folders */
	expect(&q, "");
	memset(&q, 0, sizeof q);
	q.make = "leica";
	expect(&q, "");
}

/* --camera: the make, the model, or "make model", in any case. */
static void
test_camera(void **state)
{
	struct cat_query	q;
	struct daterange	r;

	(void)state;
	memset(&q, 0, sizeof q);
	q.camera = "apple iphone";	/* make and model together */
	expect(&q, "2005/01/01/F.JPG");
	q.camera = "IPHONE XR";
	expect(&q, "2005/01/01/F.JPG");
	q.camera = "nikon d70";		/* the model says the make */
	expect(&q, "2004/03/29/A.JPG 2004/03/30/B.JPG");
	q.camera = "canon";		/* E has a make and no model */
	expect(&q, "2004/03/31/D.JPG 2004/04/01/E.JPG");
	q.camera = "d70 nikon";
	expect(&q, "");
	q.camera = "nikon corporation nikon d70";
	expect(&q, "2004/03/29/A.JPG 2004/03/30/B.JPG");
	assert_int_equal(daterange_parse("2004-03-30..2004-03-31", &r), 0);
	q.taken = &r;
	q.camera = "nikon";
	expect(&q, "2004/03/30/B.JPG");
	q.camera = "d70";
	q.kind = "video";
	expect(&q, "");
	/* a model with no make: found by --model and --camera */
	add("2005/02/02/H.MP4", "2005-02-02T10:00:00", NULL, "HERO9 Black",
	    KIND_VIDEO);
	memset(&q, 0, sizeof q);
	q.camera = "hero9";
	expect(&q, "2005/02/02/H.MP4");
	q.camera = NULL;
	q.model = "black";
	expect(&q, "2005/02/02/H.MP4");
	q.make = "hero";
	expect(&q, "");
	assert_int_equal(catalog_exec(cat, "DELETE FROM files WHERE path ="
	    " '2005/02/02/H.MP4'"), 0);
}

/* Sum what catalog_tally gives for one year, kind or camera. */
struct sum {
	const char	*year, *kind, *make, *model;	/* NULL: any */
	int64_t		 files, bytes;
	int		 groups;
};

static int
sum_tally(void *arg, const struct cat_tally *t)
{
	struct sum	*s = arg;

	s->groups++;
	if ((s->year && strcmp(s->year, t->year)) ||
	    (s->kind && strcmp(s->kind, t->kind)) ||
	    (s->make && strcmp(s->make, t->make)) ||
	    (s->model && strcmp(s->model, t->model)))
		return 0;
	s->files += t->files;
	s->bytes += t->bytes;
	return 0;
}

static void
expect_tally(const char *year, const char *kind, const char *make,
    const char *model, int64_t files)
{
	struct sum	s;

	memset(&s, 0, sizeof s);
	s.year = year;
	s.kind = kind;
	s.make = make;
	s.model = model;
	assert_int_equal(catalog_tally(cat, sum_tally, &s), 0);
	assert_int_equal(s.files, files);
	assert_int_equal(s.bytes, files * 100);
}

/*
 * status's counts by year, kind and camera, kept by file_counts' triggers
 * as files are added, changed and removed, equal to counting the files.
 */
static void
test_tally(void **state)
{
	(void)state;
	expect_tally(NULL, NULL, NULL, NULL, 6);
	expect_tally("2004", NULL, NULL, NULL, 5);
	expect_tally("2005", NULL, NULL, NULL, 1);
	expect_tally(NULL, "video", NULL, NULL, 1);
	expect_tally(NULL, "image", NULL, NULL, 5);
	expect_tally(NULL, NULL, "NIKON CORPORATION", "NIKON D70", 2);
	expect_tally(NULL, NULL, "Canon", "", 1);
	expect_tally(NULL, NULL, "", "", 1);
	add("2006/01/01/G.JPG", "2006-01-01T00:00:00", "Canon",
	    "Canon EOS 20D", KIND_IMAGE);
	expect_tally(NULL, NULL, "Canon", "Canon EOS 20D", 2);
	expect_tally("2006", NULL, NULL, NULL, 1);
	assert_int_equal(catalog_exec(cat, "INSERT INTO cameras (make, model)"
	    " VALUES ('Nikon', 'D7000'); UPDATE files SET camera_id = (SELECT"
	    " id FROM cameras WHERE model = 'D7000'), taken ="
	    " '2007-02-02T10:00:00' WHERE path = '2006/01/01/G.JPG'"), 0);
	expect_tally(NULL, NULL, "Canon", "Canon EOS 20D", 1);
	expect_tally("2006", NULL, NULL, NULL, 0);
	expect_tally("2007", "image", "Nikon", "D7000", 1);
	assert_int_equal(catalog_exec(cat, "UPDATE files SET verified_at ="
	    " strftime('%s', '2020-01-01')"), 0);
	expect_tally(NULL, NULL, NULL, NULL, 7);
	assert_int_equal(catalog_exec(cat, "DELETE FROM files WHERE path ="
	    " '2007/02/02/G.JPG' OR path = '2006/01/01/G.JPG'"), 0);
	expect_tally(NULL, NULL, NULL, NULL, 6);
	expect_tally("2007", NULL, NULL, NULL, 0);
	/* the same as counting every file */
	assert_int_equal(catalog_exec(cat, "CREATE TEMP TABLE c AS SELECT"
	    " coalesce(substr(taken, 1, 4), '') y, kind k, coalesce(make, '')"
	    " mk, coalesce(model, '') md, count(*) n, sum(size) b FROM catalog"
	    " GROUP BY 1, 2, 3, 4"), 0);
	assert_int_equal(catalog_count(cat, NULL), 6);
	{
		sqlite3_stmt *st = catalog_prepare(cat, "SELECT (SELECT"
		    " count(*) FROM (SELECT * FROM c EXCEPT SELECT * FROM"
		    " file_counts)) + (SELECT count(*) FROM (SELECT * FROM"
		    " file_counts EXCEPT SELECT * FROM c))");

		assert_non_null(st);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
}

static void
test_verify_pick(void **state)
{
	struct catalog_vcursor	 c;
	int64_t			 ids[8];
	size_t			 n;
	uint64_t		 total, bytes;

	(void)state;
	assert_int_equal(catalog_count(cat, NULL), 6);
	assert_int_equal(catalog_verify_size(cat, NULL, 2, &total, &bytes), 0);
	assert_int_equal(total, 2);
	assert_int_equal(bytes, 200);
	/* Never verified: in catalogue order, a page at a time. */
	assert_int_equal(catalog_verify_start(cat, &c, NULL), 0);
	assert_int_equal(catalog_verify_next(cat, &c, ids, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(catalog_verified(cat, 1, "ok"), 0);
	assert_int_equal(catalog_verified(cat, 2, "ok"), 0);
	assert_int_equal(catalog_exec(cat, "UPDATE files SET verified_at ="
	    " strftime('%s', '2001-01-01') WHERE id = 5"), 0);
	/* The walk goes on: never verified first, then the one verified
	   longest ago; those verified since it began are not taken again. */
	assert_int_equal(catalog_verify_next(cat, &c, ids, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 4);
	assert_int_equal(ids[2], 6);
	assert_int_equal(catalog_verify_next(cat, &c, ids, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 5);
	assert_int_equal(catalog_verify_next(cat, &c, ids, 8, &n), 0);
	assert_int_equal(n, 0);
	/* A new walk: the unverified, then the oldest verified. */
	assert_int_equal(catalog_verify_start(cat, &c, NULL), 0);
	assert_int_equal(catalog_verify_next(cat, &c, ids, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 4);
	assert_int_equal(ids[2], 6);
	/* Since a date: nothing was catalogued in the future. */
	assert_int_equal(catalog_count(cat, "2999"), 0);
	assert_int_equal(catalog_verify_size(cat, "2999", -1, &total, &bytes),
	    0);
	assert_int_equal(total, 0);
	assert_int_equal(catalog_verify_start(cat, &c, "2999"), 0);
	assert_int_equal(catalog_verify_next(cat, &c, ids, 8, &n), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_verify_pick),
		cmocka_unit_test(test_camera),
		cmocka_unit_test(test_tally),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
