/*
 * meta-dv.c: raw DV (IEC 61834, SMPTE 314M). The stream is made of 80-byte
 * DIF blocks; the VAUX blocks (section type 2) hold 5-byte packs, among
 * them 0x62 (recording date) and 0x63 (recording time) in BCD, and the
 * subcode blocks (section type 1) repeat them. Reads the first DV_MAXBYTES
 * only: the packs come with every frame.
 */
#include <string.h>

#include "shoebox.h"

#define DV_BLOCK	80
#define DV_MAXBYTES	(1024 * 1024)
#define DV_CHUNK	(150 * DV_BLOCK)	/* one DIF sequence */

struct dv {
	int	 have_date, have_time;
	int	 year, mon, day, hour, min, sec;
};

/* A BCD value of the low bits of b under mask, or -1. */
static int
dv_bcd(uint8_t b, uint8_t mask)
{
	b &= mask;
	if ((b >> 4) > 9 || (b & 0xf) > 9)
		return -1;
	return (b >> 4) * 10 + (b & 0xf);
}

/* One 5-byte pack. */
static void
dv_pack(struct dv *d, const uint8_t *p)
{
	int	a, b, c;

	if (p[0] == 0x62 && !d->have_date) {
		a = dv_bcd(p[2], 0x3f);		/* day */
		b = dv_bcd(p[3], 0x1f);		/* month */
		c = dv_bcd(p[4], 0xff);		/* year in the century */
		if (a < 1 || b < 1 || c < 0)
			return;
		d->day = a;
		d->mon = b;
		d->year = c + (c < 90 ? 2000 : 1900);
		d->have_date = 1;
	} else if (p[0] == 0x63 && !d->have_time) {
		a = dv_bcd(p[4], 0x3f);		/* hours */
		b = dv_bcd(p[3], 0x7f);		/* minutes */
		c = dv_bcd(p[2], 0x7f);		/* seconds */
		if (a < 0 || b < 0 || c < 0)
			return;
		d->hour = a;
		d->min = b;
		d->sec = c;
		d->have_time = 1;
	}
}

/* The packs of one DIF block: 15 in VAUX, 6 (one per sync block) in subcode. */
static void
dv_block(struct dv *d, const uint8_t *b)
{
	int	i;

	switch (b[0] >> 5) {
	case 1:		/* subcode: 6 x (2-byte ID, reserved, pack) */
		for (i = 0; i < 6; i++)
			dv_pack(d, b + 3 + 8 * i + 3);
		break;
	case 2:		/* VAUX */
		for (i = 0; i < 15; i++)
			dv_pack(d, b + 3 + 5 * i);
		break;
	}
}

/*
 * DV: the recording date and time (the camera's wall clock). Returns 0, or
 * -1 with m->error set when the file does not start with a DIF header.
 */
int
meta_dv(const struct sb_src *s, struct meta *m)
{
	struct dv	 d;
	uint8_t		 buf[DV_CHUNK];
	uint64_t	 off, limit;
	size_t		 n, i;

	if (s->size < DV_BLOCK || src_read(s, 0, buf, DV_BLOCK) == -1 ||
	    (buf[0] >> 5) != 0) {
		meta_set_error(m, "DV: no DIF header block at the start");
		return -1;
	}
	memset(&d, 0, sizeof d);
	limit = s->size < DV_MAXBYTES ? s->size : DV_MAXBYTES;
	for (off = 0; off + DV_BLOCK <= limit &&
	    !(d.have_date && d.have_time); off += n) {
		n = sizeof buf;
		if (n > limit - off)
			n = (size_t)((limit - off) / DV_BLOCK * DV_BLOCK);
		if (src_read(s, off, buf, n) == -1) {
			meta_set_error(m, "DV: read error at byte %llu",
			    (unsigned long long)off);
			return -1;
		}
		for (i = 0; i < n; i += DV_BLOCK)
			dv_block(&d, buf + i);
	}
	if (d.have_date && d.have_time && date_set_wall(&m->taken, d.year,
	    d.mon, d.day, d.hour, d.min, d.sec) == 0)
		strlcpy_sb(m->date_source, "dv", sizeof m->date_source);
	return 0;
}
