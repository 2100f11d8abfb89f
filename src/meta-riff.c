/*
 * meta-riff.c: RIFF files, AVI and WebP. Walks chunk headers (little-endian
 * sizes, padded to even lengths) and reads only the small chunks that carry
 * dates: AVI's IDIT (the camera's date string), strd (an "AVIF" Exif-like
 * IFD some cameras write per stream), INFO/ICRD, and WebP's EXIF and XMP
 * chunks. The
 * movi list, which holds the media, is skipped by its size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shoebox.h"

#define RIFF_MAXDEPTH	8
#define RIFF_MAXCHUNKS	10000
#define RIFF_MAXBLOB	(1024 * 1024)	/* EXIF and strd read into memory */
#define RIFF_MAXIFD	256		/* entries of a strd IFD */

struct riff {
	struct meta	*m;
	const char	*label;		/* "AVI", "WebP" */
	int		 nchunks;
	int		 have_idit, have_strd, have_icrd;
	struct sb_time	 idit, strd, icrd;
	char		 make[64], model[64];	/* from strd */
	struct meta	 ex;		/* WebP's Exif */
	struct meta	 xm;		/* WebP's XMP */
};

static const char *riff_months[] = { "jan", "feb", "mar", "apr", "may",
    "jun", "jul", "aug", "sep", "oct", "nov", "dec" };

/*
 * The IDIT of Casio's and Konica's cameras ("2005/ 8/17/ 11:42 P",
 * "2001/ 1/27  1:42PM", "2002-12-16  15:35:01": blanks for zeros, a slash
 * after the day or not, seconds or not, P or PM after noon, A or AM
 * before). Returns 0 with the wall clock in t, or -1.
 */
static int
riff_casio(const char *buf, struct sb_time *t)
{
	int	y, mo, d, h, mi, s = 0, n = 0;

	if (sscanf(buf, " %4d%*1[/-]%2d%*1[/-]%2d%n", &y, &mo, &d, &n) != 3 ||
	    n == 0)
		return -1;
	buf += n;
	if (*buf == '/')
		buf++;
	n = 0;
	if (sscanf(buf, " %2d:%2d%n", &h, &mi, &n) != 2 || n == 0)
		return -1;
	buf += n;
	n = 0;
	if (*buf == ':' && (sscanf(buf, ":%2d%n", &s, &n) != 1 || n == 0))
		return -1;
	buf += n;
	while (*buf == ' ')
		buf++;
	if ((*buf == 'P' || *buf == 'p') && h < 12)
		h += 12;
	else if ((*buf == 'A' || *buf == 'a') && h == 12)
		h = 0;
	return date_set_wall(t, y, mo, d, h, mi, s);
}

/*
 * A date as AVI writers put it in IDIT or ICRD: "2011:01:01 12:34:56",
 * "2011/01/01 12:34:56", ctime's "Sat Jan 01 12:34:56 2011" or Casio's
 * (riff_casio). Returns 0 with the wall clock in t, or -1.
 */
static int
riff_date(const uint8_t *p, size_t n, struct sb_time *t)
{
	char	buf[64], w1[8], w2[8];
	int	y, mo = 0, d, h, mi, s, i;
	size_t	k;

	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (riff_casio(buf, t) == 0)
		return 0;
	if (date_parse_exif(buf, n, t) == 0) {
		t->has_offset = t->has_utc = 0;	/* no zone in AVI */
		return 0;
	}
	for (k = 0; k < n; k++)
		if (buf[k] == '/' || buf[k] == '.')
			buf[k] = ':';
	if (date_parse_exif(buf, n, t) == 0) {
		t->has_offset = t->has_utc = 0;
		return 0;
	}
	if (sscanf(buf, "%7s %7s %d %d:%d:%d %d", w1, w2, &d, &h, &mi, &s,
	    &y) == 7)
		;
	else if (sscanf(buf, "%7s %d %d:%d:%d %d", w2, &d, &h, &mi, &s,
	    &y) == 6)
		;
	else
		return -1;
	for (i = 0; i < 12; i++)
		if (strncasecmp(w2, riff_months[i], 3) == 0)
			mo = i + 1;
	if (mo == 0)
		return -1;
	return date_set_wall(t, y, mo, d, h, mi, s);
}

/*
 * One IFD of a strd "AVIF" block: little-endian, offsets relative to the
 * IFD's block. Takes DateTimeOriginal (else DateTime), Make and Model, and
 * follows the Exif IFD pointer once.
 */
static void
riff_ifd(struct riff *r, const uint8_t *p, size_t len, uint32_t off,
    int depth)
{
	uint32_t	 n, i, tag, type, count, voff;
	const uint8_t	*e, *v;
	struct sb_time	 t;

	if (depth > 2 || off > len || len - off < 2)
		return;
	n = get16le(p + off);
	for (i = 0; i < n && i < RIFF_MAXIFD; i++) {
		if ((len - off - 2) / 12 <= i)
			break;
		e = p + off + 2 + 12 * i;
		tag = get16le(e);
		type = get16le(e + 2);
		count = get32le(e + 4);
		voff = get32le(e + 8);
		if (tag == 0x8769 && (type == 4 || type == 13)) {
			riff_ifd(r, p, len, voff, depth + 1);
			continue;
		}
		if (type != 2 || count == 0)
			continue;
		if (count <= 4)
			v = e + 8;
		else if (voff <= len && count <= len - voff)
			v = p + voff;
		else
			continue;
		if (tag == 0x010f && r->make[0] == '\0')
			meta_set_text(r->make, sizeof r->make, v, count);
		else if (tag == 0x0110 && r->model[0] == '\0')
			meta_set_text(r->model, sizeof r->model, v, count);
		else if ((tag == 0x9003 || (tag == 0x0132 && !r->have_strd)) &&
		    date_parse_exif((const char *)v, count, &t) == 0) {
			r->strd = t;
			r->have_strd = 1;
		}
	}
}

/* The payload of a chunk in a new buffer (caller frees), NULL if too big. */
static uint8_t *
riff_load(struct riff *r, const struct sb_src *s, uint64_t off, uint32_t size)
{
	uint8_t	*p;

	if (size > RIFF_MAXBLOB)
		return NULL;
	p = xmalloc(size > 0 ? size : 1);
	if (src_read(s, off, p, size) == -1) {
		meta_set_error(r->m, "%s: read error at byte %llu", r->label,
		    (unsigned long long)off);
		free(p);
		return NULL;
	}
	return p;
}

static int	riff_walk(struct riff *, const struct sb_src *, uint64_t,
		    uint64_t, uint32_t, int);

/* Act on one chunk (id, data at off, size bytes) in a list; 0 or -1. */
static int
riff_chunk(struct riff *r, const struct sb_src *s, uint32_t id,
    uint32_t list, uint64_t off, uint32_t size, int depth)
{
	uint8_t	 buf[64], *p;
	uint32_t type;

	if (id == get32be((const uint8_t *)"LIST") && size >= 4) {
		if (src_read(s, off, buf, 4) == -1)
			return -1;
		type = get32be(buf);
		if (type == get32be((const uint8_t *)"hdrl") ||
		    type == get32be((const uint8_t *)"strl") ||
		    type == get32be((const uint8_t *)"INFO"))
			return riff_walk(r, s, off + 4, off + size, type,
			    depth + 1);
		return 0;	/* movi and the rest: skipped */
	}
	if (id == get32be((const uint8_t *)"IDIT") && !r->have_idit) {
		if (src_read(s, off, buf, size < sizeof buf ? size :
		    sizeof buf) == 0 && riff_date(buf, size < sizeof buf ?
		    size : sizeof buf, &r->idit) == 0)
			r->have_idit = 1;
	} else if (id == get32be((const uint8_t *)"ICRD") &&
	    list == get32be((const uint8_t *)"INFO") && !r->have_icrd) {
		if (src_read(s, off, buf, size < sizeof buf ? size :
		    sizeof buf) == 0 && riff_date(buf, size < sizeof buf ?
		    size : sizeof buf, &r->icrd) == 0)
			r->have_icrd = 1;
	} else if (id == get32be((const uint8_t *)"strd") &&
	    list == get32be((const uint8_t *)"strl") && size > 8 &&
	    !r->have_strd) {
		if ((p = riff_load(r, s, off, size)) == NULL)
			return 0;
		if (memcmp(p, "AVIF", 4) == 0)
			riff_ifd(r, p + 8, size - 8, 0, 0);
		free(p);
	} else if (id == get32be((const uint8_t *)"EXIF") && list ==
	    get32be((const uint8_t *)"WEBP") && size >= 8) {
		if ((p = riff_load(r, s, off, size)) == NULL)
			return 0;
		if (meta_exif_blob(p, size, &r->ex) == -1)
			meta_set_error(r->m, "WebP: unreadable EXIF chunk");
		free(p);
	} else if (id == get32be((const uint8_t *)"XMP ") && list ==
	    get32be((const uint8_t *)"WEBP") && meta_date_weak(&r->xm)) {
		if ((p = riff_load(r, s, off, size)) == NULL)
			return 0;
		meta_xmp_date(p, size, &r->xm);
		free(p);
	}
	return 0;
}

/*
 * Walk the chunks in [off, end) of a list of type list. Returns 0, or -1
 * with the error set.
 */
static int
riff_walk(struct riff *r, const struct sb_src *s, uint64_t off, uint64_t end,
    uint32_t list, int depth)
{
	uint8_t		 h[8];
	uint32_t	 id, size;

	if (depth > RIFF_MAXDEPTH) {
		meta_set_error(r->m, "%s lists nested deeper than %d levels",
		    r->label, RIFF_MAXDEPTH);
		return -1;
	}
	while (off < end && end - off >= 8) {
		if (++r->nchunks > RIFF_MAXCHUNKS) {
			meta_set_error(r->m, "%s: more than %d chunks",
			    r->label, RIFF_MAXCHUNKS);
			return -1;
		}
		if (src_read(s, off, h, 8) == -1) {
			meta_set_error(r->m, "%s: read error at byte %llu",
			    r->label, (unsigned long long)off);
			return -1;
		}
		id = get32be(h);
		size = get32le(h + 4);
		if (size > end - off - 8) {
			meta_set_error(r->m, "%s chunk '%c%c%c%c' at byte %llu "
			    "claims %u bytes, past the end of its list (%llu "
			    "bytes left)", r->label,
			    h[0] >= 0x20 && h[0] < 0x7f ? h[0] : '?',
			    h[1] >= 0x20 && h[1] < 0x7f ? h[1] : '?',
			    h[2] >= 0x20 && h[2] < 0x7f ? h[2] : '?',
			    h[3] >= 0x20 && h[3] < 0x7f ? h[3] : '?',
			    (unsigned long long)off, size,
			    (unsigned long long)(end - off - 8));
			return -1;
		}
		if (riff_chunk(r, s, id, list, off + 8, size, depth) == -1)
			return -1;
		off += 8 + (uint64_t)size + (size & 1);
	}
	return 0;
}

/*
 * AVI and WebP: capture time from IDIT, strd or ICRD, or WebP's Exif.
 * Returns 0, or -1 with m->error set when the chunks are corrupt.
 */
int
meta_riff(const struct sb_src *s, struct meta *m)
{
	struct riff	*r;
	uint8_t		 h[12];
	uint64_t	 end;
	int		 rc, found = 1;

	if (src_read(s, 0, h, 12) == -1 || memcmp(h, "RIFF", 4) != 0) {
		meta_set_error(m, "not a RIFF file");
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	r->m = m;
	r->label = memcmp(h + 8, "WEBP", 4) == 0 ? "WebP" : "AVI";
	end = 8 + (uint64_t)get32le(h + 4);
	if (end > s->size) {
		meta_set_error(m, "%s: RIFF header claims %llu bytes, past the "
		    "end of the file (%llu bytes)", r->label,
		    (unsigned long long)end, (unsigned long long)s->size);
		end = s->size;	/* a cut file: read what is there */
	}
	rc = riff_walk(r, s, 12, end, get32be(h + 8), 0);

	if (m->make[0] == '\0')
		strlcpy_sb(m->make, r->make[0] ? r->make : r->ex.make,
		    sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, r->model[0] ? r->model : r->ex.model,
		    sizeof m->model);
	if (r->have_idit) {
		m->taken = r->idit;
		strlcpy_sb(m->date_source, "riff-idit", sizeof m->date_source);
	} else if (r->have_strd) {
		m->taken = r->strd;
		strlcpy_sb(m->date_source, "riff-strd", sizeof m->date_source);
	} else if (!meta_date_weak(&r->ex) || ((r->ex.taken.has_wall ||
	    r->ex.taken.has_utc) && meta_date_weak(&r->xm))) {
		/* Exif's DateTime only where XMP has no date. */
		m->taken = r->ex.taken;
		snprintf(m->date_source, sizeof m->date_source, "webp-%.18s",
		    r->ex.date_source);
	} else if (!meta_date_weak(&r->xm)) {
		m->taken = r->xm.taken;
		snprintf(m->date_source, sizeof m->date_source, "webp-%.18s",
		    r->xm.date_source);
	} else if (r->have_icrd) {
		m->taken = r->icrd;
		strlcpy_sb(m->date_source, "riff-icrd", sizeof m->date_source);
	} else
		found = 0;
	free(r);
	if (rc == -1 && (found || m->make[0] != '\0'))
		rc = 0;		/* damage after the date */
	return rc;
}
