/*
 * meta-mxf.c: MXF (SMPTE 377M), what professional camcorders (XDCAM, Canon
 * XF, P2) write. The file is a run of KLV triplets: a 16-byte SMPTE
 * universal label, a BER length, the value. The header partition is
 * followed by the header metadata: a primer pack mapping 2-byte local
 * tags to labels, then local sets (2-byte tag, 2-byte length, value).
 * Dates are 8-byte timestamps (year, month, day, hour, minute, second,
 * quarter milliseconds) in UTC. The earliest package creation date is the
 * capture time; a modification date stands in when there is none. Reading
 * stops at the first essence or body partition, and at MXF_MAXBYTES.
 */
#include <stdio.h>
#include <string.h>

#include "shoebox.h"

#define MXF_MAXBYTES	(16 * 1024 * 1024)
#define MXF_MAXKLV	100000
#define MXF_MAXSET	(32 * 1024)
#define MXF_MAXTAGS	16

static const uint8_t mxf_ul[4] = { 0x06, 0x0e, 0x2b, 0x34 };
/* Partition packs: byte 13 is 2 (header), 3 (body), 4 (footer). */
static const uint8_t mxf_partition[13] = { 0x06, 0x0e, 0x2b, 0x34, 0x02,
    0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01 };
static const uint8_t mxf_primer[16] = { 0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05,
    0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01, 0x05, 0x01, 0x00 };
static const uint8_t mxf_essence[12] = { 0x06, 0x0e, 0x2b, 0x34, 0x01, 0x02,
    0x01, 0x01, 0x0d, 0x01, 0x03, 0x01 };
/* Labels of dates (bytes 8 to 13; byte 7 is a version). */
static const uint8_t mxf_created[6] = { 0x07, 0x02, 0x01, 0x10, 0x01, 0x03 };
static const uint8_t mxf_modified[4] = { 0x07, 0x02, 0x01, 0x10 };

struct mxf {
	/* Local tags of dates, from the primer or the standard's defaults. */
	uint16_t	 created_tags[MXF_MAXTAGS], modified_tags[MXF_MAXTAGS];
	size_t		 ncreated, nmodified;
	int		 have_created, have_modified;
	int64_t		 created, modified;	/* UTC, earliest seen */
};

/* A BER length at p (avail bytes); its size in *n. -1 if malformed. */
static int
mxf_ber(const uint8_t *p, size_t avail, uint64_t *len, size_t *n)
{
	size_t	i, k;

	if (avail < 1)
		return -1;
	if (p[0] < 0x80) {
		*len = p[0];
		*n = 1;
		return 0;
	}
	k = p[0] & 0x7f;
	if (k == 0 || k > 8 || k + 1 > avail)
		return -1;
	*len = 0;
	for (i = 0; i < k; i++)
		*len = *len << 8 | p[1 + i];
	*n = k + 1;
	return 0;
}

/* An MXF timestamp as a UTC instant; -1 if it is no date. */
static int
mxf_time(const uint8_t *p, int64_t *utc)
{
	int	y = get16be(p), mo = p[2], d = p[3], h = p[4], mi = p[5];
	int	s = p[6];

	if (!date_valid(y, mo, d, h, mi, s) || y < 1971)
		return -1;
	*utc = date_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* The primer pack: which local tags stand for the date labels. */
static void
mxf_primer_pack(struct mxf *x, const uint8_t *v, size_t len)
{
	uint32_t	count, isz, i;
	const uint8_t	*e;

	if (len < 8)
		return;
	count = get32be(v);
	isz = get32be(v + 4);
	if (isz < 18)
		return;
	for (i = 0; i < count && 8 + (uint64_t)(i + 1) * isz <= len; i++) {
		e = v + 8 + (size_t)i * isz;
		if (memcmp(e + 2, mxf_ul, 4) != 0)
			continue;
		if (memcmp(e + 2 + 8, mxf_created, 6) == 0) {
			if (x->ncreated < MXF_MAXTAGS)
				x->created_tags[x->ncreated++] = get16be(e);
		} else if (memcmp(e + 2 + 8, mxf_modified, 4) == 0 &&
		    e[2 + 12] == 0x02) {
			if (x->nmodified < MXF_MAXTAGS)
				x->modified_tags[x->nmodified++] = get16be(e);
		}
	}
}

static int
mxf_has_tag(const uint16_t *tags, size_t n, uint16_t tag)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (tags[i] == tag)
			return 1;
	return 0;
}

/* One local set: keep its dates. */
static void
mxf_local_set(struct mxf *x, const uint8_t *v, size_t len)
{
	size_t		off, l;
	uint16_t	tag;
	int64_t		t;

	for (off = 0; off + 4 <= len; off += 4 + l) {
		tag = get16be(v + off);
		l = get16be(v + off + 2);
		if (l > len - off - 4)
			return;
		if (l != 8 || mxf_time(v + off + 4, &t) == -1)
			continue;
		if (mxf_has_tag(x->created_tags, x->ncreated, tag)) {
			if (!x->have_created || t < x->created)
				x->created = t;
			x->have_created = 1;
		} else if (mxf_has_tag(x->modified_tags, x->nmodified, tag)) {
			if (!x->have_modified || t < x->modified)
				x->modified = t;
			x->have_modified = 1;
		}
	}
}

/*
 * MXF: the capture time from the header metadata. Returns 0, or -1 with
 * m->error set when s is not MXF or its header cannot be read.
 */
int
meta_mxf(const struct sb_src *s, struct meta *m)
{
	struct mxf	 x;
	uint8_t		 kl[16 + 9], v[MXF_MAXSET];
	uint64_t	 off, limit, len;
	size_t		 n, bl, i;
	int		 rc = 0;

	memset(&x, 0, sizeof x);
	/* SMPTE 377M's fixed tags, for files whose primer says nothing. */
	x.created_tags[x.ncreated++] = 0x4405;	/* PackageCreationDate */
	x.modified_tags[x.nmodified++] = 0x4404;	/* PackageModifiedDate */
	x.modified_tags[x.nmodified++] = 0x3c06;	/* ModificationDate */
	x.modified_tags[x.nmodified++] = 0x3b02;	/* LastModifiedDate */
	if (s->size < 17 || src_read(s, 0, kl, 16) == -1 ||
	    memcmp(kl, mxf_partition, sizeof mxf_partition) != 0 ||
	    kl[13] != 0x02) {
		meta_set_error(m, "MXF: no header partition at the start");
		return -1;
	}
	limit = s->size < MXF_MAXBYTES ? s->size : MXF_MAXBYTES;
	for (off = 0, i = 0; off < limit && i < MXF_MAXKLV; i++) {
		n = s->size - off < sizeof kl ? (size_t)(s->size - off) :
		    sizeof kl;
		if (n < 17 || src_read(s, off, kl, n) == -1) {
			meta_set_error(m, "MXF: cannot read the item at byte "
			    "%llu", (unsigned long long)off);
			rc = -1;
			break;
		}
		if (memcmp(kl, mxf_ul, 4) != 0 ||
		    mxf_ber(kl + 16, n - 16, &len, &bl) == -1) {
			meta_set_error(m, "MXF: no valid key and length at "
			    "byte %llu", (unsigned long long)off);
			rc = -1;
			break;
		}
		if (memcmp(kl, mxf_essence, sizeof mxf_essence) == 0 ||
		    (memcmp(kl, mxf_partition, sizeof mxf_partition) == 0 &&
		    (kl[13] == 0x03 || kl[13] == 0x04)))
			break;		/* the header metadata is behind us */
		off += 16 + bl;
		if (len > s->size - off) {
			meta_set_error(m, "MXF: item at byte %llu runs past "
			    "the end of the file", (unsigned long long)off);
			rc = -1;
			break;
		}
		if (len <= sizeof v && (memcmp(kl, mxf_primer, 16) == 0 ||
		    (kl[4] == 0x02 && kl[5] == 0x53))) {
			if (src_read(s, off, v, (size_t)len) == -1) {
				meta_set_error(m, "MXF: read error at byte "
				    "%llu", (unsigned long long)off);
				rc = -1;
				break;
			}
			if (kl[5] == 0x05)
				mxf_primer_pack(&x, v, (size_t)len);
			else
				mxf_local_set(&x, v, (size_t)len);
		}
		off += len;
	}
	if (x.have_created && date_set_utc(&m->taken, x.created) == 0)
		strlcpy_sb(m->date_source, "mxf", sizeof m->date_source);
	else if (x.have_modified && date_set_utc(&m->taken, x.modified) == 0)
		strlcpy_sb(m->date_source, "mxf-modified",
		    sizeof m->date_source);
	if (rc == -1 && (m->taken.has_utc || m->taken.has_wall))
		rc = 0;		/* damage after the date */
	return rc;
}
