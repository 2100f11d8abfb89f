/*
 * test-containers.c: the container parsers (meta-bmff.c, meta-riff.c,
 * meta-png.c, meta-mkv.c, meta-mpegts.c, meta-dv.c, meta-asf.c, meta-mxf.c,
 * meta-red.c)
 * on fixtures built here from the format descriptions, good and damaged,
 * and on the corpus files when $CORPUS is set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "shoebox.h"

typedef int (*parser_fn)(const struct sb_src *, struct meta *);

/* A growing byte buffer for fixtures. */
struct buf {
	uint8_t	*p;
	size_t	 len, cap;
};

static void
put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
put8(struct buf *b, unsigned v)
{
	uint8_t	c = (uint8_t)v;

	put(b, &c, 1);
}

static void
put16be(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void
put32be(struct buf *b, uint32_t v)
{
	put16be(b, v >> 16);
	put16be(b, v & 0xffff);
}

static void
put64be(struct buf *b, uint64_t v)
{
	put32be(b, (uint32_t)(v >> 32));
	put32be(b, (uint32_t)v);
}

static void
put16le(struct buf *b, unsigned v)
{
	put8(b, v);
	put8(b, v >> 8);
}

static void
put32le(struct buf *b, uint32_t v)
{
	put16le(b, v & 0xffff);
	put16le(b, v >> 16);
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
fill(struct buf *b, unsigned v, size_t n)
{
	while (n-- > 0)
		put8(b, v);
}

/* Start an ISO box; returns its offset for box_end. */
static size_t
box(struct buf *b, const char *type)
{
	size_t	at = b->len;

	put32be(b, 0);
	put(b, type, 4);
	return at;
}

static void
box_end(struct buf *b, size_t at)
{
	uint32_t n = (uint32_t)(b->len - at);

	b->p[at] = n >> 24;
	b->p[at + 1] = n >> 16;
	b->p[at + 2] = n >> 8;
	b->p[at + 3] = n;
}

/* Start a RIFF chunk; chunk_end patches the size and pads to even. */
static size_t
chunk(struct buf *b, const char *id)
{
	size_t	at = b->len;

	put(b, id, 4);
	put32le(b, 0);
	return at;
}

static void
chunk_end(struct buf *b, size_t at)
{
	uint32_t n = (uint32_t)(b->len - at - 8);

	b->p[at + 4] = n;
	b->p[at + 5] = n >> 8;
	b->p[at + 6] = n >> 16;
	b->p[at + 7] = n >> 24;
	if (n & 1)
		put8(b, 0);
}

/*
 * A little-endian TIFF: IFD0 with Make, an Exif IFD with DateTimeOriginal
 * date (19 characters) and, if off is not NULL, OffsetTimeOriginal.
 */
static void
tiff(struct buf *b, const char *make, const char *date, const char *off)
{
	size_t	 base = b->len;
	unsigned n = off != NULL ? 2 : 1;
	uint32_t exif = 8 + 2 + 2 * 12 + 4;
	uint32_t data = exif + 2 + n * 12 + 4;

	puts_(b, "II*");
	put8(b, 0);
	put32le(b, 8);
	put16le(b, 2);				/* IFD0 */
	put16le(b, 0x010f);
	put16le(b, 2);
	put32le(b, (uint32_t)strlen(make) + 1);
	put32le(b, data + 20 + 8);
	put16le(b, 0x8769);
	put16le(b, 4);
	put32le(b, 1);
	put32le(b, exif);
	put32le(b, 0);
	put16le(b, (unsigned)n);		/* Exif IFD */
	put16le(b, 0x9003);
	put16le(b, 2);
	put32le(b, 20);
	put32le(b, data);
	if (off != NULL) {
		put16le(b, 0x9011);
		put16le(b, 2);
		put32le(b, 7);
		put32le(b, data + 20);
	}
	put32le(b, 0);
	assert_int_equal(b->len - base, data);
	put(b, date, 19);
	put8(b, 0);
	if (off != NULL)
		put(b, off, 7);
	else
		fill(b, 0, 7);
	put8(b, 0);
	put(b, make, strlen(make) + 1);
}

/* Run fn over buf as a memory source. */
static int
run(parser_fn fn, const struct buf *b, struct meta *m)
{
	struct sb_src	s;

	memset(m, 0, sizeof *m);
	src_mem(&s, b->p, b->len);
	return fn(&s, m);
}

/* Every prefix of the fixture must parse without a crash or hang. */
static void
truncations(parser_fn fn, const struct buf *b)
{
	struct meta	m;
	struct buf	c = *b;
	int		rc;

	for (c.len = 0; c.len < b->len; c.len++) {
		rc = run(fn, &c, &m);
		assert_true(rc == 0 || rc == -1);
		if (rc == -1)
			assert_true(m.error[0] != '\0');
	}
}

static void
assert_utc(const struct meta *m, const char *want, const char *source)
{
	char	got[64];

	date_format_utc(&m->taken, got, sizeof got);
	assert_string_equal(got, want);
	assert_string_equal(m->date_source, source);
}

static void
assert_wall(const struct meta *m, const char *want, const char *source)
{
	char	got[64];

	date_format(&m->taken, got, sizeof got);
	assert_string_equal(got, want);
	assert_string_equal(m->date_source, source);
}

/* ---- ISO-BMFF / QuickTime ---- */

#define EPOCH1904 2082844800ULL

static void
mp4_head(struct buf *b, const char *brand)
{
	size_t	f = box(b, "ftyp");

	puts_(b, brand);
	put32be(b, 0);
	puts_(b, brand);
	box_end(b, f);
	f = box(b, "mdat");
	fill(b, 0xaa, 300);
	box_end(b, f);
}

static void
mvhd(struct buf *b, int version, uint64_t t)
{
	size_t	at = box(b, "mvhd");

	put8(b, version);
	fill(b, 0, 3);
	if (version == 1) {
		put64be(b, t);
		put64be(b, t);
		put32be(b, 1000);
		put64be(b, 1000);
	} else {
		put32be(b, (uint32_t)t);
		put32be(b, (uint32_t)t);
		put32be(b, 1000);
		put32be(b, 1000);
	}
	fill(b, 0, 80);
	box_end(b, at);
}

static void
test_bmff_mvhd(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov;

	(void)state;
	mp4_head(&b, "isom");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1625423415ULL + EPOCH1904);	/* 2021-07-04T18:30:15Z */
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2021-07-04T18:30:15Z", "quicktime");
	assert_false(m.taken.has_wall);
	truncations(meta_bmff, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 1, 1577836798ULL + EPOCH1904);	/* 2019-12-31T23:59:58Z */
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime");
	free(b.p);
}

static void
test_bmff_zero_mdhd(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, trak, mdia, at;

	(void)state;
	mp4_head(&b, "3gp4");
	moov = box(&b, "moov");
	mvhd(&b, 0, 0);				/* no date */
	trak = box(&b, "trak");
	mdia = box(&b, "mdia");
	at = box(&b, "mdhd");
	put32be(&b, 0);
	put32be(&b, (uint32_t)(1456747200ULL + EPOCH1904));
	put32be(&b, 0);
	put32be(&b, 1000);
	put32be(&b, 1000);
	box_end(&b, at);
	box_end(&b, mdia);
	box_end(&b, trak);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2016-02-29T12:00:00Z", "quicktime-mdhd");
	free(b.p);

	/* Only a zero mvhd: no date at all. */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "isom");
	moov = box(&b, "moov");
	mvhd(&b, 0, 0);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_false(m.taken.has_utc || m.taken.has_wall);
	assert_string_equal(m.date_source, "");
	free(b.p);
}

/*
 * Times counted from 1970, not 1904, as some writers count them: ExifTool
 * takes a time before 1970 in 1904's count for one (QuickTime.pm).
 */
static void
test_bmff_unix_epoch(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, trak, mdia, at;

	(void)state;
	mp4_head(&b, "isom");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1625423415ULL);		/* 2021-07-04T18:30:15Z */
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2021-07-04T18:30:15Z", "quicktime");
	free(b.p);

	memset(&b, 0, sizeof b);
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 1, 1577836798ULL);		/* 2019-12-31T23:59:58Z */
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime");
	free(b.p);

	/* mdhd alike, under a zero mvhd. */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "3gp4");
	moov = box(&b, "moov");
	mvhd(&b, 0, 0);
	trak = box(&b, "trak");
	mdia = box(&b, "mdia");
	at = box(&b, "mdhd");
	put32be(&b, 0);
	put32be(&b, 1456747200);		/* 2016-02-29T12:00:00Z */
	put32be(&b, 0);
	put32be(&b, 1000);
	put32be(&b, 1000);
	box_end(&b, at);
	box_end(&b, mdia);
	box_end(&b, trak);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2016-02-29T12:00:00Z", "quicktime-mdhd");
	free(b.p);

	/* The last second before 1970 in 1904's count is 1970's, as for
	 * ExifTool; 1970 itself in 1904's is no date. */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "isom");
	moov = box(&b, "moov");
	mvhd(&b, 0, EPOCH1904 - 1);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2036-01-01T23:59:59Z", "quicktime");
	free(b.p);

	memset(&b, 0, sizeof b);
	mp4_head(&b, "isom");
	moov = box(&b, "moov");
	mvhd(&b, 0, EPOCH1904);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_false(m.taken.has_utc || m.taken.has_wall);
	free(b.p);
}

/* A keys entry. */
static void
key(struct buf *b, const char *name)
{
	put32be(b, (uint32_t)(8 + strlen(name)));
	puts_(b, "mdta");
	puts_(b, name);
}

/* An ilst item holding a UTF-8 'data' box. */
static void
item(struct buf *b, uint32_t index, const char *value)
{
	size_t	it, d;

	it = b->len;
	put32be(b, 0);
	put32be(b, index);
	d = box(b, "data");
	put32be(b, 1);
	put32be(b, 0);
	puts_(b, value);
	box_end(b, d);
	box_end(b, it);
}

static void
test_bmff_keys(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, meta, at;

	(void)state;
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);
	meta = box(&b, "meta");			/* QuickTime: no version */
	at = box(&b, "hdlr");
	fill(&b, 0, 8);
	puts_(&b, "mdta");
	fill(&b, 0, 13);
	box_end(&b, at);
	at = box(&b, "keys");
	put32be(&b, 0);
	put32be(&b, 4);
	key(&b, "com.apple.quicktime.location.ISO6709");
	key(&b, "com.apple.quicktime.make");
	key(&b, "com.apple.quicktime.model");
	key(&b, "com.apple.quicktime.creationdate");
	box_end(&b, at);
	at = box(&b, "ilst");
	item(&b, 1, "+37.3+122.0/");
	item(&b, 2, "Apple");
	item(&b, 3, "iPhone 11");
	item(&b, 4, "2019-12-31T15:59:58-0800");
	item(&b, 9, "index past the keys");
	box_end(&b, at);
	box_end(&b, meta);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2019-12-31T15:59:58-08:00", "quicktime-keys");
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime-keys");
	assert_string_equal(m.make, "Apple");
	assert_string_equal(m.model, "iPhone 11");
	truncations(meta_bmff, &b);
	free(b.p);
}

/* A QuickTime text atom: 16-bit length, language, text. */
static void
qt_text(struct buf *b, const char *type, const char *text)
{
	size_t	at = box(b, type);

	put16be(b, (unsigned)strlen(text));
	put16be(b, 0x55c4);
	puts_(b, text);
	box_end(b, at);
}

static void
test_bmff_udta(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, udta;

	(void)state;
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);
	udta = box(&b, "udta");
	qt_text(&b, "\251day", "2020-06-01T10:00:00+0200");
	qt_text(&b, "\251mak", "Samsung");
	qt_text(&b, "\251mod", "SM-G960F");
	put32be(&b, 0);				/* QuickTime's terminator */
	box_end(&b, udta);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2020-06-01T10:00:00+02:00", "quicktime-day");
	assert_string_equal(m.make, "Samsung");
	assert_string_equal(m.model, "SM-G960F");
	truncations(meta_bmff, &b);
	free(b.p);
}

/* A HEIF file whose Exif item sits in mdat, located through iloc. */
static void
heif(struct buf *b, int iloc_version, int xmp)
{
	size_t	f, meta, at, iloc_off, exif_at;

	f = box(b, "ftyp");
	puts_(b, "heic");
	put32be(b, 0);
	puts_(b, "mif1heic");
	box_end(b, f);
	meta = box(b, "meta");
	put32be(b, 0);
	at = box(b, "hdlr");
	fill(b, 0, 8);
	puts_(b, "pict");
	fill(b, 0, 13);
	box_end(b, at);
	at = box(b, "iinf");
	put32be(b, 0);
	put16be(b, 2);
	f = box(b, "infe");
	put32be(b, 0x02000000);
	put16be(b, 1);
	put16be(b, 0);
	puts_(b, "hvc1");
	put8(b, 0);
	box_end(b, f);
	f = box(b, "infe");
	put32be(b, 0x02000000);
	put16be(b, 2);
	put16be(b, 0);
	if (xmp) {
		puts_(b, "mime");
		put(b, "XMP\0application/rdf+xml\0", 24);
	} else {
		puts_(b, "Exif");
		put8(b, 0);
	}
	box_end(b, f);
	box_end(b, at);
	at = box(b, "iloc");
	put8(b, iloc_version);
	fill(b, 0, 3);
	put8(b, 0x44);				/* offset 4, length 4 */
	put8(b, 0x40);				/* base offset 4 */
	if (iloc_version < 2)
		put16be(b, 2);
	else
		put32be(b, 2);
	/* item 1: an hvc1 tile, somewhere */
	if (iloc_version < 2)
		put16be(b, 1);
	else
		put32be(b, 1);
	if (iloc_version > 0)
		put16be(b, 0);
	put16be(b, 0);
	put32be(b, 0);
	put16be(b, 1);
	put32be(b, 0);
	put32be(b, 10);
	/* item 2: the Exif, base 0, one extent patched below */
	if (iloc_version < 2)
		put16be(b, 2);
	else
		put32be(b, 2);
	if (iloc_version > 0)
		put16be(b, 0);
	put16be(b, 0);
	put32be(b, 0);
	put16be(b, 1);
	iloc_off = b->len;
	put32be(b, 0);
	put32be(b, 0);
	box_end(b, at);
	box_end(b, meta);
	at = box(b, "mdat");
	exif_at = b->len;
	if (xmp)
		puts_(b, "<x:xmpmeta><rdf:Description><exif:DateTimeOriginal>"
		    "2021-02-13T11:03:31-06:00</exif:DateTimeOriginal>"
		    "</rdf:Description></x:xmpmeta>");
	else {
		put32be(b, 6);			/* to the TIFF header */
		put(b, "Exif\0\0", 6);
		tiff(b, "Apple", "2021:02:13 11:03:31", "-06:00");
	}
	box_end(b, at);
	b->p[iloc_off] = (uint8_t)(exif_at >> 24);
	b->p[iloc_off + 1] = (uint8_t)(exif_at >> 16);
	b->p[iloc_off + 2] = (uint8_t)(exif_at >> 8);
	b->p[iloc_off + 3] = (uint8_t)exif_at;
	b->p[iloc_off + 4] = (uint8_t)((b->len - exif_at) >> 24);
	b->p[iloc_off + 5] = (uint8_t)((b->len - exif_at) >> 16);
	b->p[iloc_off + 6] = (uint8_t)((b->len - exif_at) >> 8);
	b->p[iloc_off + 7] = (uint8_t)(b->len - exif_at);
}

/*
 * udta's 'date' atom, ExifTool's DateTimeOriginal: the local time with its
 * zone, stored bare, taken before ©day and mvhd's UTC (which would put a
 * clip filmed on New Year's morning in Tokyo on 31 December).
 */
static void
test_bmff_udta_date(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, udta, at;

	(void)state;
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);	/* 2019-12-31T23:59:58Z */
	udta = box(&b, "udta");
	qt_text(&b, "\251day", "2020-06-01T10:00:00+0200");
	at = box(&b, "date");
	puts_(&b, "2020-01-01T08:59:58+0900");
	box_end(&b, at);
	box_end(&b, udta);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2020-01-01T08:59:58+09:00", "quicktime-date");
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime-date");
	assert_string_equal(m.cand[1].source, "quicktime-day");
	truncations(meta_bmff, &b);
	free(b.p);

	/* As a QuickTime string; a blank one is no date. */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);
	udta = box(&b, "udta");
	qt_text(&b, "date", "2020-01-01T08:59:58Z");
	box_end(&b, udta);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2020-01-01T08:59:58+00:00", "quicktime-date");
	free(b.p);

	memset(&b, 0, sizeof b);
	mp4_head(&b, "qt  ");
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);
	udta = box(&b, "udta");
	at = box(&b, "date");
	puts_(&b, "0000-00-00T00:00:00");
	box_end(&b, at);
	box_end(&b, udta);
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime");
	free(b.p);
}

static void
test_bmff_heif(void **state)
{
	struct buf	b;
	struct meta	m;
	int		v;

	(void)state;
	for (v = 0; v <= 2; v++) {
		memset(&b, 0, sizeof b);
		heif(&b, v, 0);
		assert_int_equal(run(meta_bmff, &b, &m), 0);
		assert_wall(&m, "2021-02-13T11:03:31-06:00", "exif");
		assert_string_equal(m.make, "Apple");
		if (v == 1)
			truncations(meta_bmff, &b);
		free(b.p);
	}
	/* No Exif item, but an XMP one (an application/rdf+xml 'mime'). */
	memset(&b, 0, sizeof b);
	heif(&b, 1, 1);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2021-02-13T11:03:31-06:00", "xmp");
	truncations(meta_bmff, &b);
	free(b.p);
}

static void
test_bmff_corrupt(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, i, at;

	(void)state;
	/* moov claims far more than the file has */
	mp4_head(&b, "isom");
	put32be(&b, 9999999);
	puts_(&b, "moov");
	mvhd(&b, 0, 1625423415ULL + EPOCH1904);
	assert_int_equal(run(meta_bmff, &b, &m), -1);
	assert_non_null(strstr(m.error, "'moov'"));
	assert_non_null(strstr(m.error, "9999999"));
	assert_non_null(strstr(m.error, "past the end of the file"));
	free(b.p);

	/* a size smaller than the header */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "isom");
	put32be(&b, 4);
	puts_(&b, "free");
	fill(&b, 0, 16);
	assert_int_equal(run(meta_bmff, &b, &m), -1);
	assert_non_null(strstr(m.error, "less than its header"));
	free(b.p);

	/* a 64-bit size below 16 */
	memset(&b, 0, sizeof b);
	mp4_head(&b, "isom");
	put32be(&b, 1);
	puts_(&b, "mdat");
	put64be(&b, 8);
	fill(&b, 0, 16);
	assert_int_equal(run(meta_bmff, &b, &m), -1);
	free(b.p);

	/* a box of size 0 runs to the end of the file: fine */
	memset(&b, 0, sizeof b);
	moov = box(&b, "moov");
	mvhd(&b, 0, 1625423415ULL + EPOCH1904);
	box_end(&b, moov);
	put32be(&b, 0);
	puts_(&b, "mdat");
	fill(&b, 0, 100);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2021-07-04T18:30:15Z", "quicktime");
	free(b.p);

	/* damage after the date keeps the date */
	memset(&b, 0, sizeof b);
	moov = box(&b, "moov");
	mvhd(&b, 0, 1625423415ULL + EPOCH1904);
	box_end(&b, moov);
	put32be(&b, 0x7fffffff);
	puts_(&b, "mdat");
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_utc(&m, "2021-07-04T18:30:15Z", "quicktime");
	assert_true(m.error[0] != '\0');
	free(b.p);

	/* a depth bomb: traks nested 200 deep */
	memset(&b, 0, sizeof b);
	moov = box(&b, "moov");
	{
		size_t	stack[200];

		for (i = 0; i < 200; i++)
			stack[i] = box(&b, "trak");
		for (i = 200; i-- > 0;)
			box_end(&b, stack[i]);
	}
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), -1);
	assert_non_null(strstr(m.error, "nested deeper"));
	free(b.p);

	/* a box count bomb: 50000 empty boxes in moov */
	memset(&b, 0, sizeof b);
	moov = box(&b, "moov");
	for (i = 0; i < 50000; i++) {
		at = box(&b, "free");
		box_end(&b, at);
	}
	box_end(&b, moov);
	assert_int_equal(run(meta_bmff, &b, &m), -1);
	assert_non_null(strstr(m.error, "more than"));
	free(b.p);
}

static void
test_bmff_jxl(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		at;

	(void)state;
	/* the container: signature, ftyp, Exif box, codestream */
	at = box(&b, "JXL ");
	put32be(&b, 0x0d0a870a);
	box_end(&b, at);
	at = box(&b, "ftyp");
	puts_(&b, "jxl ");
	put32be(&b, 0);
	puts_(&b, "jxl ");
	box_end(&b, at);
	at = box(&b, "Exif");
	put32be(&b, 0);
	tiff(&b, "Nikon", "2023:01:02 03:04:05", NULL);
	box_end(&b, at);
	at = box(&b, "jxlc");
	put16be(&b, 0xff0a);
	fill(&b, 0, 50);
	box_end(&b, at);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_wall(&m, "2023-01-02T03:04:05", "exif");
	assert_string_equal(m.make, "Nikon");
	free(b.p);

	/* a bare codestream has no boxes and no date, and is not damaged */
	memset(&b, 0, sizeof b);
	put16be(&b, 0xff0a);
	fill(&b, 0x12, 100);
	assert_int_equal(run(meta_bmff, &b, &m), 0);
	assert_string_equal(m.error, "");
	free(b.p);
}

/* Run fn on b written to a temporary file, with only headlen in memory. */
static int
run_tmpfile(parser_fn fn, const struct buf *b, size_t headlen,
    struct meta *m)
{
	char		 path[] = "/tmp/test-containers.XXXXXX";
	struct sb_src	 s;
	int		 fd, rc;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	assert_int_equal(write(fd, b->p, b->len), (ssize_t)b->len);
	memset(m, 0, sizeof *m);
	s.fd = fd;
	s.path = "(tmp)";
	s.size = b->len;
	s.head = b->p;
	s.headlen = headlen < b->len ? headlen : b->len;
	rc = fn(&s, m);
	close(fd);
	return rc;
}

static void
test_bmff_file_moov(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		moov, at, udta;

	(void)state;
	/* a moov after 200 KB of media, outside the head: read from the
	 * file into memory, then walked there */
	at = box(&b, "ftyp");
	puts_(&b, "qt  ");
	put32be(&b, 0);
	box_end(&b, at);
	at = box(&b, "mdat");
	fill(&b, 0x33, 200000);
	box_end(&b, at);
	moov = box(&b, "moov");
	mvhd(&b, 0, 1577836798ULL + EPOCH1904);
	udta = box(&b, "udta");
	qt_text(&b, "\251mak", "Panasonic");
	box_end(&b, udta);
	box_end(&b, moov);
	assert_int_equal(run_tmpfile(meta_bmff, &b, 64, &m), 0);
	assert_utc(&m, "2019-12-31T23:59:58Z", "quicktime");
	assert_string_equal(m.make, "Panasonic");

	/* damage inside that moov names the file offset */
	b.p[b.len - 20] = 0x7f;		/* udta's (c)mak size */
	assert_int_equal(run_tmpfile(meta_bmff, &b, 64, &m), 0);
	assert_non_null(strstr(m.error, "'udta'"));
	assert_non_null(strstr(m.error, "'(c)mak' at byte 200148 "));
	free(b.p);
}

/* ---- Corpus files, read through a file source ---- */

/* Run fn on $CORPUS/rel; 1 if the corpus is missing. */
static int
run_file(parser_fn fn, const char *rel, struct meta *m, int *rc)
{
	static uint8_t	 head[HEAD_SIZE];
	const char	*corpus = getenv("CORPUS");
	char		 path[4096];
	struct sb_src	 s;
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	if (corpus == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/%s", corpus, rel);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 1;
	assert_int_equal(fstat(fd, &sb), 0);
	n = pread(fd, head, HEAD_SIZE, 0);
	assert_true(n >= 0);
	memset(m, 0, sizeof *m);
	s.fd = fd;
	s.path = path;
	s.size = (uint64_t)sb.st_size;
	s.head = head;
	s.headlen = (size_t)n;
	*rc = fn(&s, m);
	close(fd);
	return 0;
}

static void
test_corpus(void **state)
{
	static const struct {
		parser_fn	 fn;
		const char	*file;
		const char	*wall;		/* NULL: check utc */
		const char	*utc;		/* "" for no date */
		const char	*source;
		const char	*make;
	} cases[] = {
		{ meta_bmff, "video/mov_utc_2019-12-31T235958Z.mov", NULL,
		    "2019-12-31T23:59:58Z", "quicktime", "" },
		{ meta_bmff, "video/mp4_utc_2021-07-04T183015Z.mp4", NULL,
		    "2021-07-04T18:30:15Z", "quicktime", "" },
		{ meta_bmff, "video/3gp_utc_2016-02-29T120000Z.3gp", NULL,
		    "2016-02-29T12:00:00Z", "quicktime", "" },
		{ meta_bmff, "video/mp4_nodate.mp4", NULL, "", "", "" },
		{ meta_mkv, "video/mkv_utc_2018-08-08T080808Z.mkv", NULL,
		    "2018-08-08T08:08:08Z", "matroska", "" },
		{ meta_riff, "video/avi_nodate.avi", NULL, "", "", "" },
		{ meta_mpegts, "video/m2ts_nodate.mts", NULL, "", "", "" },
		{ meta_bmff, "exiv2/Canon-R6-pruned.CR3",
		    "2021-05-12T12:21:21+02:00", NULL, "exif", "Canon" },
		{ meta_bmff, "exiv2/2021-02-13-1929.heic",
		    "2021-02-13T11:03:31-06:00", NULL, "exif", "Apple" },
		{ meta_bmff, "exiv2/IMG_3578.heic",
		    "2020-04-17T10:03:40-06:00", NULL, "exif", "Apple" },
		{ meta_bmff, "exiv2/Stonehenge.heic", "2015-07-16T15:38:54",
		    NULL, "exif", "NIKON CORPORATION" },
		{ meta_bmff, "exiv2/avif.avif", "2018-08-15T11:37:35", NULL,
		    "exif", "" },
		{ meta_bmff, "exiv2/heic.heic", NULL, "", "", "" },
	};
	struct meta	m;
	size_t		i;
	int		rc;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (run_file(cases[i].fn, cases[i].file, &m, &rc) == 1) {
			print_message("no $CORPUS/%s, skipped\n",
			    cases[i].file);
			continue;
		}
		print_message("%s: %s\n", cases[i].file, m.error);
		assert_int_equal(rc, 0);
		if (cases[i].wall != NULL)
			assert_wall(&m, cases[i].wall, cases[i].source);
		else
			assert_utc(&m, cases[i].utc, cases[i].source);
		assert_string_equal(m.make, cases[i].make);
	}
	if (run_file(meta_bmff, "exiv2/Canon-R6-pruned.CR3", &m, &rc) == 0)
		assert_string_equal(m.model, "Canon EOS R6");
	if (run_file(meta_bmff, "exiv2/issue_1793_poc.heic", &m, &rc) == 0) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(m.error, "past the end of the file"));
	}
}

/* ---- Matroska ---- */

/* An EBML element with a 1-byte (or 8-byte if big) size field. */
static void
ebml(struct buf *b, uint32_t id, const void *data, size_t n)
{
	if (id > 0xffffff)
		put32be(b, id);
	else if (id > 0xffff) {
		put8(b, id >> 16);
		put16be(b, id & 0xffff);
	} else if (id > 0xff)
		put16be(b, id);
	else
		put8(b, id);
	if (n < 127)
		put8(b, 0x80 | (unsigned)n);
	else {
		put8(b, 0x01);
		put8(b, 0);
		put16be(b, 0);
		put32be(b, (uint32_t)n);
	}
	put(b, data, n);
}

/* An EBML element from a sub-buffer, freed. */
static void
ebml_buf(struct buf *b, uint32_t id, struct buf *sub)
{
	ebml(b, id, sub->p, sub->len);
	free(sub->p);
	memset(sub, 0, sizeof *sub);
}

static void
mkv_header(struct buf *b)
{
	struct buf	h = { 0 };

	ebml(&h, 0x4282, "matroska", 8);
	ebml_buf(b, 0x1a45dfa3, &h);
}

static void
info(struct buf *b, int64_t ns)
{
	struct buf	i = { 0 }, d = { 0 };

	put64be(&d, (uint64_t)ns);
	ebml(&i, 0x2ad7b1, "\x0f\x42\x40", 3);
	ebml(&i, 0x4461, d.p, 8);
	free(d.p);
	ebml(&i, 0x4d80, "shoebox-test", 12);
	ebml_buf(b, 0x1549a966, &i);
}

static void
test_mkv_dateutc(void **state)
{
	struct buf	b = { 0 }, seg = { 0 };
	struct meta	m;

	(void)state;
	mkv_header(&b);
	/* 2018-08-08T08:08:08Z is 555408488 s after 2001-01-01 */
	info(&seg, 555408488LL * 1000000000LL + 500);
	ebml(&seg, 0x1f43b675, "\xe7\x81\x00", 3);	/* a Cluster */
	ebml_buf(&b, 0x18538067, &seg);
	assert_int_equal(run(meta_mkv, &b, &m), 0);
	assert_utc(&m, "2018-08-08T08:08:08Z", "matroska");
	truncations(meta_mkv, &b);
	free(b.p);

	/* Before 2001: a negative DateUTC */
	memset(&b, 0, sizeof b);
	mkv_header(&b);
	info(&seg, -1500000000LL);			/* 1.5 s before */
	ebml_buf(&b, 0x18538067, &seg);
	assert_int_equal(run(meta_mkv, &b, &m), 0);
	assert_utc(&m, "2000-12-31T23:59:58Z", "matroska");
	free(b.p);
}

static void
test_mkv_unknown_size(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;

	(void)state;
	/* A live recording: Segment and Cluster of unknown size. */
	mkv_header(&b);
	put32be(&b, 0x18538067);
	put8(&b, 0x01);
	fill(&b, 0xff, 7);
	info(&b, 555408488LL * 1000000000LL);
	put32be(&b, 0x1f43b675);
	put8(&b, 0xff);
	fill(&b, 0x55, 500);
	assert_int_equal(run(meta_mkv, &b, &m), 0);
	assert_utc(&m, "2018-08-08T08:08:08Z", "matroska");
	truncations(meta_mkv, &b);
	free(b.p);
}

static void
test_mkv_tags(void **state)
{
	struct buf	b = { 0 }, seg = { 0 }, sh = { 0 }, s = { 0 };
	struct buf	tags = { 0 }, tag = { 0 }, st = { 0 };
	struct meta	m;
	size_t		pos;

	(void)state;
	/* SeekHead pointing at Tags after the Cluster */
	mkv_header(&b);
	info(&seg, 555408488LL * 1000000000LL);
	ebml(&seg, 0x1f43b675, "\xe7\x81\x00", 3);
	ebml(&st, 0x45a3, "DATE_RECORDED", 13);
	ebml(&st, 0x4487, "2017-05-06 07:08:09", 19);
	ebml_buf(&tag, 0x67c8, &st);
	ebml_buf(&tags, 0x7373, &tag);
	/* the SeekHead comes first; its size does not depend on pos */
	ebml(&s, 0x53ab, "\x12\x54\xc3\x67", 4);
	ebml(&s, 0x53ac, "\0\0\0\0", 4);
	ebml_buf(&sh, 0x4dbb, &s);
	pos = 5 + sh.len + seg.len;	/* SeekHead element, Info, Cluster */
	sh.p[sh.len - 4] = (uint8_t)(pos >> 24);
	sh.p[sh.len - 3] = (uint8_t)(pos >> 16);
	sh.p[sh.len - 2] = (uint8_t)(pos >> 8);
	sh.p[sh.len - 1] = (uint8_t)pos;
	{
		struct buf	all = { 0 };

		ebml_buf(&all, 0x114d9b74, &sh);
		put(&all, seg.p, seg.len);
		free(seg.p);
		memset(&seg, 0, sizeof seg);
		ebml_buf(&all, 0x1254c367, &tags);
		ebml_buf(&b, 0x18538067, &all);
	}
	assert_int_equal(run(meta_mkv, &b, &m), 0);
	assert_wall(&m, "2017-05-06T07:08:09", "matroska-tags");
	truncations(meta_mkv, &b);
	free(b.p);
}

static void
test_mkv_corrupt(void **state)
{
	struct buf	b = { 0 }, seg = { 0 };
	struct meta	m;

	(void)state;
	puts_(&b, "not matroska at all");
	assert_int_equal(run(meta_mkv, &b, &m), -1);
	assert_non_null(strstr(m.error, "EBML"));
	free(b.p);

	/* Info claims more than the Segment holds */
	memset(&b, 0, sizeof b);
	mkv_header(&b);
	put32be(&seg, 0x1549a966);
	put8(&seg, 0x88);
	put32be(&seg, 0x12345678);
	ebml_buf(&b, 0x18538067, &seg);
	assert_int_equal(run(meta_mkv, &b, &m), -1);
	assert_non_null(strstr(m.error, "0x1549a966"));
	free(b.p);

	/* an element ID of 0x00 */
	memset(&b, 0, sizeof b);
	mkv_header(&b);
	ebml(&seg, 0x4d80, "x", 1);
	put8(&seg, 0);
	put8(&seg, 0x81);
	put8(&seg, 0);
	ebml_buf(&b, 0x18538067, &seg);
	assert_int_equal(run(meta_mkv, &b, &m), -1);
	assert_non_null(strstr(m.error, "bad element ID"));
	free(b.p);
}

/* ---- RIFF: AVI and WebP ---- */

/* An AVI with hdrl holding the given extra chunks, then movi and idx1. */
static void
avi(struct buf *b, const char *idit, int with_strd, const char *icrd)
{
	size_t	riff, l, c, strl;

	riff = chunk(b, "RIFF");
	puts_(b, "AVI ");
	l = chunk(b, "LIST");
	puts_(b, "hdrl");
	c = chunk(b, "avih");
	fill(b, 0, 56);
	chunk_end(b, c);
	strl = chunk(b, "LIST");
	puts_(b, "strl");
	c = chunk(b, "strh");
	puts_(b, "vids");
	fill(b, 0, 52);
	chunk_end(b, c);
	if (with_strd) {
		size_t	 base;
		uint32_t doff;

		c = chunk(b, "strd");
		puts_(b, "AVIF");
		fill(b, 0, 4);
		base = b->len;
		put16le(b, 2);
		put16le(b, 0x010f);
		put16le(b, 2);
		put32le(b, 4);
		puts_(b, "FUJ");
		put8(b, 0);
		doff = 2 + 2 * 12 + 4;
		put16le(b, 0x9003);
		put16le(b, 2);
		put32le(b, 20);
		put32le(b, doff);
		put32le(b, 0);
		assert_int_equal(b->len - base, doff);
		puts_(b, "2009:10:11 12:13:14");
		put8(b, 0);
		chunk_end(b, c);
	}
	chunk_end(b, strl);
	if (idit != NULL) {
		c = chunk(b, "IDIT");
		puts_(b, idit);
		put8(b, 0);
		chunk_end(b, c);
	}
	chunk_end(b, l);
	if (icrd != NULL) {
		l = chunk(b, "LIST");
		puts_(b, "INFO");
		c = chunk(b, "ICRD");
		puts_(b, icrd);
		put8(b, 0);
		chunk_end(b, c);
		chunk_end(b, l);
	}
	l = chunk(b, "LIST");
	puts_(b, "movi");
	c = chunk(b, "00dc");
	fill(b, 0x11, 1001);
	chunk_end(b, c);
	chunk_end(b, l);
	c = chunk(b, "idx1");
	fill(b, 0, 16);
	chunk_end(b, c);
	chunk_end(b, riff);
}

static void
test_riff_avi(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;

	(void)state;
	avi(&b, "Sat Jan 01 12:34:56 2011\n", 0, NULL);
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2011-01-01T12:34:56", "riff-idit");
	truncations(meta_riff, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	avi(&b, "2011:01:02 03:04:05", 0, NULL);
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2011-01-02T03:04:05", "riff-idit");
	free(b.p);

	memset(&b, 0, sizeof b);
	avi(&b, "2011/01/02 03:04", 0, NULL);
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2011-01-02T03:04:00", "riff-idit");
	free(b.p);

	memset(&b, 0, sizeof b);
	avi(&b, NULL, 1, "2005-06-07");
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2009-10-11T12:13:14", "riff-strd");
	assert_string_equal(m.make, "FUJ");
	truncations(meta_riff, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	avi(&b, "garbage", 0, "2005-06-07");
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2005-06-07T00:00:00", "riff-icrd");
	free(b.p);

	memset(&b, 0, sizeof b);
	avi(&b, NULL, 0, NULL);
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_string_equal(m.date_source, "");
	free(b.p);
}

static void
test_riff_webp(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		riff, c;

	(void)state;
	riff = chunk(&b, "RIFF");
	puts_(&b, "WEBP");
	c = chunk(&b, "VP8X");
	fill(&b, 0, 10);
	chunk_end(&b, c);
	c = chunk(&b, "VP8 ");
	fill(&b, 0, 33);
	chunk_end(&b, c);
	c = chunk(&b, "EXIF");
	put(&b, "Exif\0\0", 6);
	tiff(&b, "Google", "2022:03:04 05:06:07", NULL);
	chunk_end(&b, c);
	chunk_end(&b, riff);
	assert_int_equal(run(meta_riff, &b, &m), 0);
	assert_wall(&m, "2022-03-04T05:06:07", "webp-exif");
	assert_string_equal(m.make, "Google");
	truncations(meta_riff, &b);
	free(b.p);
}

static void
test_riff_corrupt(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	size_t		riff, c;

	(void)state;
	riff = chunk(&b, "RIFF");
	puts_(&b, "AVI ");
	c = chunk(&b, "LIST");
	puts_(&b, "hdrl");
	chunk_end(&b, c);
	put(&b, "LIST", 4);
	put32le(&b, 0xfffffff0);
	puts_(&b, "movi");
	chunk_end(&b, riff);
	assert_int_equal(run(meta_riff, &b, &m), -1);
	assert_non_null(strstr(m.error, "'LIST'"));
	assert_non_null(strstr(m.error, "past the end"));
	free(b.p);

	memset(&b, 0, sizeof b);
	puts_(&b, "RIFX1234AVI ");
	assert_int_equal(run(meta_riff, &b, &m), -1);
	free(b.p);
}

/* ---- PNG ---- */

static void
png_chunk(struct buf *b, const char *type, const struct buf *data)
{
	put32be(b, (uint32_t)data->len);
	puts_(b, type);
	put(b, data->p, data->len);
	put32be(b, 0);				/* CRC: not checked */
}

/* A PNG signature and an IHDR chunk into b; d is scratch. */
static void
png_start(struct buf *b, struct buf *d)
{
	put(b, "\x89PNG\r\n\x1a\n", 8);
	d->len = 0;
	fill(d, 0, 13);
	png_chunk(b, "IHDR", d);
}

static void
test_png(void **state)
{
	struct buf	b = { 0 }, d = { 0 };
	struct meta	m;

	(void)state;
	png_start(&b, &d);
	d.len = 0;
	fill(&d, 0, 7);
	png_chunk(&b, "tIME", &d);		/* not a capture time */
	d.len = 0;
	put(&d, "Creation Time\0", 14);
	puts_(&d, "2001:02:03 04:05:06");
	png_chunk(&b, "tEXt", &d);
	d.len = 0;
	tiff(&d, "Sony", "2019:08:07 06:05:04", "+09:00");
	png_chunk(&b, "eXIf", &d);
	d.len = 0;
	fill(&d, 0, 20);
	png_chunk(&b, "IDAT", &d);
	d.len = 0;
	png_chunk(&b, "IEND", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2019-08-07T06:05:04+09:00", "png-exif");
	assert_string_equal(m.make, "Sony");
	truncations(meta_png, &b);
	free(b.p);

	/*
	 * The text, and an eXIf after IDAT: with no Exif or XMP date before
	 * the image data, the chunks after it are looked at too (encoders put
	 * text and tIME there), and the Exif found there wins.
	 */
	memset(&b, 0, sizeof b);
	png_start(&b, &d);
	d.len = 0;
	put(&d, "Creation Time\0\0\0en\0\0", 20);
	puts_(&d, "2001-02-03T04:05:06Z");
	png_chunk(&b, "iTXt", &d);
	d.len = 0;
	fill(&d, 0, 20);
	png_chunk(&b, "IDAT", &d);
	d.len = 0;
	tiff(&d, "Sony", "2019:08:07 06:05:04", NULL);
	png_chunk(&b, "eXIf", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2019-08-07T06:05:04", "png-exif");
	assert_string_equal(m.make, "Sony");
	truncations(meta_png, &b);
	b.len -= 30;		/* the eXIf cut short: the text stands */
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2001-02-03T04:05:06+00:00", "png-text");
	free(b.p);

	/* XMP in iTXt (as screenshots carry it) wins over the text */
	memset(&b, 0, sizeof b);
	png_start(&b, &d);
	d.len = 0;
	put(&d, "Creation Time\0", 14);
	puts_(&d, "2001:02:03 04:05:06");
	png_chunk(&b, "tEXt", &d);
	d.len = 0;
	put(&d, "XML:com.adobe.xmp\0\0\0\0\0", 22);
	puts_(&d, "<x:xmpmeta><rdf:Description "
	    "photoshop:DateCreated=\"2021-05-06T07:08:09+02:00\"/>"
	    "</x:xmpmeta>");
	png_chunk(&b, "iTXt", &d);
	d.len = 0;
	fill(&d, 0, 20);
	png_chunk(&b, "IDAT", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2021-05-06T07:08:09+02:00", "png-xmp");
	truncations(meta_png, &b);
	free(b.p);

	/* a chunk length past the end */
	memset(&b, 0, sizeof b);
	put(&b, "\x89PNG\r\n\x1a\n", 8);
	put32be(&b, 0x7ffffff0);
	puts_(&b, "IHDR");
	fill(&b, 0, 20);
	assert_int_equal(run(meta_png, &b, &m), -1);
	assert_non_null(strstr(m.error, "'IHDR'"));
	free(b.p);
	free(d.p);
}

/* The zlib stream of d's bytes, appended to b. */
static void
put_deflated(struct buf *b, const struct buf *d)
{
	uLongf	n = compressBound(d->len);
	uint8_t	*z = malloc(n);

	assert_non_null(z);
	assert_int_equal(compress2(z, &n, d->p, d->len, 9), Z_OK);
	put(b, z, n);
	free(z);
}

/* ImageMagick's raw profile text of d: "\nexif\n   LENGTH\nHEX..." */
static void
put_raw_profile(struct buf *b, const char *name, const struct buf *d)
{
	char	line[32];
	size_t	i;

	snprintf(line, sizeof line, "\n%s\n%8zu", name, d->len);
	puts_(b, line);
	for (i = 0; i < d->len; i++) {
		if (i % 36 == 0)
			put8(b, '\n');
		snprintf(line, sizeof line, "%02x", d->p[i]);
		puts_(b, line);
	}
	put8(b, '\n');
}

static void
test_png_compressed(void **state)
{
	static const char xmp[] = "<x:xmpmeta><rdf:Description "
	    "xmp:CreateDate=\"2021-05-06T07:08:09+02:00\"/></x:xmpmeta>";
	struct buf	b = { 0 }, d = { 0 }, t = { 0 };
	struct meta	m;

	(void)state;
	/* compressed iTXt XMP, and a tIME that loses to it */
	png_start(&b, &d);
	d.len = 0;
	put(&d, "\x07\xe4\x01\x02\x03\x04\x05", 7);	/* 2020-01-02 03:04:05 */
	png_chunk(&b, "tIME", &d);
	d.len = 0;
	put(&d, "XML:com.adobe.xmp\0\1\0\0\0", 22);
	t.len = 0;
	puts_(&t, xmp);
	put_deflated(&d, &t);
	png_chunk(&b, "iTXt", &d);
	d.len = 0;
	fill(&d, 0, 20);
	png_chunk(&b, "IDAT", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2021-05-06T07:08:09+02:00", "png-xmp");
	assert_int_equal(m.ncand, 2);
	assert_string_equal(m.cand[0].source, "png-xmp");
	assert_string_equal(m.cand[1].source, "png-time");
	truncations(meta_png, &b);

	/* the same XMP in zTXt */
	b.len = 0;
	png_start(&b, &d);
	d.len = 0;
	put(&d, "XML:com.adobe.xmp\0\0", 19);
	put_deflated(&d, &t);
	png_chunk(&b, "zTXt", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2021-05-06T07:08:09+02:00", "png-xmp");
	/* an unknown compression method is not read */
	b.p[33 + 8 + 18] = 1;
	assert_int_equal(run(meta_png, &b, &m), -1);
	assert_false(m.taken.has_wall);

	/* ImageMagick's zTXt "Raw profile type exif", Exif header and all */
	b.len = 0;
	png_start(&b, &d);
	t.len = 0;
	puts_(&t, "Exif");
	put16be(&t, 0);
	tiff(&t, "Sony", "2019:08:07 06:05:04", "+09:00");
	d.len = 0;
	put_raw_profile(&d, "exif", &t);
	t.len = 0;
	put(&t, d.p, d.len);
	d.len = 0;
	put(&d, "Raw profile type exif\0\0", 23);
	put_deflated(&d, &t);
	png_chunk(&b, "zTXt", &d);
	d.len = 0;
	put(&d, "Creation Time\0", 14);
	puts_(&d, "2001:02:03 04:05:06");
	png_chunk(&b, "tEXt", &d);
	d.len = 0;
	fill(&d, 0, 20);
	png_chunk(&b, "IDAT", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2019-08-07T06:05:04+09:00", "png-exif");
	assert_string_equal(m.make, "Sony");
	assert_int_equal(m.ncand, 2);
	assert_string_equal(m.cand[1].source, "png-text");
	truncations(meta_png, &b);

	/* plain tEXt "Raw profile type APP1" holding Exif, no header: not Exif */
	b.len = 0;
	png_start(&b, &d);
	t.len = 0;
	tiff(&t, "Sony", "2019:08:07 06:05:04", NULL);
	d.len = 0;
	put(&d, "Raw profile type APP1\0", 22);
	put_raw_profile(&d, "APP1", &t);
	png_chunk(&b, "tEXt", &d);
	assert_int_equal(run(meta_png, &b, &m), -1);	/* no IDAT */
	assert_false(m.taken.has_wall);
	/* with the header it is */
	b.len = 0;
	png_start(&b, &d);
	t.len = 0;
	puts_(&t, "Exif");
	put16be(&t, 0);
	tiff(&t, "Sony", "2019:08:07 06:05:04", NULL);
	d.len = 0;
	put(&d, "Raw profile type APP1\0", 22);
	put_raw_profile(&d, "APP1", &t);
	png_chunk(&b, "tEXt", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2019-08-07T06:05:04", "png-exif");
	truncations(meta_png, &b);

	/* tIME alone: a UTC instant; month 13 is none */
	b.len = 0;
	png_start(&b, &d);
	d.len = 0;
	put(&d, "\x07\xe4\x01\x02\x03\x04\x05", 7);
	png_chunk(&b, "tIME", &d);
	d.len = 0;
	png_chunk(&b, "IEND", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_utc(&m, "2020-01-02T03:04:05Z", "png-time");
	b.p[33 + 8 + 2] = 13;
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_false(m.taken.has_utc);
	truncations(meta_png, &b);

	/* a compressed iTXt Creation Time whose stream is cut short */
	b.len = 0;
	png_start(&b, &d);
	t.len = 0;
	puts_(&t, "2001-02-03T04:05:06Z and some more text to make it longer");
	d.len = 0;
	put(&d, "Creation Time\0\1\0en\0\0", 20);
	put_deflated(&d, &t);
	d.len -= 6;
	png_chunk(&b, "iTXt", &d);
	d.len = 0;
	png_chunk(&b, "IEND", &d);
	assert_int_equal(run(meta_png, &b, &m), 0);
	assert_wall(&m, "2001-02-03T04:05:06+00:00", "png-text");
	truncations(meta_png, &b);
	free(b.p);
	free(d.p);
	free(t.p);
}

/* ---- MPEG-TS / AVCHD ---- */

/* One TS packet of PID pid with payload (stuffed with an adaptation field). */
static void
ts_packet(struct buf *b, int m2ts, unsigned pid, int pusi, const uint8_t *p,
    size_t n)
{
	size_t	stuff = 184 - n;

	if (m2ts)
		put32be(b, 0x12345678);
	put8(b, 0x47);
	put8(b, (pusi ? 0x40 : 0) | (pid >> 8));
	put8(b, pid & 0xff);
	if (stuff == 0)
		put8(b, 0x10);
	else {
		put8(b, 0x30);
		put8(b, (unsigned)stuff - 1);
		if (stuff > 1) {
			put8(b, 0);
			fill(b, 0xff, stuff - 2);
		}
	}
	put(b, p, n);
}

/* Split an elementary stream into one PES on pid. */
static void
ts_pes(struct buf *b, int m2ts, unsigned pid, const struct buf *es)
{
	struct buf	pes = { 0 };
	size_t		off, n;

	put(&pes, "\0\0\1\xe0\0\0\x80\x80\x05\x21\0\1\0\1", 14);
	put(&pes, es->p, es->len);
	for (off = 0; off < pes.len; off += n) {
		n = pes.len - off < 184 ? pes.len - off : 184;
		ts_packet(b, m2ts, pid, off == 0, pes.p + off, n);
	}
	free(pes.p);
}

/* PAT, PMT (H.264 on 0x101), and a video PES with an SEI holding mdpm. */
static void
avchd(struct buf *b, int m2ts, const uint8_t *mdpm, size_t mdpmlen)
{
	static const uint8_t pat[] = { 0, 0x00, 0xb0, 0x0d, 0, 1, 0xc1, 0,
	    0, 0, 1, 0xe1, 0x00, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t pmt[] = { 0, 0x02, 0xb0, 0x17, 0, 1, 0xc1, 0,
	    0, 0xe1, 0x01, 0xf0, 0x00, 0x81, 0xe1, 0x02, 0xf0, 0x00,
	    0x1b, 0xe1, 0x01, 0xf0, 0x00, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t uuid[] = { 0x17, 0xee, 0x8c, 0x60, 0xf8, 0x4d,
	    0x11, 0xd9, 0x8c, 0xd6, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66 };
	struct buf	es = { 0 };

	ts_packet(b, m2ts, 0, 1, pat, sizeof pat);
	ts_packet(b, m2ts, 0x100, 1, pmt, sizeof pmt);
	put(&es, "\0\0\0\1\x09\xf0", 6);		/* access unit delimiter */
	put(&es, "\0\0\0\1\x67\x64\0\x28", 8);		/* an SPS */
	put(&es, "\0\0\1\x06", 4);			/* SEI */
	put8(&es, 5);
	put8(&es, (unsigned)(sizeof uuid + 4 + mdpmlen));
	put(&es, uuid, sizeof uuid);
	if (mdpm != NULL) {
		puts_(&es, "MDPM");
		put(&es, mdpm, mdpmlen);
	} else
		fill(&es, 0x42, 4 + mdpmlen);
	put8(&es, 0x80);
	put(&es, "\0\0\1\x65", 4);			/* a slice */
	fill(&es, 0x77, 400);
	ts_pes(b, m2ts, 0x101, &es);
	free(es.p);
	memset(&es, 0, sizeof es);
	put(&es, "\0\0\0\1\x09\xf0", 6);		/* the next frame */
	ts_pes(b, m2ts, 0x101, &es);
	free(es.p);
}

static void
test_mpegts(void **state)
{
	/* zone -05:00 (west, 5 hours), 2024-07-04 12:30:45, Sony */
	static const uint8_t mdpm[] = { 4,
	    0x18, 0x2a, 0x20, 0x24, 0x07,
	    0x19, 0x04, 0x12, 0x30, 0x45,
	    0x70, 0x00, 0x00, 0x03, 0x01, 0x00,	/* an emulation byte */
	    0xe0, 0x01, 0x08, 0x00, 0x00 };
	/* the same with the DST flag: no offset, wall clock only */
	static const uint8_t dst[] = { 2,
	    0x18, 0x6a, 0x20, 0x24, 0x07,
	    0x19, 0x04, 0x12, 0x30, 0x45 };
	struct buf	b = { 0 };
	struct meta	m;
	int		m2ts;

	(void)state;
	for (m2ts = 0; m2ts <= 1; m2ts++) {
		memset(&b, 0, sizeof b);
		avchd(&b, m2ts, mdpm, sizeof mdpm);
		assert_int_equal(run(meta_mpegts, &b, &m), 0);
		assert_wall(&m, "2024-07-04T12:30:45-05:00", "h264-mdpm");
		assert_string_equal(m.make, "Sony");
		truncations(meta_mpegts, &b);
		free(b.p);
	}

	memset(&b, 0, sizeof b);
	avchd(&b, 1, dst, sizeof dst);
	assert_int_equal(run(meta_mpegts, &b, &m), 0);
	assert_wall(&m, "2024-07-04T12:30:45", "h264-mdpm");
	free(b.p);

	/* an SEI with some other user data: no date */
	memset(&b, 0, sizeof b);
	avchd(&b, 0, NULL, 10);
	assert_int_equal(run(meta_mpegts, &b, &m), 0);
	assert_string_equal(m.date_source, "");
	free(b.p);

	/* lost sync after the first packets */
	memset(&b, 0, sizeof b);
	avchd(&b, 0, NULL, 10);
	b.p[188 * 4] = 0x00;
	assert_int_equal(run(meta_mpegts, &b, &m), -1);
	assert_non_null(strstr(m.error, "lost sync"));
	free(b.p);

	memset(&b, 0, sizeof b);
	fill(&b, 0x47, 10);
	fill(&b, 0, 1000);
	assert_int_equal(run(meta_mpegts, &b, &m), -1);
	free(b.p);
}

/* ---- DV ---- */

/* One DIF sequence (150 blocks) with rec date and time packs in VAUX. */
static void
dv_seq(struct buf *b, int packs_in_subcode)
{
	static const uint8_t date[] = { 0x62, 0xff, 0xc4, 0xe7, 0x24 };
	static const uint8_t tim[] = { 0x63, 0xff, 0x45, 0x30, 0x12 };
	int	i, j;

	put8(b, 0x1f);				/* header block */
	put8(b, 0x07);
	put8(b, 0x00);
	fill(b, 0xff, 77);
	for (i = 0; i < 2; i++) {		/* subcode */
		put8(b, 0x3f);
		put8(b, 0x07);
		put8(b, i);
		for (j = 0; j < 6; j++) {
			put8(b, 0);
			put8(b, j);
			put8(b, 0xff);
			if (packs_in_subcode && j == 3)
				put(b, date, 5);
			else if (packs_in_subcode && j == 4)
				put(b, tim, 5);
			else
				fill(b, 0xff, 5);
		}
		fill(b, 0xff, 29);
	}
	for (i = 0; i < 3; i++) {		/* VAUX */
		put8(b, 0x5f);
		put8(b, 0x07);
		put8(b, i);
		for (j = 0; j < 15; j++) {
			if (!packs_in_subcode && i == 1 && j == 2)
				put(b, date, 5);
			else if (!packs_in_subcode && i == 1 && j == 3)
				put(b, tim, 5);
			else
				fill(b, 0xff, 5);
		}
		fill(b, 0xff, 2);
	}
	for (i = 0; i < 144; i++) {		/* audio and video */
		put8(b, i % 16 == 0 ? 0x7f : 0x9f);
		put8(b, 0x07);
		put8(b, i);
		fill(b, 0x00, 77);
	}
}

static void
test_dv(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;
	int		i;

	(void)state;
	for (i = 0; i < 12; i++)
		dv_seq(&b, 0);
	assert_int_equal(b.len, 144000);
	assert_int_equal(run(meta_dv, &b, &m), 0);
	assert_wall(&m, "2024-07-04T12:30:45", "dv");
	free(b.p);

	memset(&b, 0, sizeof b);
	dv_seq(&b, 1);
	assert_int_equal(run(meta_dv, &b, &m), 0);
	assert_wall(&m, "2024-07-04T12:30:45", "dv");
	truncations(meta_dv, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	fill(&b, 0x9f, 12000);
	assert_int_equal(run(meta_dv, &b, &m), -1);
	assert_non_null(strstr(m.error, "DIF"));
	free(b.p);
}

/* ASF: GUIDs as they sit in the file. */
static const uint8_t g_header[16] = { 0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66,
    0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c };
static const uint8_t g_fileprops[16] = { 0xa1, 0xdc, 0xab, 0x8c, 0x47, 0xa9,
    0xcf, 0x11, 0x8e, 0xe4, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65 };
static const uint8_t g_streamprops[16] = { 0x91, 0x07, 0xdc, 0xb7, 0xb7,
    0xa9, 0xcf, 0x11, 0x8e, 0xe6, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65 };
static const uint8_t g_video[16] = { 0xc0, 0xef, 0x19, 0xbc, 0x4d, 0x5b,
    0xcf, 0x11, 0xa8, 0xfd, 0x00, 0x80, 0x5f, 0x5c, 0x44, 0x2b };
static const uint8_t g_audio[16] = { 0x40, 0x9e, 0x69, 0xf8, 0x4d, 0x5b,
    0xcf, 0x11, 0xa8, 0xfd, 0x00, 0x80, 0x5f, 0x5c, 0x44, 0x2b };
static const uint8_t g_other[16] = { 0x33, 0x26, 0xb2, 0x75, 0x8e, 0x66,
    0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c };

static void
put64le(struct buf *b, uint64_t v)
{
	put32le(b, (uint32_t)v);
	put32le(b, (uint32_t)(v >> 32));
}

/* An ASF object of n body bytes (filled with v) after its GUID and size. */
static void
asf_obj(struct buf *b, const uint8_t *guid, const void *body, size_t n)
{
	put(b, guid, 16);
	put64le(b, 24 + n);
	put(b, body, n);
}

/*
 * An ASF file: a 20 kB object first (as WM/Picture makes it, pushing the
 * streams past where file(1) looks), file properties with FILETIME ft,
 * then one stream of type stream (NULL for none), then a data object.
 */
static void
asf(struct buf *b, uint64_t ft, const uint8_t *stream)
{
	struct buf	h = { 0 }, o = { 0 };
	uint32_t	n = 0;

	fill(&o, 0x41, 20000);
	asf_obj(&h, g_other, o.p, o.len), n++;
	o.len = 0;
	fill(&o, 0x11, 16);		/* file ID */
	put64le(&o, 123456);		/* file size */
	put64le(&o, ft);		/* creation date */
	fill(&o, 0, 56);		/* packets, durations, flags, bitrate */
	asf_obj(&h, g_fileprops, o.p, o.len), n++;
	if (stream != NULL) {
		o.len = 0;
		put(&o, stream, 16);
		fill(&o, 0, 38);
		asf_obj(&h, g_streamprops, o.p, o.len), n++;
	}
	put(b, g_header, 16);
	put64le(b, 30 + h.len);
	put32le(b, n);
	put8(b, 1);
	put8(b, 2);
	put(b, h.p, h.len);
	fill(b, 0x82, 600);		/* the data object follows */
	free(h.p);
	free(o.p);
}

/* FILETIME of a UTC instant given in seconds since 1970. */
#define FILETIME(t)	(((uint64_t)(t) + 11644473600ULL) * 10000000ULL)

static void
test_asf(void **state)
{
	struct buf	 b = { 0 };
	struct meta	 m;
	struct sb_src	 s;

	(void)state;
	/* 2004-10-28T17:23:34Z */
	asf(&b, FILETIME(1098984214) + 1234567, g_video);
	assert_int_equal(run(meta_asf, &b, &m), 0);
	assert_utc(&m, "2004-10-28T17:23:34Z", "asf");
	src_mem(&s, b.p, b.len);
	assert_string_equal(asf_mime(&s), "video/x-ms-wmv");
	truncations(meta_asf, &b);
	free(b.p);

	/* Audio only is WMA; no stream at all stays undecided. */
	memset(&b, 0, sizeof b);
	asf(&b, 0, g_audio);
	src_mem(&s, b.p, b.len);
	assert_string_equal(asf_mime(&s), "audio/x-ms-wma");
	assert_int_equal(run(meta_asf, &b, &m), 0);
	assert_false(m.taken.has_utc);		/* a zero date is none */
	free(b.p);
	memset(&b, 0, sizeof b);
	asf(&b, FILETIME(0), NULL);
	src_mem(&s, b.p, b.len);
	assert_null(asf_mime(&s));
	assert_int_equal(run(meta_asf, &b, &m), 0);
	assert_false(m.taken.has_utc);		/* nor is the 1970 epoch */

	/* A header that claims more than the file holds. */
	b.p[16] = 0xff;
	b.p[20] = 0x7f;
	assert_int_equal(run(meta_asf, &b, &m), -1);
	assert_non_null(strstr(m.error, "header object size"));
	/* A child object that runs past the header. */
	b.p[16] = (uint8_t)(b.len - 600);
	b.p[20] = 0;
	b.p[30 + 16 + 2] = 0x70;
	assert_int_equal(run(meta_asf, &b, &m), -1);
	assert_non_null(strstr(m.error, "past the header's end"));
	free(b.p);
}

/* MXF: a KLV item with a 4-byte BER length. */
static void
klv(struct buf *b, const uint8_t *key, const void *v, size_t n)
{
	put(b, key, 16);
	put8(b, 0x83);
	put8(b, (unsigned)(n >> 16));
	put16be(b, n & 0xffff);
	put(b, v, n);
}

static void
mxf_stamp(struct buf *b, int y, int mo, int d, int h, int mi, int s)
{
	put16be(b, (unsigned)y);
	put8(b, (unsigned)mo);
	put8(b, (unsigned)d);
	put8(b, (unsigned)h);
	put8(b, (unsigned)mi);
	put8(b, (unsigned)s);
	put8(b, 56);
}

/*
 * An MXF file: header partition, a primer mapping local tag 0x8001 to the
 * package creation date label (when dyn), an identification set with a
 * modification date, a material package with a creation date (tag 0x8001
 * or the standard 0x4405, or none), then an essence element.
 */
static void
mxf(struct buf *b, int created, int dyn)
{
	static const uint8_t k_part[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05,
	    0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01, 0x02, 0x04, 0x00 };
	static const uint8_t k_primer[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x02,
	    0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01, 0x05, 0x01, 0x00 };
	static const uint8_t k_ident[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x02, 0x53,
	    0x01, 0x01, 0x0d, 0x01, 0x01, 0x01, 0x01, 0x01, 0x30, 0x00 };
	static const uint8_t k_package[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x02,
	    0x53, 0x01, 0x01, 0x0d, 0x01, 0x01, 0x01, 0x01, 0x01, 0x36, 0x00 };
	static const uint8_t k_fill[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x01, 0x01,
	    0x01, 0x02, 0x03, 0x01, 0x02, 0x10, 0x01, 0x00, 0x00, 0x00 };
	static const uint8_t k_essence[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x01,
	    0x02, 0x01, 0x01, 0x0d, 0x01, 0x03, 0x01, 0x15, 0x01, 0x05, 0x00 };
	static const uint8_t ul_created[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x01,
	    0x01, 0x01, 0x02, 0x07, 0x02, 0x01, 0x10, 0x01, 0x03, 0x00, 0x00 };
	static const uint8_t ul_name[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x01,
	    0x01, 0x01, 0x01, 0x01, 0x03, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00 };
	struct buf	v = { 0 };

	fill(&v, 0, 88);
	klv(b, k_part, v.p, v.len);
	v.len = 0;
	klv(b, k_fill, "\0\0\0\0\0\0\0\0", 8);
	put32be(&v, 2);
	put32be(&v, 18);
	put16be(&v, 0x8002);
	put(&v, ul_name, 16);
	put16be(&v, 0x8001);
	put(&v, ul_created, 16);
	klv(b, k_primer, v.p, v.len);
	v.len = 0;
	put16be(&v, 0x3c02);		/* ProductName, not a date */
	put16be(&v, 8);
	put(&v, "Camcordr", 8);
	put16be(&v, 0x3c06);		/* ModificationDate */
	put16be(&v, 8);
	mxf_stamp(&v, 2015, 6, 1, 10, 0, 0);
	klv(b, k_ident, v.p, v.len);
	v.len = 0;
	put16be(&v, 0x8002);
	put16be(&v, 4);
	put(&v, "clip", 4);
	if (created) {
		put16be(&v, dyn ? 0x8001 : 0x4405);
		put16be(&v, 8);
		mxf_stamp(&v, 2014, 12, 31, 23, 59, 30);
	}
	klv(b, k_package, v.p, v.len);
	v.len = 0;
	fill(&v, 0xee, 3000);
	klv(b, k_essence, v.p, v.len);
	free(v.p);
}

static void
test_mxf(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;

	(void)state;
	mxf(&b, 1, 1);
	assert_int_equal(run(meta_mxf, &b, &m), 0);
	assert_utc(&m, "2014-12-31T23:59:30Z", "mxf");
	truncations(meta_mxf, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	mxf(&b, 1, 0);			/* the standard's own tag */
	assert_int_equal(run(meta_mxf, &b, &m), 0);
	assert_utc(&m, "2014-12-31T23:59:30Z", "mxf");
	free(b.p);

	memset(&b, 0, sizeof b);
	mxf(&b, 0, 1);			/* only a modification date */
	assert_int_equal(run(meta_mxf, &b, &m), 0);
	assert_utc(&m, "2015-06-01T10:00:00Z", "mxf-modified");

	/* A broken length before any date: an error naming the byte. */
	b.p[16] = 0x89;
	assert_int_equal(run(meta_mxf, &b, &m), -1);
	assert_non_null(strstr(m.error, "byte 0"));
	b.p[0] = 0;
	assert_int_equal(run(meta_mxf, &b, &m), -1);
	assert_non_null(strstr(m.error, "header partition"));
	free(b.p);
}

/*
 * An R3D file as Red.pm describes it: a RED2 header block (size, "RED2",
 * the rdi count at 0x40, its 0x18-byte records from 0x44), then the RED
 * directory (16-bit size; entries of 16-bit length, 16-bit tag, value),
 * padded to its block size; or a RED1 header with the directory at 0x22 of
 * the next block.
 */
static void
red_entry(struct buf *b, unsigned tag, const char *v)
{
	put16be(b, (unsigned)(4 + strlen(v)));
	put16be(b, tag);
	puts_(b, v);
}

static void
red(struct buf *b, int ver, int dto, int dir_sane)
{
	struct buf	d = { 0 };
	size_t		i, block = 0x1000;

	red_entry(&d, 0x1000, "12345678901");		/* StartEdgeCode */
	if (dto)
		red_entry(&d, 0x1005, "20190824121233");
	red_entry(&d, 0x1019, "EPIC-W");
	red_entry(&d, 0x1023, "20190823");
	red_entry(&d, 0x1024, "235959");
	while (d.len < 320)
		red_entry(&d, 0x1056, "A001_C001_0824AB_001.R3D");
	put32be(b, (uint32_t)block);
	puts_(b, ver == 2 ? "RED2" : "RED1");
	if (ver == 2) {
		while (b->len < 0x40)
			put8(b, 0);
		put8(b, 2);			/* two rdi records */
		put8(b, 0);
		put8(b, 0);
		put8(b, 1);
		for (i = 0; i < 2 * 0x18; i++)
			put8(b, i % 0x18 == 0 ? 'r' : 0);
		put16be(b, dir_sane ? (unsigned)d.len : 9);
		put(b, d.p, d.len);
		while (b->len < block)
			put8(b, 0);
	} else {
		while (b->len < block)
			put8(b, 0);
		put32be(b, (uint32_t)block);
		puts_(b, "RDVO");
		while (b->len < block + 0x20)
			put8(b, 0);
		put16be(b, (unsigned)d.len);
		put(b, d.p, d.len);
		while (b->len < 2 * block)
			put8(b, 0);
	}
	free(d.p);
}

static void
test_red(void **state)
{
	struct buf	b = { 0 };
	struct meta	m;

	(void)state;
	red(&b, 2, 1, 1);
	assert_int_equal(run(meta_red, &b, &m), 0);
	assert_wall(&m, "2019-08-24T12:12:33", "r3d");
	assert_string_equal(m.make, "RED");
	assert_string_equal(m.model, "EPIC-W");
	truncations(meta_red, &b);
	free(b.p);

	memset(&b, 0, sizeof b);
	red(&b, 2, 0, 0);		/* no 0x1005; directory size wrong */
	assert_int_equal(run(meta_red, &b, &m), 0);
	assert_wall(&m, "2019-08-23T23:59:59", "r3d-created");
	free(b.p);

	memset(&b, 0, sizeof b);
	red(&b, 1, 1, 1);		/* RED1: the directory in block 2 */
	assert_int_equal(run(meta_red, &b, &m), 0);
	assert_wall(&m, "2019-08-24T12:12:33", "r3d");
	truncations(meta_red, &b);

	b.p[7] = '3';			/* not a RED header */
	assert_int_equal(run(meta_red, &b, &m), -1);
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bmff_mvhd),
		cmocka_unit_test(test_bmff_zero_mdhd),
		cmocka_unit_test(test_bmff_unix_epoch),
		cmocka_unit_test(test_bmff_keys),
		cmocka_unit_test(test_bmff_udta),
		cmocka_unit_test(test_bmff_udta_date),
		cmocka_unit_test(test_bmff_heif),
		cmocka_unit_test(test_bmff_corrupt),
		cmocka_unit_test(test_bmff_jxl),
		cmocka_unit_test(test_bmff_file_moov),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_mkv_dateutc),
		cmocka_unit_test(test_mkv_unknown_size),
		cmocka_unit_test(test_mkv_tags),
		cmocka_unit_test(test_mkv_corrupt),
		cmocka_unit_test(test_riff_avi),
		cmocka_unit_test(test_riff_webp),
		cmocka_unit_test(test_riff_corrupt),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_png_compressed),
		cmocka_unit_test(test_mpegts),
		cmocka_unit_test(test_dv),
		cmocka_unit_test(test_asf),
		cmocka_unit_test(test_mxf),
		cmocka_unit_test(test_red),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
