/*
 * tiff-build.h: build small TIFF files in memory for the unit tests of
 * meta-tiff.c and identify.c. One IFD0, an optional ExifIFD; values that do
 * not fit in an entry go to a data area after the IFDs.
 */
#ifndef TIFF_BUILD_H
#define TIFF_BUILD_H

#include <string.h>

struct tb_entry {
	uint16_t	 tag;
	uint16_t	 type;		/* 2 ASCII, 3 SHORT, 4 LONG, 1 BYTE */
	uint32_t	 count;
	const void	*data;		/* count values, native order */
};

struct tb {
	uint8_t		 b[4096];
	size_t		 n;		/* bytes used */
	int		 be;
};

static void
tb_put16(struct tb *t, size_t off, uint16_t v)
{
	if (t->be) {
		t->b[off] = v >> 8;
		t->b[off + 1] = v & 0xff;
	} else {
		t->b[off] = v & 0xff;
		t->b[off + 1] = v >> 8;
	}
}

static void
tb_put32(struct tb *t, size_t off, uint32_t v)
{
	if (t->be) {
		tb_put16(t, off, v >> 16);
		tb_put16(t, off + 2, v & 0xffff);
	} else {
		tb_put16(t, off, v & 0xffff);
		tb_put16(t, off + 2, v >> 16);
	}
}

/* Write the value bytes of e (in the file's order) at off. */
static void
tb_value(struct tb *t, size_t off, const struct tb_entry *e)
{
	uint32_t	i;

	for (i = 0; i < e->count; i++) {
		if (e->type == 3)
			tb_put16(t, off + 2 * i, ((const uint16_t *)e->data)[i]);
		else if (e->type == 4)
			tb_put32(t, off + 4 * i, ((const uint32_t *)e->data)[i]);
		else
			t->b[off + i] = ((const uint8_t *)e->data)[i];
	}
}

static size_t
tb_size(const struct tb_entry *e)
{
	return e->type == 3 ? 2 * e->count : e->type == 4 ? 4 * e->count :
	    e->count;
}

/*
 * Write an IFD of n entries at off with next-IFD pointer next; values that
 * do not fit go at t->n. Returns the offset just past the IFD.
 */
static size_t
tb_ifd(struct tb *t, size_t off, const struct tb_entry *e, int n,
    uint32_t next)
{
	int	i;
	size_t	p = off + 2;

	tb_put16(t, off, (uint16_t)n);
	if (t->n < off + 2 + 12 * (size_t)n + 4)
		t->n = off + 2 + 12 * (size_t)n + 4;
	for (i = 0; i < n; i++, p += 12) {
		tb_put16(t, p, e[i].tag);
		tb_put16(t, p + 2, e[i].type);
		tb_put32(t, p + 4, e[i].count);
		if (tb_size(&e[i]) <= 4)
			tb_value(t, p + 8, &e[i]);
		else {
			tb_put32(t, p + 8, (uint32_t)t->n);
			tb_value(t, t->n, &e[i]);
			t->n += (tb_size(&e[i]) + 1) & ~(size_t)1;
		}
	}
	tb_put32(t, p, next);
	return p + 4;
}

/* Start a TIFF with magic (42, 0x55 ...) and IFD0 at offset 8. */
static void
tb_header(struct tb *t, int be, uint16_t magic)
{
	memset(t, 0, sizeof *t);
	t->be = be;
	t->b[0] = t->b[1] = be ? 'M' : 'I';
	tb_put16(t, 2, magic);
	tb_put32(t, 4, 8);
	t->n = 8;
}

/*
 * A whole TIFF: IFD0 with ifd0 (plus an ExifIFD pointer if nexif > 0),
 * then the ExifIFD. ExifIFD goes at a fixed offset 512.
 */
static void
tb_tiff(struct tb *t, int be, uint16_t magic, const struct tb_entry *ifd0,
    int n0, const struct tb_entry *exif, int nexif)
{
	struct tb_entry	 all[32];
	static const uint32_t exifoff = 512;
	int		 i;

	tb_header(t, be, magic);
	memset(all, 0, sizeof all);
	for (i = 0; i < n0; i++)
		all[i] = ifd0[i];
	if (nexif > 0)
		all[n0++] = (struct tb_entry){ 0x8769, 4, 1, &exifoff };
	/* IFD0's out-of-line values go after it, below 512. */
	tb_ifd(t, 8, all, n0, 0);
	if (nexif > 0) {
		if (t->n < 512)
			t->n = 512;
		tb_ifd(t, 512, exif, nexif, 0);
	}
}

#endif /* TIFF_BUILD_H */
