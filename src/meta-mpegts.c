/*
 * meta-mpegts.c: MPEG-2 transport streams, 188-byte TS and 192-byte M2TS
 * (AVCHD). The recording date of AVCHD cameras lives in the H.264 video
 * itself: an SEI NAL unit carrying unregistered user data with UUID
 * 17ee8c60-f84d-11d9-8cd6-0800200c9a66 and "MDPM" records (tag, 4 bytes):
 * 0x18 holds the time zone byte, then the year's BCD digits and the month;
 * 0x19 the day, hour, minute and second; 0xe0 starts with a maker code.
 * Reads only the first packets (TS_MAXBYTES): PAT, then the PMT, then the
 * first few PES packets of the H.264 stream (stream type 0x1b).
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define TS_MAXBYTES	(8 * 1024 * 1024)	/* of the file scanned */
#define TS_MAXES	(1024 * 1024)		/* one PES gathered */
#define TS_MAXPES	16			/* PES packets scanned */
#define TS_BLOCK	256			/* packets read at once */

struct mpegts {
	struct meta	*m;
	int		 pmt_pid;	/* -1 until the PAT is seen */
	int		 video_pid;	/* -1 until the PMT is seen */
	uint8_t		*es;		/* the current video PES's payload */
	size_t		 eslen;
	int		 inpes;		/* es holds the start of a PES */
	int		 npes;
	int		 found;
	struct sb_time	 t;
	char		 make[64];
};

static const uint8_t mdpm_uuid[20] = {
	0x17, 0xee, 0x8c, 0x60, 0xf8, 0x4d, 0x11, 0xd9,
	0x8c, 0xd6, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66, 'M', 'D', 'P', 'M'
};

/* A BCD byte's value, or -1 if it is not BCD. */
static int
mpegts_bcd(uint8_t b)
{
	if ((b >> 4) > 9 || (b & 0xf) > 9)
		return -1;
	return (b >> 4) * 10 + (b & 0xf);
}

/*
 * MDPM records (count, then 5-byte tag and data records) into k. The zone
 * byte: 0x40 daylight saving, 0x20 west of UTC, 0x1e hours, 0x01 half an
 * hour; it is used only when standard time is in force and the unused top
 * bit is clear, since what DST does to the hours is not documented.
 */
static void
mpegts_mdpm(struct mpegts *k, const uint8_t *p, size_t n)
{
	static const struct {
		uint16_t	 code;
		const char	*name;
	} makers[] = {
		{ 0x0103, "Panasonic" }, { 0x0108, "Sony" },
		{ 0x1011, "Canon" }, { 0x1104, "JVC" },
	};
	const uint8_t	*d18 = NULL, *d19 = NULL, *r;
	size_t		 i, j, count;
	int		 y1, y2, mo, d, h, mi, s, off;
	unsigned	 code;

	if (n < 1)
		return;
	count = p[0];
	for (i = 0; i < count && 1 + 5 * i + 5 <= n; i++) {
		r = p + 1 + 5 * i;
		if (r[0] == 0x18)
			d18 = r + 1;
		else if (r[0] == 0x19)
			d19 = r + 1;
		else if (r[0] == 0xe0 && k->make[0] == '\0') {
			code = get16be(r + 1);
			for (j = 0; j < sizeof makers /
			    sizeof makers[0]; j++)
				if (makers[j].code == code)
					strlcpy_sb(k->make, makers[j].name,
					    sizeof k->make);
		}
	}
	if (d18 == NULL || d19 == NULL)
		return;
	y1 = mpegts_bcd(d18[1]);
	y2 = mpegts_bcd(d18[2]);
	mo = mpegts_bcd(d18[3]);
	d = mpegts_bcd(d19[0]);
	h = mpegts_bcd(d19[1]);
	mi = mpegts_bcd(d19[2]);
	s = mpegts_bcd(d19[3]);
	if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 ||
	    date_set_wall(&k->t, y1 * 100 + y2, mo, d, h, mi, s) == -1)
		return;
	off = ((d18[0] >> 1) & 0x0f) * 60 + (d18[0] & 0x01) * 30;
	if ((d18[0] & 0xc0) == 0 && off <= 14 * 60) {
		k->t.has_offset = 1;
		k->t.offset_min = d18[0] & 0x20 ? -off : off;
	}
	k->found = 1;
}

/* An SEI NAL unit's payload (emulation bytes removed): find the MDPM. */
static void
mpegts_sei(struct mpegts *k, const uint8_t *p, size_t n)
{
	size_t	pos = 0, type, size;

	while (pos < n && !k->found) {
		type = 0;
		while (pos < n && p[pos] == 0xff)
			type += p[pos++];
		if (pos >= n)
			return;
		type += p[pos++];
		if (type == 0x80)
			return;		/* rbsp trailing bits */
		size = 0;
		while (pos < n && p[pos] == 0xff)
			size += p[pos++];
		if (pos >= n)
			return;
		size += p[pos++];
		if (size > n - pos)
			return;
		if (type == 5 && size > sizeof mdpm_uuid &&
		    memcmp(p + pos, mdpm_uuid, sizeof mdpm_uuid) == 0)
			mpegts_mdpm(k, p + pos + sizeof mdpm_uuid,
			    size - sizeof mdpm_uuid);
		pos += size;
	}
}

/* Scan an H.264 elementary stream buffer for SEI NAL units. */
static void
mpegts_nals(struct mpegts *k, const uint8_t *es, size_t n)
{
	size_t	 i = 0, start, end, j, o;
	uint8_t	*rbsp;

	while (i + 3 < n && !k->found) {
		if (es[i] != 0 || es[i + 1] != 0 || es[i + 2] != 1) {
			i++;
			continue;
		}
		start = i + 3;
		for (end = start; end + 2 < n; end++)
			if (es[end] == 0 && es[end + 1] == 0 &&
			    (es[end + 2] == 1 || es[end + 2] == 0))
				break;
		if (end + 2 >= n)
			end = n;
		if (start < end && (es[start] & 0x1f) == 6) {
			rbsp = xmalloc(end - start);
			for (j = start + 1, o = 0; j < end; j++) {
				if (j >= start + 3 && es[j] == 3 &&
				    es[j - 1] == 0 && es[j - 2] == 0)
					continue;	/* emulation byte */
				rbsp[o++] = es[j];
			}
			mpegts_sei(k, rbsp, o);
			free(rbsp);
		}
		i = end;
	}
}

/* A PSI section (PAT or PMT) starting in a packet's payload. */
static void
mpegts_psi(struct mpegts *k, const uint8_t *p, size_t n, int pid)
{
	size_t	slen, i, end, pinfo;

	if (n < 1 || (size_t)p[0] + 1 > n)
		return;
	n -= (size_t)p[0] + 1;	/* pointer field */
	p += p[0] + 1;
	if (n < 12)
		return;
	slen = (size_t)(get16be(p + 1) & 0x0fff);
	end = 3 + slen < n ? 3 + slen : n;
	if (end < 4)
		return;
	end -= 4;		/* CRC */
	if (pid == 0 && p[0] == 0x00) {
		for (i = 8; i + 4 <= end; i += 4)
			if (get16be(p + i) != 0) {
				k->pmt_pid = get16be(p + i + 2) & 0x1fff;
				return;
			}
	} else if (pid == k->pmt_pid && p[0] == 0x02) {
		pinfo = get16be(p + 10) & 0x0fff;
		for (i = 12 + pinfo; i + 5 <= end;
		    i += 5 + (get16be(p + i + 3) & 0x0fff))
			if (p[i] == 0x1b) {
				k->video_pid = get16be(p + i + 1) & 0x1fff;
				return;
			}
	}
}

/* One 188-byte TS packet. */
static void
mpegts_packet(struct mpegts *k, const uint8_t *p)
{
	int		 pid = (p[1] & 0x1f) << 8 | p[2];
	int		 pusi = p[1] & 0x40, afc = (p[3] >> 4) & 3;
	size_t		 off = 4, n, h;

	if (p[1] & 0x80)
		return;		/* transport error */
	if (afc == 2 || afc == 0)
		return;		/* no payload */
	if (afc == 3)
		off += 1 + (size_t)p[4];
	if (off >= 188)
		return;
	n = 188 - off;
	p += off;
	if (pid == 0 || (k->pmt_pid >= 0 && pid == k->pmt_pid)) {
		if (pusi && k->video_pid < 0)
			mpegts_psi(k, p, n, pid);
		return;
	}
	if (pid != k->video_pid || k->video_pid < 0)
		return;
	if (pusi) {
		if (k->eslen > 0) {
			mpegts_nals(k, k->es, k->eslen);
			k->npes++;
		}
		k->eslen = 0;
		k->inpes = 0;
		if (n < 9 || p[0] != 0 || p[1] != 0 || p[2] != 1)
			return;
		h = 9 + (size_t)p[8];
		if (h > n)
			return;
		p += h;
		n -= h;
		k->inpes = 1;
	} else if (!k->inpes)
		return;		/* the middle of a PES we did not start */
	if (n > TS_MAXES - k->eslen)
		n = TS_MAXES - k->eslen;
	memcpy(k->es + k->eslen, p, n);
	k->eslen += n;
}

/*
 * MPEG-TS and M2TS: the AVCHD recording date from the H.264 SEI. Returns
 * 0, or -1 with m->error set when the packets are not a transport stream.
 */
int
meta_mpegts(const struct sb_src *s, struct meta *m)
{
	struct mpegts	 k;
	uint8_t		 h[400], *blk;
	size_t		 psize, skip, blen, i, got;
	uint64_t	 off, limit;
	int		 rc = 0;

	if (s->size >= 192 * 2 + 5 && src_read(s, 0, h, 392) == 0 &&
	    h[4] == 0x47 && h[196] == 0x47 && h[388] == 0x47) {
		psize = 192;
		skip = 4;
	} else if (s->size >= 188 * 2 + 1 && src_read(s, 0, h, 377) == 0 &&
	    h[0] == 0x47 && h[188] == 0x47 && h[376] == 0x47) {
		psize = 188;
		skip = 0;
	} else {
		meta_set_error(m, "MPEG-TS: no sync bytes 188 or 192 bytes "
		    "apart at the start of the file");
		return -1;
	}
	memset(&k, 0, sizeof k);
	k.m = m;
	k.pmt_pid = k.video_pid = -1;
	k.es = xmalloc(TS_MAXES);
	blk = xmalloc(psize * TS_BLOCK);
	limit = s->size < TS_MAXBYTES ? s->size : TS_MAXBYTES;
	for (off = 0; off + psize <= limit && !k.found &&
	    k.npes < TS_MAXPES; off += blen) {
		blen = psize * TS_BLOCK;
		if (blen > limit - off)
			blen = (size_t)((limit - off) / psize * psize);
		if (src_read(s, off, blk, blen) == -1) {
			meta_set_error(m, "MPEG-TS: read error at byte %llu",
			    (unsigned long long)off);
			rc = -1;
			break;
		}
		for (i = 0; i < blen && !k.found; i += psize) {
			if (blk[i + skip] != 0x47) {
				meta_set_error(m, "MPEG-TS: lost sync at byte "
				    "%llu", (unsigned long long)(off + i));
				rc = -1;
				break;
			}
			mpegts_packet(&k, blk + i + skip);
		}
		if (rc == -1)
			break;
	}
	got = k.eslen;
	if (!k.found && got > 0)
		mpegts_nals(&k, k.es, got);
	free(blk);
	free(k.es);
	if (k.make[0] != '\0' && m->make[0] == '\0')
		strlcpy_sb(m->make, k.make, sizeof m->make);
	if (k.found) {
		m->taken = k.t;
		strlcpy_sb(m->date_source, "h264-mdpm", sizeof m->date_source);
		rc = 0;
	}
	return rc;
}
