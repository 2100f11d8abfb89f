/*
 * test-vendor.c: dates in vendors' blocks (meta-vendor.c), on JPEGs built
 * here from ExifTool 12.57's descriptions of them (FLIR.pm: the FFF header,
 * record directory and CameraInfo record carried in APP1 "FLIR" chunks;
 * Reconyx.pm: the HyperFire, UltraFire and HyperFire 2 maker notes), whole
 * and cut at every length. The same bytes, written out by a script, were
 * checked once by hand with ExifTool 12.57: it reads the same dates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"
#include "tiff-build.h"

struct buf {
	uint8_t	 p[65536];
	size_t	 len;
};

static void
put(struct buf *b, const void *d, size_t n)
{
	assert_true(b->len + n <= sizeof b->p);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
put16be(struct buf *b, unsigned v)
{
	uint8_t	c[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, c, 2);
}

/* A JPEG segment: marker, length, data. */
static void
segment(struct buf *b, unsigned marker, const void *d, size_t n)
{
	put16be(b, 0xff00 | marker);
	put16be(b, (unsigned)n + 2);
	put(b, d, n);
}

static void
w16(uint8_t *p, unsigned v, int be)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

static void
w32(uint8_t *p, uint32_t v, int be)
{
	w16(p + (be ? 0 : 2), v >> 16, be);
	w16(p + (be ? 2 : 0), v & 0xffff, be);
}

/*
 * An FFF file as FLIR cameras write it into JPEGs: the header and record
 * directory in order hbe, a RawData record, then a CameraInfo record in
 * order rbe with DateTimeOriginal when, ms, tz (minutes west of UTC).
 * Returns its length.
 */
static size_t
fff(uint8_t *f, int hbe, int rbe, uint32_t when, int tz)
{
	const size_t	dir = 0x40, raw = 0x80, cam = 0x100, camlen = 0x480;

	memset(f, 0, cam + camlen);
	memcpy(f, "FFF\0", 4);
	memcpy(f + 4, "CAMCTRL", 7);
	w32(f + 0x14, 100, hbe);			/* version */
	w32(f + 0x18, (uint32_t)dir, hbe);
	w32(f + 0x1c, 2, hbe);				/* records */
	w16(f + dir, 0x01, hbe);			/* RawData */
	w32(f + dir + 0x0c, (uint32_t)raw, hbe);
	w32(f + dir + 0x10, 0x40, hbe);
	memset(f + raw, 0x5a, 0x40);
	w16(f + dir + 0x20, 0x20, hbe);			/* CameraInfo */
	w32(f + dir + 0x20 + 0x0c, (uint32_t)cam, hbe);
	w32(f + dir + 0x20 + 0x10, (uint32_t)camlen, hbe);
	w16(f + cam, 2, rbe);				/* byte order mark */
	w32(f + cam + 0x384, when, rbe);
	w32(f + cam + 0x388, 123, rbe);			/* milliseconds */
	w16(f + cam + 0x38c, (unsigned)(uint16_t)tz, rbe);
	return cam + camlen;
}

/*
 * A JPEG: SOI, an Exif APP1 (tiff, if n > 0), the FFF data in FLIR chunks
 * of chunk bytes (sent in the order order[], NULL for 0, 1, 2 ...), SOS.
 */
static void
flir_jpeg(struct buf *b, const struct tb *tiff, const uint8_t *f, size_t n,
    size_t chunk, const int *order)
{
	uint8_t	seg[8 + 4096];
	int	nchunks = (int)((n + chunk - 1) / chunk), i, k;

	b->len = 0;
	put16be(b, 0xffd8);
	if (tiff != NULL) {
		memcpy(seg, "Exif\0\0", 6);
		memcpy(seg + 6, tiff->b, tiff->n);
		segment(b, 0xe1, seg, 6 + tiff->n);
	}
	for (i = 0; i < nchunks; i++) {
		k = order != NULL ? order[i] : i;
		memcpy(seg, "FLIR\0\1", 6);
		seg[6] = (uint8_t)k;
		seg[7] = (uint8_t)(nchunks - 1);
		memcpy(seg + 8, f + (size_t)k * chunk,
		    n - (size_t)k * chunk < chunk ? n - (size_t)k * chunk :
		    chunk);
		segment(b, 0xe1, seg, 8 + (n - (size_t)k * chunk < chunk ?
		    n - (size_t)k * chunk : chunk));
	}
	put16be(b, 0xffda);
	put16be(b, 2);
}

static int
jpeg(const struct buf *b, size_t len, struct meta *m)
{
	struct sb_src	s;

	memset(m, 0, sizeof *m);
	src_mem(&s, b->p, len);
	return meta_jpeg(&s, m);
}

/* Every prefix of b parses without a crash; a failure says why. */
static void
truncations(const struct buf *b)
{
	struct meta	m;
	size_t		n;

	for (n = 0; n < b->len; n++)
		if (jpeg(b, n, &m) == -1)
			assert_true(m.error[0] != '\0');
}

static void
assert_date(const struct meta *m, const char *want, const char *source)
{
	struct meta	r = *m;
	char		got[64];

	date_resolve(&r, NULL);
	date_format(&r.taken, got, sizeof got);
	assert_string_equal(got, want);
	assert_string_equal(m->date_source, source);
}

/* 2020-01-01T10:00:00Z */
#define WHEN	1577872800U

static void
test_flir(void **state)
{
	static uint8_t	f[0x600];
	static struct buf b;
	static const int order[] = { 2, 0, 1, 4, 3 };
	static const char DTO[] = "2019:08:24 12:12:33";
	struct tb_entry	e0[] = { { 0x010f, 2, 5, "FLIR" } };
	struct tb_entry	ex[] = { { 0x9003, 2, sizeof DTO, DTO } };
	struct tb	t;
	struct meta	m;
	size_t		n;

	(void)state;
	/* Header big-endian, CameraInfo little (as FLIR's JPEGs have it);
	 * the date straddles two 300-byte chunks. UTC+1: tz is -60. */
	n = fff(f, 1, 0, WHEN, -60);
	flir_jpeg(&b, NULL, f, n, 300, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2020-01-01T11:00:00+01:00", "flir");
	truncations(&b);

	/* chunks out of order are put back in order */
	flir_jpeg(&b, NULL, f, n, 300, order);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2020-01-01T11:00:00+01:00", "flir");

	/* all little-endian, one chunk, a zone beyond reason left out */
	n = fff(f, 0, 0, WHEN, 5000);
	flir_jpeg(&b, NULL, f, n, 4096, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_true(m.taken.has_utc);
	assert_false(m.taken.has_offset);
	assert_int_equal(m.taken.utc, WHEN);

	/* all big-endian */
	n = fff(f, 1, 1, WHEN, 300);
	flir_jpeg(&b, NULL, f, n, 4096, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2020-01-01T05:00:00-05:00", "flir");

	/* Exif's DateTimeOriginal wins */
	tb_tiff(&t, 0, 42, e0, 1, ex, 1);
	n = fff(f, 1, 0, WHEN, -60);
	flir_jpeg(&b, &t, f, n, 500, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "exif");
	assert_string_equal(m.make, "FLIR");
	truncations(&b);

	/* a missing chunk, a bad version, a short CameraInfo: no date */
	flir_jpeg(&b, NULL, f, n, 300, NULL);
	memcpy(b.p + 2 + 4 + 6, "\x07", 1);	/* first chunk becomes #7 */
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_utc);
	n = fff(f, 1, 0, WHEN, -60);
	w32(f + 0x14, 300, 1);
	flir_jpeg(&b, NULL, f, n, 4096, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_utc);
	n = fff(f, 1, 0, WHEN, -60);
	w32(f + 0x40 + 0x20 + 0x10, 0x300, 1);
	flir_jpeg(&b, NULL, f, n, 4096, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_utc);
	/* a record past the end of the data */
	n = fff(f, 1, 0, WHEN, -60);
	w32(f + 0x40 + 0x20 + 0x0c, 0xfffffff0, 1);
	flir_jpeg(&b, NULL, f, n, 4096, NULL);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_utc);
}

/* A Reconyx JPEG: Make RECONYX (if make), the maker note mn, no date tags. */
static void
reconyx_jpeg(struct buf *b, int make, const uint8_t *mn, size_t n)
{
	struct tb_entry	e0[] = { { 0x010f, 2, 8, "RECONYX" } };
	struct tb_entry	ex[] = { { 0x927c, 7, (uint32_t)n, mn } };
	struct tb	t;
	uint8_t		seg[4096];

	tb_tiff(&t, 0, 42, e0, make ? 1 : 0, ex, 1);
	b->len = 0;
	put16be(b, 0xffd8);
	memcpy(seg, "Exif\0\0", 6);
	memcpy(seg + 6, t.b, t.n);
	segment(b, 0xe1, seg, 6 + t.n);
	put16be(b, 0xffda);
	put16be(b, 2);
}

static void
test_reconyx(void **state)
{
	static struct buf b;
	uint8_t		mn[0x100];
	struct meta	m;
	int		i;
	/* second, minute, hour, month, day, year */
	static const unsigned hf[6] = { 33, 12, 12, 8, 24, 2019 };

	(void)state;
	/* HyperFire: 0xf101, firmware 3, the date at word 11 */
	memset(mn, 0, sizeof mn);
	mn[0] = 0x01;
	mn[1] = 0xf1;
	mn[2] = 0x03;
	for (i = 0; i < 6; i++)
		w16(mn + 22 + 2 * i, hf[i], 0);
	reconyx_jpeg(&b, 1, mn, 0x58);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "reconyx");
	assert_string_equal(m.make, "RECONYX");
	truncations(&b);
	/* the date words written big-endian */
	for (i = 0; i < 6; i++)
		w16(mn + 22 + 2 * i, hf[i], 1);
	reconyx_jpeg(&b, 1, mn, 0x58);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "reconyx");
	/* no firmware word: taken only when the Make says RECONYX */
	mn[2] = 0x00;
	reconyx_jpeg(&b, 1, mn, 0x58);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "reconyx");
	reconyx_jpeg(&b, 0, mn, 0x58);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_wall);
	/* too short for the date */
	mn[2] = 0x03;
	reconyx_jpeg(&b, 1, mn, 33);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_wall);

	/* UltraFire: bytes at 0x3b, second ... month, year low, year high */
	memset(mn, 0, sizeof mn);
	memcpy(mn, "RECONYXUF\0", 10);
	memcpy(mn + 0x3b, "\x21\x0c\x0c\x18\x08\xe3\x07", 7);
	reconyx_jpeg(&b, 1, mn, 0x6f);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "reconyx");
	truncations(&b);

	/* HyperFire 2: int16u at 0x3e, second ... day, month, year */
	memset(mn, 0, sizeof mn);
	memcpy(mn, "RECONYXH2\0", 10);
	w16(mn + 0x3e, 33, 0);
	w16(mn + 0x40, 12, 0);
	w16(mn + 0x42, 12, 0);
	w16(mn + 0x44, 24, 0);
	w16(mn + 0x46, 8, 0);
	w16(mn + 0x48, 2019, 0);
	reconyx_jpeg(&b, 1, mn, 0x9c);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_date(&m, "2019-08-24T12:12:33", "reconyx");
	truncations(&b);
	/* day and month swapped: the 8th of the 24th month is no date */
	w16(mn + 0x44, 8, 0);
	w16(mn + 0x46, 24, 0);
	reconyx_jpeg(&b, 1, mn, 0x9c);
	assert_int_equal(jpeg(&b, b.len, &m), 0);
	assert_false(m.taken.has_wall);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flir),
		cmocka_unit_test(test_reconyx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
