/*
 * meta-vendor.c: capture dates in vendors' own blocks that libexif does not
 * read, for cameras whose Exif has none. The layouts are ExifTool's
 * (FLIR.pm, Reconyx.pm, version 12.57):
 *
 *  - FLIR thermal cameras: APP1 "FLIR\0" segments whose data, put together
 *    in chunk order, is an FFF file: a 0x40-byte header, a directory of
 *    0x20-byte records, and a CameraInfo record (type 0x20) holding
 *    DateTimeOriginal at 0x384 as a 32-bit Unix time, milliseconds and the
 *    zone as minutes west of UTC.
 *  - Reconyx trail cameras: the Exif MakerNote, in one of three layouts
 *    (HyperFire, UltraFire, HyperFire 2), with the date as separate
 *    second, minute, hour, day, month and year fields.
 */
#include <string.h>

#include "shoebox.h"

#define FFF_HEADER	0x40
#define FFF_ENTRY	0x20
#define FFF_MAXRECORDS	1024		/* directory entries looked at */
#define FFF_CAMERAINFO	0x20		/* record type */
#define FFF_DATE	0x384		/* in CameraInfo: 10 bytes */

/*
 * Note one FLIR APP1 segment: hdr is its first 8 bytes ("FLIR\0", a
 * version byte, the chunk number, the number of the last chunk), its data
 * the len bytes at off in the file. A chunk seen twice keeps its first.
 */
void
flir_chunk(struct flir_chunks *c, const uint8_t *hdr, uint64_t off,
    size_t len)
{
	unsigned	i = hdr[6];

	if (len == 0 || len > UINT32_MAX || c->len[i] != 0)
		return;
	c->off[i] = off;
	c->len[i] = (uint32_t)len;
	c->n++;
}

/* Read n bytes at offset off of the FFF data spread over the chunks. */
static int
fff_read(const struct sb_src *s, const struct flir_chunks *c, uint64_t off,
    uint8_t *buf, size_t n)
{
	uint64_t	at = 0;		/* where chunk i starts in the FFF */
	size_t		k;
	int		i;

	for (i = 0; i < FLIR_MAXCHUNKS && n > 0; i++) {
		if (c->len[i] == 0)
			continue;
		if (off < at + c->len[i]) {
			k = at + c->len[i] - off < n ?
			    (size_t)(at + c->len[i] - off) : n;
			if (src_read(s, c->off[i] + (off - at), buf, k) == -1)
				return -1;
			buf += k;
			n -= k;
			off += k;
		}
		at += c->len[i];
	}
	return n == 0 ? 0 : -1;
}

static uint16_t
fff16(const uint8_t *p, int be)
{
	return be ? get16be(p) : get16le(p);
}

static uint32_t
fff32(const uint8_t *p, int be)
{
	return be ? get32be(p) : get32le(p);
}

/*
 * The capture time in the FLIR FFF data held by chunks c of s: UTC, with
 * the camera's offset when it is a sane one. Returns 0 with t set, or -1.
 */
int
flir_date(const struct sb_src *s, const struct flir_chunks *c,
    struct sb_time *t)
{
	uint8_t		h[FFF_HEADER], e[FFF_ENTRY], r[10];
	uint32_t	ver, dir, num, i, roff, rlen, when;
	int		be = 1, rbe, tz;

	if (fff_read(s, c, 0, h, sizeof h) == -1 ||
	    (memcmp(h, "FFF\0", 4) != 0 && memcmp(h, "AFF\0", 4) != 0))
		return -1;
	/* The byte order is the one in which the version reads 100-199. */
	ver = fff32(h + 0x14, be);
	if (ver < 100 || ver >= 200) {
		be = 0;
		ver = fff32(h + 0x14, be);
		if (ver < 100 || ver >= 200)
			return -1;
	}
	dir = fff32(h + 0x18, be);
	num = fff32(h + 0x1c, be);
	if (num > FFF_MAXRECORDS)
		num = FFF_MAXRECORDS;
	for (i = 0; i < num; i++) {
		if (fff_read(s, c, (uint64_t)dir + (uint64_t)i * FFF_ENTRY, e,
		    sizeof e) == -1)
			return -1;
		if (fff16(e, be) != FFF_CAMERAINFO)
			continue;
		roff = fff32(e + 0x0c, be);
		rlen = fff32(e + 0x10, be);
		if (rlen < FFF_DATE + sizeof r ||
		    fff_read(s, c, roff, r, 2) == -1)
			return -1;
		/* CameraInfo starts with 2: else its order is the other one. */
		rbe = fff16(r, be) >= 0x100 ? !be : be;
		if (fff_read(s, c, (uint64_t)roff + FFF_DATE, r,
		    sizeof r) == -1)
			return -1;
		when = fff32(r, rbe);
		tz = (int16_t)fff16(r + 8, rbe);
		memset(t, 0, sizeof *t);
		if (date_set_utc(t, when) == -1)
			return -1;
		if (tz >= -14 * 60 && tz <= 14 * 60) {
			t->has_offset = 1;
			t->offset_min = -tz;
		}
		return 0;
	}
	return -1;
}

/*
 * The capture time in a Reconyx maker note mn (len bytes) of a camera
 * whose Exif Make is make: a wall clock with no zone. Returns 0 with t
 * set, or -1 when it is no Reconyx note or holds no date.
 */
int
reconyx_date(const uint8_t *mn, size_t len, const char *make,
    struct sb_time *t)
{
	const uint8_t	*p;
	unsigned	 a[6];
	int		 i;

	if (len >= 4 && mn[0] == 0x01 && mn[1] == 0xf1 &&
	    ((mn[3] == 0 && (mn[2] == 2 || mn[2] == 3)) ||
	    strcmp(make, "RECONYX") == 0)) {
		/* HyperFire: int16u words; the date is words 11-16 as
		 * second, minute, hour, month, day, year. */
		if (len < 22 + 12)
			return -1;
		for (i = 0; i < 6; i++)
			a[i] = get16le(mn + 22 + 2 * i);
		/* Some write these words big-endian, all else little. */
		if ((a[0] & 0xff00) && !(a[0] & 0xff))
			for (i = 0; i < 6; i++)
				a[i] = (a[i] >> 8) | ((a[i] & 0xff) << 8);
		return date_set_wall(t, (int)a[5], (int)a[3], (int)a[4],
		    (int)a[2], (int)a[1], (int)a[0]);
	}
	if (len >= 10 && memcmp(mn, "RECONYXUF\0", 10) == 0) {
		/* UltraFire: bytes at 0x3b: second, minute, hour, day,
		 * month, then the year as int16u. */
		if (len < 0x3b + 7)
			return -1;
		p = mn + 0x3b;
		return date_set_wall(t, p[5] | p[6] << 8, p[4], p[3], p[2],
		    p[1], p[0]);
	}
	if (len >= 10 && memcmp(mn, "RECONYXH2\0", 10) == 0) {
		/* HyperFire 2: int16u at 0x3e: second, minute, hour, day,
		 * month, year. */
		if (len < 0x3e + 12)
			return -1;
		for (i = 0; i < 6; i++)
			a[i] = get16le(mn + 0x3e + 2 * i);
		return date_set_wall(t, (int)a[5], (int)a[4], (int)a[3],
		    (int)a[2], (int)a[1], (int)a[0]);
	}
	return -1;
}
