/*
 * test-tiff.c: the TIFF walker (meta-tiff.c) on small TIFFs built in
 * memory: both byte orders, the date priority, DNGVersion, ORF/RW2 magics,
 * an RW2's JpgFromRaw, an embedded TIFF, and corrupt files (loops, offsets
 * past the end, huge counts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"
#include "tiff-build.h"

static const char MAKE[] = "NIKON CORPORATION";
static const char MODEL[] = "NIKON D70";
static const char DT[] = "2004:03:30 10:43:46";
static const char DTO[] = "2004:03:29 09:01:02";
static const char DTD[] = "2004:03:28 08:00:00";
static const char OTO[] = "+02:00";
static const uint8_t DNGV[4] = { 1, 4, 0, 0 };

/* Run meta_tiff over the built file at base; returns its result. */
static int
run(const struct tb *t, size_t base, struct meta *m, struct tiff_info *ti)
{
	struct sb_src	s;

	src_mem(&s, t->b, t->n);
	memset(m, 0, sizeof *m);
	return meta_tiff(&s, base, m, ti);
}

static void
test_le_ifd0_datetime(void **state)
{
	struct tb_entry	 e[] = {
		{ 0x010f, 2, sizeof MAKE, MAKE },
		{ 0x0110, 2, sizeof MODEL, MODEL },
		{ 0x0132, 2, sizeof DT, DT },
	};
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 0, 42, e, 3, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_true(ti.ok);
	assert_int_equal(ti.magic, 42);
	assert_string_equal(m.make, MAKE);
	assert_string_equal(m.model, MODEL);
	assert_string_equal(ti.make, MAKE);
	assert_string_equal(m.date_source, "exif-datetime");
	assert_int_equal(m.taken.year, 2004);
	assert_int_equal(m.taken.hour, 10);
	assert_false(ti.dng);
	assert_string_equal(m.error, "");
}

static void
test_be_exif_original_with_offset(void **state)
{
	struct tb_entry	 e0[] = {
		{ 0x010f, 2, sizeof MAKE, MAKE },
		{ 0x0132, 2, sizeof DT, DT },
	};
	struct tb_entry	 ex[] = {
		{ 0x9003, 2, sizeof DTO, DTO },
		{ 0x9004, 2, sizeof DTD, DTD },
		{ 0x9011, 2, sizeof OTO, OTO },
	};
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 1, 42, e0, 2, ex, 3);
	assert_int_equal(t.b[0], 'M');
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_string_equal(m.date_source, "exif");
	assert_int_equal(m.taken.day, 29);
	assert_int_equal(m.taken.sec, 2);
	assert_true(m.taken.has_offset);
	assert_int_equal(m.taken.offset_min, 120);
	assert_true(ti.tags_seen & TIFF_SEEN_EXIF);
}

static void
test_digitized_before_datetime(void **state)
{
	struct tb_entry	 e0[] = { { 0x0132, 2, sizeof DT, DT } };
	struct tb_entry	 ex[] = { { 0x9004, 2, sizeof DTD, DTD } };
	struct tb	 t;
	struct meta	 m;

	(void)state;
	tb_tiff(&t, 0, 42, e0, 1, ex, 1);
	assert_int_equal(run(&t, 0, &m, NULL), 0);
	assert_string_equal(m.date_source, "exif-digitized");
	assert_int_equal(m.taken.day, 28);
}

static void
test_existing_date_kept(void **state)
{
	struct tb_entry	 ex[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb	 t;
	struct meta	 m;
	struct sb_src	 s;

	(void)state;
	tb_tiff(&t, 0, 42, NULL, 0, ex, 1);
	src_mem(&s, t.b, t.n);
	memset(&m, 0, sizeof m);
	m.taken.has_wall = 1;
	m.taken.year = 1999;
	strcpy(m.date_source, "xmp");
	assert_int_equal(meta_tiff(&s, 0, &m, NULL), 0);
	assert_int_equal(m.taken.year, 1999);
	assert_string_equal(m.date_source, "xmp");
}

static void
test_dngversion(void **state)
{
	static const char pentax[] = "PENTAX";
	struct tb_entry	 e[] = {
		{ 0x010f, 2, sizeof pentax, pentax },
		{ 0xc612, 1, 4, DNGV },
	};
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 1, 42, e, 2, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_true(ti.dng);
	assert_string_equal(ti.make, "PENTAX");
	assert_string_equal(m.date_source, "");
}

static void
test_raw_evidence(void **state)
{
	static const uint16_t cfa = 32803, nefcomp = 34713;
	struct tb_entry	 e[] = {
		{ 0x0103, 3, 1, &nefcomp },
		{ 0x0106, 3, 1, &cfa },
	};
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 0, 42, e, 2, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_true(ti.tags_seen & TIFF_SEEN_CFA);
	assert_true(ti.tags_seen & TIFF_SEEN_RAWCOMP);
}

static void
test_subifd_evidence(void **state)
{
	static const uint16_t cfa = 32803;
	static const uint32_t sub = 600;
	struct tb_entry	 e0[] = { { 0x014a, 4, 1, &sub } };
	struct tb_entry	 es[] = { { 0x0106, 3, 1, &cfa } };
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 0, 42, e0, 1, NULL, 0);
	t.n = 600;
	tb_ifd(&t, 600, es, 1, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_true(ti.tags_seen & TIFF_SEEN_SUBIFDS);
	assert_true(ti.tags_seen & TIFF_SEEN_CFA);
}

static void
test_orf_rw2_cr2_magics(void **state)
{
	struct tb_entry	 e[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	tb_tiff(&t, 0, 0x55, e, 1, NULL, 0);	/* RW2: dates in IFD0 */
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_int_equal(ti.magic, 0x55);
	assert_string_equal(m.date_source, "exif");

	tb_tiff(&t, 0, 0x4f52, e, 1, NULL, 0);	/* "IIRO" */
	assert_memory_equal(t.b, "IIRO", 4);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_int_equal(ti.magic, 0x4f52);

	tb_tiff(&t, 1, 0x4f52, e, 1, NULL, 0);	/* "MMOR" */
	assert_memory_equal(t.b, "MMOR", 4);
	assert_int_equal(run(&t, 0, &m, &ti), 0);

	tb_header(&t, 0, 42);			/* CR2: IFD0 at 16 */
	tb_put32(&t, 4, 16);
	memcpy(t.b + 8, "CR\2\0\0\0\0\0", 8);
	tb_ifd(&t, 16, e, 1, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_true(ti.cr2);
	assert_string_equal(m.date_source, "exif");
}

/*
 * A JPEG of len bytes in jpg: an Exif APP1 whose IFD0 holds Make "Panasonic"
 * and Model "DMC-GH5", its ExifIFD DateTimeOriginal date with an
 * OffsetTimeOriginal of +09:00, then a start of scan. Returns its length.
 */
static size_t
rw2_jpeg(uint8_t *jpg, size_t len, const char *date)
{
	static const char	 make[] = "Panasonic", model[] = "DMC-GH5";
	static const char	 oto[] = "+09:00";
	static const uint32_t	 exifoff = 100;
	struct tb_entry	 e0[] = {
		{ 0x010f, 2, sizeof make, make },
		{ 0x0110, 2, sizeof model, model },
		{ 0x8769, 4, 1, &exifoff },
	};
	struct tb_entry	 ex[] = {
		{ 0x9003, 2, 20, date },
		{ 0x9011, 2, sizeof oto, oto },
	};
	struct tb	 t;
	size_t		 n;

	tb_header(&t, 0, 42);
	tb_ifd(&t, 8, e0, 3, 0);
	t.n = exifoff;
	tb_ifd(&t, exifoff, ex, 2, 0);
	n = 2 + 4 + 6 + t.n + 4;
	assert_true(n + 2 <= len);
	memcpy(jpg, "\xff\xd8\xff\xe1", 4);
	jpg[4] = (uint8_t)((n - 4) >> 8);
	jpg[5] = (uint8_t)((n - 4) & 0xff);
	memcpy(jpg + 6, "Exif\0\0", 6);
	memcpy(jpg + 12, t.b, t.n);
	memcpy(jpg + 12 + t.n, "\xff\xda\0\2", 4);
	memcpy(jpg + n, "\xff\xd9", 2);
	return n + 2;
}

/*
 * A Panasonic RW2 (and Leica RWL) keeps the camera's Exif in the JPEG of
 * IFD0's tag 0x2e, JpgFromRaw, which ExifTool reads; IFD0's own tags win.
 */
static void
test_rw2_jpgfromraw(void **state)
{
	static const char	 jdate[] = "2019:12:31 23:59:58";
	uint8_t		 jpg[512];
	size_t		 jl = rw2_jpeg(jpg, sizeof jpg, jdate);
	struct tb_entry	 e[] = {
		{ 0x002e, 7, (uint32_t)jl, jpg },
		{ 0x0132, 2, sizeof DT, DT },
		{ 0x010f, 2, sizeof MAKE, MAKE },
	};
	struct tb_entry	 ex[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb		t;
	struct meta		m;
	struct tiff_info	ti;

	(void)state;
	/* The JPEG's DateTimeOriginal and zone, its make and model. */
	tb_tiff(&t, 0, 0x55, e, 1, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_string_equal(m.date_source, "exif");
	assert_int_equal(m.taken.year, 2019);
	assert_int_equal(m.taken.sec, 58);
	assert_true(m.taken.has_offset);
	assert_int_equal(m.taken.offset_min, 540);
	assert_string_equal(m.make, "Panasonic");
	assert_string_equal(m.model, "DMC-GH5");

	/* Before IFD0's DateTime, a change time; IFD0's make is kept. */
	tb_tiff(&t, 1, 0x55, e, 3, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_string_equal(m.date_source, "exif");
	assert_int_equal(m.taken.year, 2019);
	assert_string_equal(m.make, MAKE);
	assert_string_equal(m.model, "DMC-GH5");

	/* IFD0's own ExifIFD DateTimeOriginal wins. */
	tb_tiff(&t, 0, 0x55, e, 3, ex, 1);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_string_equal(m.date_source, "exif");
	assert_int_equal(m.taken.year, 2004);
	assert_false(m.taken.has_offset);

	/* Tag 0x2e means nothing in a plain TIFF. */
	tb_tiff(&t, 0, 42, e, 2, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_string_equal(m.date_source, "exif-datetime");
	assert_int_equal(m.taken.year, 2004);

	/* A JPEG cut short, or running past the end: no date, no harm. */
	tb_tiff(&t, 0, 0x55, e, 1, NULL, 0);
	t.n -= jl / 2;
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_false(m.taken.has_wall);
	assert_string_equal(m.make, "");
	e[0].count = 40;		/* the APP1 overruns the JPEG */
	tb_tiff(&t, 0, 0x55, e, 1, NULL, 0);
	assert_int_equal(run(&t, 0, &m, &ti), 0);
	assert_false(m.taken.has_wall);
	assert_string_equal(m.make, "");
}

static void
test_embedded_at_base(void **state)
{
	struct tb_entry	 ex[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb	 t, big;
	struct meta	 m;

	(void)state;
	tb_tiff(&t, 1, 42, NULL, 0, ex, 1);
	memset(&big, 0, sizeof big);
	memcpy(big.b, "junkjunkjunk", 12);
	memcpy(big.b + 12, t.b, t.n);
	big.n = t.n + 12;
	assert_int_equal(run(&big, 12, &m, NULL), 0);
	assert_string_equal(m.date_source, "exif");
	assert_int_equal(run(&big, 0, &m, NULL), -1);
	assert_int_equal(run(&big, big.n + 5, &m, NULL), -1);
}

static void
test_ifd0_past_eof(void **state)
{
	struct tb	 t;
	struct meta	 m;

	(void)state;
	tb_header(&t, 0, 42);
	tb_put32(&t, 4, 123456);
	t.n = 2048;
	assert_int_equal(run(&t, 0, &m, NULL), -1);
	assert_string_equal(m.error, "TIFF IFD0 offset 123456 is past the "
	    "end of the file (2048 bytes)");
}

static void
test_huge_count(void **state)
{
	struct tb	 t;
	struct meta	 m;

	(void)state;
	tb_header(&t, 0, 42);
	tb_put16(&t, 8, 0xffff);
	t.n = 64;
	assert_int_equal(run(&t, 0, &m, NULL), -1);
	assert_non_null(strstr(m.error, "65535 entries"));

	tb_put16(&t, 8, 100);			/* 1200 bytes in 64 */
	assert_int_equal(run(&t, 0, &m, NULL), -1);
	assert_non_null(strstr(m.error, "past the end"));
}

static void
test_value_past_eof(void **state)
{
	struct tb_entry	 e[] = { { 0x010f, 2, sizeof MAKE, MAKE } };
	struct tb	 t;
	struct meta	 m;

	(void)state;
	tb_tiff(&t, 0, 42, e, 1, NULL, 0);
	tb_put32(&t, 8 + 2 + 8, 0xfffffff0);	/* Make's value offset */
	assert_int_equal(run(&t, 0, &m, NULL), 0);
	assert_string_equal(m.make, "");
	assert_non_null(strstr(m.error, "past the end"));

	tb_tiff(&t, 0, 42, e, 1, NULL, 0);	/* count * size overflows */
	tb_put32(&t, 8 + 2 + 4, 0xffffffff);
	tb_put16(&t, 8 + 2 + 2, 12);		/* DOUBLE */
	assert_int_equal(run(&t, 0, &m, NULL), 0);
	assert_string_equal(m.make, "");
}

static void
test_loops(void **state)
{
	struct tb_entry	 ex[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb	 t;
	struct meta	 m;

	(void)state;
	tb_tiff(&t, 0, 42, NULL, 0, ex, 1);
	tb_put32(&t, 8 + 2 + 12, 8);		/* IFD0 -> next IFD0 */
	assert_int_equal(run(&t, 0, &m, NULL), 0);
	assert_string_equal(m.date_source, "exif");
	assert_non_null(strstr(m.error, "loops"));

	tb_tiff(&t, 0, 42, NULL, 0, ex, 1);	/* ExifIFD -> IFD0 */
	tb_put32(&t, 8 + 2 + 8, 8);
	assert_int_equal(run(&t, 0, &m, NULL), 0);
	assert_string_equal(m.date_source, "");
	assert_non_null(strstr(m.error, "loops"));

	tb_tiff(&t, 0, 42, NULL, 0, ex, 1);	/* ExifIFD -> itself */
	tb_put32(&t, 512 + 2 + 12, 512);
	assert_int_equal(run(&t, 0, &m, NULL), 0);
}

static void
test_not_tiff(void **state)
{
	struct tb	 t;
	struct meta	 m;

	(void)state;
	memset(&t, 0, sizeof t);
	memcpy(t.b, "GIF89a..", 8);
	t.n = 32;
	assert_int_equal(run(&t, 0, &m, NULL), -1);
	t.n = 4;
	assert_int_equal(run(&t, 0, &m, NULL), -1);
	assert_non_null(strstr(m.error, "truncated"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_ifd0_datetime),
		cmocka_unit_test(test_be_exif_original_with_offset),
		cmocka_unit_test(test_digitized_before_datetime),
		cmocka_unit_test(test_existing_date_kept),
		cmocka_unit_test(test_dngversion),
		cmocka_unit_test(test_raw_evidence),
		cmocka_unit_test(test_subifd_evidence),
		cmocka_unit_test(test_orf_rw2_cr2_magics),
		cmocka_unit_test(test_rw2_jpgfromraw),
		cmocka_unit_test(test_embedded_at_base),
		cmocka_unit_test(test_ifd0_past_eof),
		cmocka_unit_test(test_huge_count),
		cmocka_unit_test(test_value_past_eof),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_not_tiff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
