/*
 * test-identify.c: identify() with our magic/ definitions on headers built
 * in memory: TIFF-based RAWs told apart by what is inside them, the name
 * only breaking ties, and the containers our magic names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"
#include "tiff-build.h"

static const uint8_t DNGV[4] = { 1, 4, 0, 0 };
static const uint16_t CFA = 32803;

/* The MIME type identify() gives buf (len bytes) named name. */
static const char *
mime_of(const void *buf, size_t len, const char *name)
{
	static struct meta	m;
	struct sb_src		s;

	src_mem(&s, buf, len);
	memset(&m, 0, sizeof m);
	assert_int_equal(identify(&s, name, &m), 0);
	return m.mime;
}

/* A TIFF with Make make (or none), DNGVersion if dng, CFA data if cfa. */
static const char *
tiff_mime(int be, uint16_t magic, const char *make, int dng, int cfa,
    const char *name)
{
	static struct tb	t;
	struct tb_entry		e[3] = { { 0 } };	/* gcc -m32 -O2 warns */
	int			n = 0;

	if (make != NULL)
		e[n++] = (struct tb_entry){ 0x010f, 2,
		    (uint32_t)strlen(make) + 1, make };
	if (cfa)
		e[n++] = (struct tb_entry){ 0x0106, 3, 1, &CFA };
	if (dng)
		e[n++] = (struct tb_entry){ 0xc612, 1, 4, DNGV };
	tb_tiff(&t, be, magic, e, n, NULL, 0);
	return mime_of(t.b, t.n, name);
}

static int
setup(void **state)
{
	(void)state;
	return identify_open(NULL);
}

static void
test_tiff_raws(void **state)
{
	(void)state;
	assert_string_equal(tiff_mime(0, 42, NULL, 0, 0, "a.tif"),
	    "image/tiff");
	assert_string_equal(tiff_mime(1, 42, "PENTAX", 1, 1, "a.jpg"),
	    "image/x-adobe-dng");
	assert_string_equal(tiff_mime(0, 42, "Apple", 1, 0, "a.tif"),
	    "image/x-adobe-dng");
	assert_string_equal(tiff_mime(0, 42, "GoPro", 1, 1, "a.dng"),
	    "image/x-gopro-gpr");
	assert_string_equal(tiff_mime(1, 42, "NIKON CORPORATION", 0, 1,
	    "x"), "image/x-nikon-nef");
	assert_string_equal(tiff_mime(1, 42, "NIKON CORPORATION", 0, 1,
	    "DSC_1.NRW"), "image/x-nikon-nrw");
	/* A camera's plain TIFF (Reagan.tiff) stays a TIFF ... */
	assert_string_equal(tiff_mime(1, 42, "NIKON CORPORATION", 0, 0,
	    "a.tif"), "image/tiff");
	/* ... unless the name says RAW and the bytes cannot disagree. */
	assert_string_equal(tiff_mime(1, 42, "NIKON CORPORATION", 0, 0,
	    "a.nef"), "image/x-nikon-nef");
	assert_string_equal(tiff_mime(0, 42, "SONY", 0, 1, "a"),
	    "image/x-sony-arw");
	assert_string_equal(tiff_mime(0, 42, "SONY", 0, 1, "a.SR2"),
	    "image/x-sony-sr2");
	assert_string_equal(tiff_mime(0, 42, "SONY", 0, 1, "a.srf"),
	    "image/x-sony-srf");
	assert_string_equal(tiff_mime(0, 42, "RICOH IMAGING COMPANY, LTD.",
	    0, 1, "a"), "image/x-pentax-pef");
	assert_string_equal(tiff_mime(0, 42, "SAMSUNG", 0, 1, "a"),
	    "image/x-samsung-srw");
	assert_string_equal(tiff_mime(0, 42, "Phase One", 0, 1, "a"),
	    "image/x-phaseone-iiq");
	assert_string_equal(tiff_mime(0, 42, "Hasselblad", 0, 1, "a"),
	    "image/x-hasselblad-3fr");
	assert_string_equal(tiff_mime(0, 42, "SEIKO EPSON CORP.", 0, 1, "a"),
	    "image/x-epson-erf");
	assert_string_equal(tiff_mime(0, 42, "EASTMAN KODAK COMPANY", 0, 1,
	    "a"), "image/x-kodak-kdc");
	assert_string_equal(tiff_mime(0, 42, "Kodak", 0, 1, "a.DCR"),
	    "image/x-kodak-dcr");
	assert_string_equal(tiff_mime(0, 42, "Leaf", 0, 1, "a"),
	    "image/x-leaf-mos");
	/* Panasonic's layout (magic 0x55). */
	assert_string_equal(tiff_mime(0, 0x55, "Panasonic", 0, 0, "a"),
	    "image/x-panasonic-rw2");
	assert_string_equal(tiff_mime(0, 0x55, "LEICA", 0, 0, "a.rw2"),
	    "image/x-leica-rwl");
	assert_string_equal(tiff_mime(0, 0x55, NULL, 0, 0, "a.rw2"),
	    "image/x-panasonic-rw2");
	assert_string_equal(tiff_mime(0, 0x55, NULL, 0, 0, "a.jpg"),
	    "image/tiff");
	/* Olympus's magics. */
	assert_string_equal(tiff_mime(0, 0x4f52, "OLYMPUS", 0, 0, "a"),
	    "image/x-olympus-orf");
	assert_string_equal(tiff_mime(1, 0x4f52, NULL, 0, 0, "a.tif"),
	    "image/x-olympus-orf");
}

static void
test_cr2(void **state)
{
	struct tb	t;

	(void)state;
	tb_header(&t, 0, 42);
	tb_put32(&t, 4, 16);
	memcpy(t.b + 8, "CR\2\0\0\0\0\0", 8);
	tb_ifd(&t, 16, NULL, 0, 0);
	assert_string_equal(mime_of(t.b, t.n, "a.tif"), "image/x-canon-cr2");
}

/* A buffer of n bytes: zeroes with p (plen bytes) at off. */
static const uint8_t *
at(size_t n, size_t off, const void *p, size_t plen)
{
	static uint8_t	b[4096];

	memset(b, 0, n);
	memcpy(b + off, p, plen);
	return b;
}

static void
test_classic_raws(void **state)
{
	uint8_t	b[256];

	(void)state;
	memset(b, 0, sizeof b);
	memcpy(b, "II\x1a\0\0\0HEAPCCDR", 14);
	assert_string_equal(mime_of(b, sizeof b, "x"), "image/x-canon-crw");
	memcpy(b, "MM\0\0\0\x1aHEAPCCDR", 14);
	assert_string_equal(mime_of(b, sizeof b, "x"), "image/x-canon-crw");
	memset(b, 0, sizeof b);
	memcpy(b, "FUJIFILMCCD-RAW 0201FF383501", 28);
	assert_string_equal(mime_of(b, sizeof b, "x"), "image/x-fuji-raf");
	memset(b, 0, sizeof b);
	memcpy(b, "\0MRM\0\0\0\x40\0PRD\0\0\0\x18", 16);
	assert_string_equal(mime_of(b, sizeof b, "x"), "image/x-minolta-mrw");
	memset(b, 0, sizeof b);
	memcpy(b, "FOVb\0\0\2\0", 8);
	assert_string_equal(mime_of(b, sizeof b, "x"), "image/x-sigma-x3f");
}

/* An ftyp box with major brand brand and compatible brand compat. */
static const char *
ftyp(const char *brand, const char *compat)
{
	uint8_t	b[64];

	memset(b, 0, sizeof b);
	memcpy(b, "\0\0\0\x18" "ftyp", 8);
	memcpy(b + 8, brand, 4);
	memcpy(b + 16, compat, 4);
	memcpy(b + 24, "\0\0\0\x08" "free", 8);
	return mime_of(b, sizeof b, "x");
}

static void
test_bmff(void **state)
{
	(void)state;
	assert_string_equal(ftyp("crx ", "isom"), "image/x-canon-cr3");
	assert_string_equal(ftyp("heic", "mif1"), "image/heif");
	assert_string_equal(ftyp("hevc", "msf1"), "image/heif");
	assert_string_equal(ftyp("msf1", "hevc"), "image/heif");
	assert_string_equal(ftyp("mif1", "heic"), "image/heif");
	assert_string_equal(ftyp("mif1", "avif"), "image/avif");
	assert_string_equal(ftyp("avif", "mif1"), "image/avif");
	assert_string_equal(ftyp("qt  ", "qt  "), "video/quicktime");
	assert_string_equal(ftyp("M4V ", "isom"), "video/x-m4v");
	assert_string_equal(ftyp("3gp4", "isom"), "video/3gpp");
	assert_string_equal(ftyp("3g2a", "isom"), "video/3gpp2");
	assert_string_equal(ftyp("isom", "mp41"), "video/mp4");
	assert_string_equal(ftyp("mp42", "isom"), "video/mp4");
	assert_string_equal(ftyp("XAVC", "mp42"), "video/mp4");
	assert_string_equal(mime_of(at(64, 0, "\0\0\0\x0cJXL \r\n\x87\n",
	    12), 64, "x"), "image/jxl");
}

/*
 * QuickTime with a filler atom first (free, skip, wide, junk), as ExifTool's
 * MOV test takes it: then moov, mdat, ftyp or another filler; the letters
 * alone are not enough.
 */
static void
test_quicktime_filler(void **state)
{
	static const char ok[][25] = {
		"\0\0\0\x10" "free" "\0\0\0\0\0\0\0\0" "\0\0\0\x08" "moov",
		"\0\0\0\x08" "skip" "\0\0\0\x08" "wide" "\0\0\0\x08" "mdat",
		"\0\0\0\x0c" "junk" "\0\0\0\0" "\0\0\0\x14" "ftypqt  ",
		"\0\0\0\x08" "wide" "\0\0\0\x08" "mdat",
		"\0\0\0\x08" "wide" "\0\0\0\x08" "moov",
	};
	static const char no[][25] = {
		"\0\0\0\x10" "free" "\0\0\0\0\0\0\0\0" "\0\0\0\x08" "abcd",
		"\0\0\0\x04" "free" "moovmoovmoovmoov",
		"\0\0\x10\0" "skip" "\0\0\0\x08" "moov",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_string_equal(mime_of(at(64, 0, ok[i], 24), 64,
		    "x.mov"), "video/quicktime");
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_string_not_equal(mime_of(at(64, 0, no[i], 24), 64,
		    "x.mov"), "video/quicktime");
}

static void
test_video(void **state)
{
	uint8_t		b[1024];
	size_t		i;
	static const uint8_t asf[] = { 0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66,
	    0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c };
	static const uint8_t vid[] = { 0xc0, 0xef, 0x19, 0xbc, 0x4d, 0x5b,
	    0xcf, 0x11, 0xa8, 0xfd, 0x00, 0x80, 0x5f, 0x5c, 0x44, 0x2b };
	static const uint8_t webm[] = { 0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42,
	    0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm' };
	static const uint8_t mkv[] = { 0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42,
	    0x86, 0x81, 0x01, 0x42, 0x82, 0x88, 'm', 'a', 't', 'r', 'o', 's',
	    'k', 'a' };
	static const uint8_t mxf[] = { 0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05,
	    0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01, 0x02, 0x04, 0x00 };

	(void)state;
	memset(b, 0xff, sizeof b);
	for (i = 0; i + 188 <= sizeof b; i += 188)
		b[i] = 0x47;
	assert_string_equal(mime_of(b, sizeof b, "x"), "video/mp2t");
	memset(b, 0xff, sizeof b);
	for (i = 0; i + 192 <= sizeof b; i += 192) {
		memset(b + i, 0, 4);
		b[i + 4] = 0x47;
	}
	assert_string_equal(mime_of(b, sizeof b, "x"), "video/mp2t");
	assert_string_equal(mime_of(at(64, 0, "RIFF\0\0\0\0AVI LIST", 16),
	    64, "x"), "video/x-msvideo");
	assert_string_equal(mime_of(at(64, 0, "RIFF\0\0\0\0WEBPVP8 ", 16),
	    64, "x"), "image/webp");
	assert_string_equal(mime_of(at(64, 0, "\0\0\1\xba\x44\0\4\0", 8),
	    64, "x"), "video/mpeg");
	assert_string_equal(mime_of(at(64, 0, webm, sizeof webm), 64, "x"),
	    "video/webm");
	assert_string_equal(mime_of(at(64, 0, mkv, sizeof mkv), 64, "x"),
	    "video/x-matroska");
	memset(b, 0, sizeof b);
	memcpy(b, asf, sizeof asf);
	assert_string_equal(mime_of(b, 512, "x"), "video/x-ms-asf");
	memcpy(b + 300, vid, sizeof vid);
	assert_string_equal(mime_of(b, 512, "x"), "video/x-ms-wmv");
	{
		/*
		 * A 12 kB picture object first, as Windows Media Player
		 * leaves it: the stream object is past where the magic
		 * looks, and the header walk still finds it.
		 */
		static uint8_t	big[16384];
		size_t		o = 30;

		memcpy(big, asf, sizeof asf);
		big[16] = 0x00, big[17] = 0x40;		/* header: 16 kB */
		big[24] = 2;				/* two objects */
		big[o + 16] = 0x00, big[o + 17] = 0x30;	/* 12 kB filler */
		o += 0x3000;
		memcpy(big + o, "\x91\x07\xdc\xb7\xb7\xa9\xcf\x11"
		    "\x8e\xe6\x00\xc0\x0c\x20\x53\x65", 16);
		big[o + 16] = 24 + 16 + 38;
		memcpy(big + o + 24, vid, sizeof vid);
		assert_string_equal(mime_of(big, sizeof big, "x"),
		    "video/x-ms-wmv");
		assert_int_equal(kind_of_mime("video/x-ms-wmv"), KIND_VIDEO);
		memcpy(big + o + 24, "\x40\x9e\x69\xf8", 4);	/* audio */
		assert_string_equal(mime_of(big, sizeof big, "x"),
		    "audio/x-ms-wma");
		assert_int_equal(kind_of_mime("audio/x-ms-wma"), KIND_OTHER);
	}
	assert_string_equal(mime_of(at(256, 0, "\x1f\x07\0\x3f", 4), 256,
	    "x"), "video/dv");
	assert_string_equal(mime_of(at(256, 0, "\x1f\x07\0\xbf", 4), 256,
	    "x"), "video/dv");
	assert_string_equal(mime_of(at(256, 0, mxf, sizeof mxf), 256, "x"),
	    "application/mxf");
}

static void
test_bytes_win(void **state)
{
	struct tb	t;

	(void)state;
	/* A TIFF named .jpg is a TIFF; a JPEG named .nef is a JPEG. */
	tb_tiff(&t, 0, 42, NULL, 0, NULL, 0);
	assert_string_equal(mime_of(t.b, t.n, "IMG_1.JPG"), "image/tiff");
	assert_string_equal(mime_of(at(64, 0, "\xff\xd8\xff\xe0\0\x10JFIF\0",
	    11), 64, "a.nef"), "image/jpeg");
}

/*
 * A camera's JPEG (an Exif or a JFIF segment first) is named without
 * libmagic: the same as libmagic names the same bytes with the segment
 * renamed (APP2, APP0 without JFIF), and other JPEG starts go to libmagic.
 */
static void
test_jpeg(void **state)
{
	static const char heads[][17] = {
	    "\xff\xd8\xff\xe1\x12\x34" "Exif\0\0" "II*\0",
	    "\xff\xd8\xff\xe2\x12\x34" "Exif\0\0" "II*\0",
	    "\xff\xd8\xff\xe0\0\x10" "JFIF\0\1\1\0",
	    "\xff\xd8\xff\xe0\0\x10" "JFXX\0\1\1\0",
	    "\xff\xd8\xff\xdb\0\x43\0\x10\x0b\x0c\x0e\x0c" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof heads / sizeof heads[0]; i++)
		assert_string_equal(mime_of(at(256, 0, heads[i], 16), 256,
		    "a.jpg"), "image/jpeg");
	/* Too short to tell by the first bytes: libmagic's answer. */
	assert_string_equal(mime_of(heads[0], 11, "a.jpg"), "image/jpeg");
}

/*
 * The importer reads a small file whole (up to 256 kB), but libmagic and
 * the XMP test see its first HEAD_SIZE bytes only, as for any file.
 */
static void
test_head_size(void **state)
{
	static uint8_t	b[HEAD_SIZE + 4096];

	(void)state;
	memset(b, 'a', sizeof b);
	memcpy(b + HEAD_SIZE + 100, "<x:xmpmeta", 10);
	assert_string_equal(mime_of(b, sizeof b, "a.xmp"), "text/plain");
	memcpy(b + 100, "<x:xmpmeta", 10);
	assert_string_equal(mime_of(b, sizeof b, "a.xmp"),
	    "application/rdf+xml");
}

static void
test_kinds(void **state)
{
	static const char *raws[] = { "image/x-canon-cr2",
	    "image/x-canon-cr3", "image/x-canon-crw", "image/x-nikon-nef",
	    "image/x-nikon-nrw", "image/x-sony-arw", "image/x-sony-sr2",
	    "image/x-sony-srf", "image/x-adobe-dng", "image/x-olympus-orf",
	    "image/x-panasonic-rw2", "image/x-panasonic-rw",
	    "image/x-fuji-raf", "image/x-pentax-pef", "image/x-samsung-srw",
	    "image/x-sigma-x3f", "image/x-minolta-mrw",
	    "image/x-phaseone-iiq", "image/x-hasselblad-3fr",
	    "image/x-epson-erf", "image/x-kodak-kdc", "image/x-kodak-dcr",
	    "image/x-leaf-mos", "image/x-leica-rwl", "image/x-gopro-gpr" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof raws / sizeof raws[0]; i++)
		assert_int_equal(kind_of_mime(raws[i]), KIND_RAW);
	assert_int_equal(kind_of_mime("image/jxl"), KIND_IMAGE);
	assert_int_equal(kind_of_mime("video/mp2t"), KIND_VIDEO);
	assert_int_equal(kind_of_mime("application/mxf"), KIND_VIDEO);
}

static int
teardown(void **state)
{
	(void)state;
	identify_close();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiff_raws),
		cmocka_unit_test(test_cr2),
		cmocka_unit_test(test_classic_raws),
		cmocka_unit_test(test_bmff),
		cmocka_unit_test(test_quicktime_filler),
		cmocka_unit_test(test_video),
		cmocka_unit_test(test_bytes_win),
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_head_size),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
