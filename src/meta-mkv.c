/*
 * meta-mkv.c: Matroska and WebM. Checks the EBML header, then walks the
 * Segment's top-level elements up to the first Cluster: Info holds DateUTC
 * (nanoseconds since 2001-01-01T00:00:00Z, the recording or muxing time),
 * Tags may hold a DATE_RECORDED string. Tags usually sit after the
 * Clusters, so they are found through the SeekHead instead of by walking
 * the media. Only Info and Tags are read into memory, and only when small.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shoebox.h"

#define MKV_EBML	0x1a45dfa3
#define MKV_SEGMENT	0x18538067
#define MKV_SEEKHEAD	0x114d9b74
#define MKV_SEEK	0x4dbb
#define MKV_SEEKID	0x53ab
#define MKV_SEEKPOS	0x53ac
#define MKV_INFO	0x1549a966
#define MKV_DATEUTC	0x4461
#define MKV_CLUSTER	0x1f43b675
#define MKV_TAGS	0x1254c367
#define MKV_TAG		0x7373
#define MKV_SIMPLETAG	0x67c8
#define MKV_TAGNAME	0x45a3
#define MKV_TAGSTRING	0x4487

#define MKV_MAXLOAD	(1024 * 1024)	/* Info, Tags, SeekHead in memory */
#define MKV_MAXELEMS	10000		/* Segment children walked */
#define MKV_MAXDEPTH	8		/* SimpleTag nesting */
#define MKV_EPOCH	978307200LL	/* 2001-01-01 in Unix seconds */

struct mkv_el {
	uint64_t	 off;		/* of the ID */
	uint64_t	 hlen;		/* ID and size bytes */
	uint64_t	 size;		/* of the data */
	uint32_t	 id;
	int		 unknown;	/* size field all ones */
	int		 truncated;	/* size cut to what the parent has */
};

struct mkv {
	struct meta	*m;
	int		 have_utc, have_rec;
	int64_t		 utc;
	struct sb_time	 rec;
	uint64_t	 tags_pos;	/* from the SeekHead, 0 if none */
	int		 tags_done;
};

/*
 * Read the element header at off, which must end by end. Returns 0, 1 when
 * nothing is left, -1 with the error set when the header is malformed.
 */
static int
mkv_el(const struct sb_src *s, uint64_t off, uint64_t end, struct mkv_el *e,
    struct meta *m)
{
	memset(e, 0, sizeof *e);
	uint8_t		 h[12];
	size_t		 n, il, sl, i;
	uint64_t	 v;

	if (off >= end)
		return 1;
	n = end - off < sizeof h ? (size_t)(end - off) : sizeof h;
	if (src_read(s, off, h, n) == -1) {
		meta_set_error(m, "Matroska: read error at byte %llu",
		    (unsigned long long)off);
		return -1;
	}
	for (il = 1; il <= 4 && !(h[0] & (0x80 >> (il - 1))); il++)
		;
	if (il > 4 || il >= n) {
		meta_set_error(m, "Matroska: bad element ID at byte %llu",
		    (unsigned long long)off);
		return -1;
	}
	e->id = 0;
	for (i = 0; i < il; i++)
		e->id = e->id << 8 | h[i];
	for (sl = 1; sl <= 8 && !(h[il] & (0x80 >> (sl - 1))); sl++)
		;
	if (sl > 8 || il + sl > n) {
		meta_set_error(m, "Matroska: bad size of element 0x%x at "
		    "byte %llu", e->id, (unsigned long long)off);
		return -1;
	}
	v = h[il] & (0xff >> sl);
	e->unknown = v == (0xffu >> sl);
	for (i = 1; i < sl; i++) {
		v = v << 8 | h[il + i];
		if (h[il + i] != 0xff)
			e->unknown = 0;
	}
	e->off = off;
	e->hlen = il + sl;
	e->size = v;
	if (e->unknown)
		e->size = end - off - e->hlen;
	else if (v > end - off - e->hlen && e->id == MKV_SEGMENT) {
		e->size = end - off - e->hlen;	/* a cut recording */
		e->truncated = 1;
	} else if (v > end - off - e->hlen) {
		meta_set_error(m, "Matroska element 0x%x at byte %llu claims "
		    "%llu bytes, past the end of its parent (%llu bytes "
		    "left)", e->id, (unsigned long long)off,
		    (unsigned long long)v,
		    (unsigned long long)(end - off - e->hlen));
		return -1;
	}
	return 0;
}

/* The data of e in a new buffer (caller frees), or NULL if too big. */
static uint8_t *
mkv_load(const struct sb_src *s, const struct mkv_el *e, struct meta *m)
{
	uint8_t	*p;

	if (e->size > MKV_MAXLOAD)
		return NULL;
	p = xmalloc(e->size > 0 ? (size_t)e->size : 1);
	if (src_read(s, e->off + e->hlen, p, (size_t)e->size) == -1) {
		meta_set_error(m, "Matroska: read error at byte %llu",
		    (unsigned long long)e->off);
		free(p);
		return NULL;
	}
	return p;
}

/* A big-endian unsigned integer of n bytes (at most 8). */
static uint64_t
mkv_uint(const uint8_t *p, uint64_t n)
{
	uint64_t	v = 0, i;

	for (i = 0; i < n && i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Info: DateUTC. */
static int
mkv_info(struct mkv *k, const struct sb_src *s, const struct mkv_el *info)
{
	struct sb_src	 ms;
	struct mkv_el	 e;
	uint8_t		*p;
	uint64_t	 off = 0, u;
	int64_t		 ns;
	int		 rc;

	if ((p = mkv_load(s, info, k->m)) == NULL)
		return 0;
	src_mem(&ms, p, (size_t)info->size);
	while ((rc = mkv_el(&ms, off, info->size, &e, k->m)) == 0) {
		if (e.id == MKV_DATEUTC && e.size == 8 && !k->have_utc) {
			u = get64be(p + e.off + e.hlen);
			memcpy(&ns, &u, sizeof ns);
			if (ns != 0) {
				k->utc = MKV_EPOCH + ns / 1000000000 -
				    (ns % 1000000000 < 0);
				k->have_utc = 1;
			}
		}
		off = e.off + e.hlen + e.size;
	}
	free(p);
	return rc == -1 ? -1 : 0;
}

/* A SimpleTag in buf at [off, end): DATE_RECORDED, and nested ones. */
static int
mkv_simpletag(struct mkv *k, const struct sb_src *ms, const uint8_t *buf,
    uint64_t off, uint64_t end, int depth)
{
	struct mkv_el	 e;
	const uint8_t	*name = NULL, *str = NULL;
	uint64_t	 nlen = 0, slen = 0;
	struct sb_time	 t;
	int		 rc;

	if (depth > MKV_MAXDEPTH) {
		meta_set_error(k->m, "Matroska tags nested too deep");
		return -1;
	}
	while ((rc = mkv_el(ms, off, end, &e, k->m)) == 0) {
		if (e.id == MKV_TAGNAME) {
			name = buf + e.off + e.hlen;
			nlen = e.size;
		} else if (e.id == MKV_TAGSTRING) {
			str = buf + e.off + e.hlen;
			slen = e.size;
		} else if (e.id == MKV_SIMPLETAG && mkv_simpletag(k, ms, buf,
		    e.off + e.hlen, e.off + e.hlen + e.size, depth + 1) == -1)
			return -1;
		off = e.off + e.hlen + e.size;
	}
	if (rc == -1)
		return -1;
	if (name != NULL && str != NULL && !k->have_rec && nlen == 13 &&
	    strncasecmp((const char *)name, "DATE_RECORDED", 13) == 0 &&
	    date_parse_iso((const char *)str, (size_t)slen, &t) == 0) {
		k->rec = t;
		k->have_rec = 1;
	}
	return 0;
}

/* Tags: each Tag's SimpleTags. */
static int
mkv_tags(struct mkv *k, const struct sb_src *s, const struct mkv_el *tags)
{
	struct sb_src	 ms;
	struct mkv_el	 e, st;
	uint8_t		*p;
	uint64_t	 off = 0, o2, end;
	int		 rc = 0, rc2, n = 0;

	k->tags_done = 1;
	if ((p = mkv_load(s, tags, k->m)) == NULL)
		return 0;
	src_mem(&ms, p, (size_t)tags->size);
	while (rc == 0 && n++ < MKV_MAXELEMS &&
	    (rc = mkv_el(&ms, off, tags->size, &e, k->m)) == 0) {
		off = e.off + e.hlen + e.size;
		if (e.id != MKV_TAG)
			continue;
		o2 = e.off + e.hlen;
		end = o2 + e.size;
		while ((rc2 = mkv_el(&ms, o2, end, &st, k->m)) == 0) {
			if (st.id == MKV_SIMPLETAG && mkv_simpletag(k, &ms, p,
			    st.off + st.hlen, st.off + st.hlen + st.size,
			    1) == -1) {
				rc2 = -1;
				break;
			}
			o2 = st.off + st.hlen + st.size;
		}
		if (rc2 == -1)
			rc = -1;
	}
	free(p);
	return rc == -1 ? -1 : 0;
}

/* SeekHead: where the Tags are, relative to the Segment's data. */
static int
mkv_seekhead(struct mkv *k, const struct sb_src *s, const struct mkv_el *sh)
{
	struct sb_src	 ms;
	struct mkv_el	 e, c;
	uint8_t		*p;
	uint64_t	 off = 0, o2, pos;
	uint32_t	 id;
	int		 rc, n = 0;

	if ((p = mkv_load(s, sh, k->m)) == NULL)
		return 0;
	src_mem(&ms, p, (size_t)sh->size);
	while ((rc = mkv_el(&ms, off, sh->size, &e, k->m)) == 0 &&
	    n++ < MKV_MAXELEMS) {
		off = e.off + e.hlen + e.size;
		if (e.id != MKV_SEEK)
			continue;
		id = 0;
		pos = 0;
		o2 = e.off + e.hlen;
		while (mkv_el(&ms, o2, e.off + e.hlen + e.size, &c,
		    k->m) == 0) {
			if (c.id == MKV_SEEKID && c.size <= 4)
				id = (uint32_t)mkv_uint(p + c.off + c.hlen,
				    c.size);
			else if (c.id == MKV_SEEKPOS && c.size <= 8)
				pos = mkv_uint(p + c.off + c.hlen, c.size);
			o2 = c.off + c.hlen + c.size;
		}
		if (id == MKV_TAGS && k->tags_pos == 0)
			k->tags_pos = pos + 1;	/* 0 means none */
	}
	free(p);
	return rc == -1 ? -1 : 0;
}

/* The Segment's children up to the first Cluster. */
static int
mkv_segment(struct mkv *k, const struct sb_src *s, const struct mkv_el *seg)
{
	struct mkv_el	 e;
	uint64_t	 data = seg->off + seg->hlen, off = data;
	uint64_t	 end = data + seg->size;
	int		 rc = 0, n = 0;

	while (n++ < MKV_MAXELEMS &&
	    (rc = mkv_el(s, off, end, &e, k->m)) == 0) {
		if (e.id == MKV_CLUSTER)
			break;		/* the media: what we need came first */
		if (e.unknown) {
			meta_set_error(k->m, "Matroska element 0x%x at byte "
			    "%llu has an unknown size", e.id,
			    (unsigned long long)e.off);
			return -1;
		}
		if (e.id == MKV_INFO && mkv_info(k, s, &e) == -1)
			return -1;
		if (e.id == MKV_TAGS && !k->tags_done &&
		    mkv_tags(k, s, &e) == -1)
			return -1;
		if (e.id == MKV_SEEKHEAD && mkv_seekhead(k, s, &e) == -1)
			return -1;
		off = e.off + e.hlen + e.size;
	}
	if (n > MKV_MAXELEMS || rc != -1) {
		/* Tags after the media, found through the SeekHead. */
		if (!k->tags_done && k->tags_pos != 0 &&
		    k->tags_pos - 1 < end - data &&
		    mkv_el(s, data + k->tags_pos - 1, end, &e, k->m) == 0 &&
		    e.id == MKV_TAGS && !e.unknown)
			return mkv_tags(k, s, &e);
		return 0;
	}
	return -1;
}

/*
 * Matroska/WebM: the recording date from Tags (DATE_RECORDED) or Info
 * (DateUTC). Returns 0, or -1 with m->error set if the file is malformed.
 */
int
meta_mkv(const struct sb_src *s, struct meta *m)
{
	struct mkv	 k;
	struct mkv_el	 e;
	uint8_t		 h[4];
	uint64_t	 off;
	int		 rc = 0, n;

	memset(&k, 0, sizeof k);
	k.m = m;
	if (src_read(s, 0, h, 4) == -1 || get32be(h) != MKV_EBML ||
	    mkv_el(s, 0, s->size, &e, m) == -1) {
		meta_set_error(m, "not a Matroska file (no EBML header)");
		return -1;
	}
	off = e.off + e.hlen + e.size;
	n = 0;
	while (n++ < MKV_MAXELEMS &&
	    (rc = mkv_el(s, off, s->size, &e, m)) == 0) {
		if (e.id == MKV_SEGMENT) {
			if (e.truncated)
				meta_set_error(m, "Matroska Segment at byte "
				    "%llu runs past the end of the file",
				    (unsigned long long)e.off);
			rc = mkv_segment(&k, s, &e);
			break;
		}
		off = e.off + e.hlen + e.size;
	}
	if (k.have_rec) {
		m->taken = k.rec;
		strlcpy_sb(m->date_source, "matroska-tags",
		    sizeof m->date_source);
	} else if (k.have_utc && date_set_utc(&m->taken, k.utc) == 0)
		strlcpy_sb(m->date_source, "matroska", sizeof m->date_source);
	if (rc == -1 && (m->taken.has_utc || m->taken.has_wall))
		rc = 0;		/* damage after the date */
	return rc == -1 ? -1 : 0;
}
