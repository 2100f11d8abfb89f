/*
 * meta-raw.c: the classic RAW formats that are not TIFF at the top: Canon
 * CRW (a CIFF heap), Minolta MRW (blocks around a TIFF), Sigma X3F (a
 * directory of sections), Fujifilm RAF (a header pointing at a JPEG with
 * EXIF), and two fixed headers: Kyocera RAW and Sony's PMP. Each reads only
 * its headers, bounded by the file's size.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define CIFF_MAX_DEPTH		6	/* nested CIFF heaps */
#define CIFF_MAX_ENTRIES	4096	/* entries read in one file */
#define MRW_MAX_BLOCKS		64
#define X3F_MAX_SECTIONS	256
#define X3F_MAX_PROPS		1024
#define X3F_MAX_PROPCHARS	(256 * 1024)
#define JPEG_MAX_MARKERS	256

/*
 * A camera clock written as seconds since 1970 (the wall clock counted as
 * if it were UTC, as CRW and X3F do) into t's wall clock.
 */
static int
raw_wall_from_secs(uint32_t secs, struct sb_time *t)
{
	memset(t, 0, sizeof *t);
	if (date_set_utc(t, secs) == -1)
		return -1;
	t->has_offset = 1;
	t->offset_min = 0;
	date_utc_to_wall(t, NULL);
	t->has_utc = 0;
	t->utc = 0;
	t->has_offset = 0;
	t->offset_min = 0;
	return 0;
}

/* Make text from a damaged header printable: bytes past ASCII become '?'. */
static void
raw_ascii(char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x7f)
			*p = '?';
}

/*
 * The EXIF of the JPEG at off (len bytes) in s: walks the marker segments
 * to the first Exif APP1 and reads its TIFF in place. Returns 0 if one was
 * read, -1 (m->error says why) if not.
 */
static int
raw_jpeg_exif(const struct sb_src *s, uint64_t off, uint64_t len,
    struct meta *m, const char *what)
{
	uint8_t		 hdr[10];
	uint64_t	 end, p = off + 2;
	unsigned	 seglen;
	int		 i;

	if (off > s->size || len > s->size - off)
		len = off > s->size ? 0 : s->size - off;
	end = off + len;
	if (len < 4 || src_read(s, off, hdr, 2) == -1 || hdr[0] != 0xff ||
	    hdr[1] != 0xd8) {
		meta_set_error(m, "%s: no JPEG at offset %llu", what,
		    (unsigned long long)off);
		return -1;
	}
	for (i = 0; i < JPEG_MAX_MARKERS && p + 4 <= end; i++) {
		if (src_read(s, p, hdr, 4) == -1 || hdr[0] != 0xff)
			break;
		if (hdr[1] == 0xda || hdr[1] == 0xd9)
			break;
		seglen = get16be(hdr + 2);
		if (seglen < 2)
			break;
		if (hdr[1] == 0xe1 && seglen >= 16 && p + 4 + 6 <= end &&
		    src_read(s, p + 4, hdr, 6) == 0 &&
		    memcmp(hdr, "Exif\0\0", 6) == 0)
			return meta_tiff(s, p + 10, m, NULL);
		p += 2 + (uint64_t)seglen;
	}
	meta_set_error(m, "%s: the JPEG at offset %llu has no EXIF", what,
	    (unsigned long long)off);
	return -1;
}

/* One CIFF walk: the source, its byte order and the entries left. */
struct ciff {
	const struct sb_src	*s;
	int			 be;
	int			 budget;
	int			 have_date;
	struct meta		*m;
};

/* A 16- or 32-bit value in the CIFF file's byte order. */
static uint32_t
ciff_get(const struct ciff *c, const uint8_t *p, int size)
{
	if (size == 2)
		return c->be ? get16be(p) : get16le(p);
	return c->be ? get32be(p) : get32le(p);
}

/* Handle one CIFF value: make/model (0x080a) and the capture time (0x180e). */
static void
ciff_value(struct ciff *c, uint16_t id, uint64_t off, uint32_t size)
{
	uint8_t		 buf[128];
	struct sb_time	 t;
	size_t		 n, l;
	int32_t		 tz;

	if (id == 0x080a && size > 0) {
		n = size < sizeof buf ? size : sizeof buf;
		if (src_read(c->s, off, buf, n) == -1)
			return;
		l = strnlen((char *)buf, n);
		if (c->m->make[0] == '\0')
			meta_set_text(c->m->make, sizeof c->m->make, buf, l);
		if (l + 1 < n && c->m->model[0] == '\0')
			meta_set_text(c->m->model, sizeof c->m->model,
			    buf + l + 1, n - l - 1);
		raw_ascii(c->m->make);
		raw_ascii(c->m->model);
	} else if (id == 0x180e && size >= 12 && !c->have_date) {
		if (src_read(c->s, off, buf, 12) == -1 ||
		    raw_wall_from_secs(ciff_get(c, buf, 4), &t) == -1)
			return;
		tz = (int32_t)ciff_get(c, buf + 4, 4);
		if ((ciff_get(c, buf + 8, 4) & 0x80000000U) != 0 &&
		    tz > -15 * 3600 && tz < 15 * 3600) {
			t.has_offset = 1;
			t.offset_min = tz / 60;
		}
		c->have_date = 1;
		if (!c->m->taken.has_wall && !c->m->taken.has_utc) {
			c->m->taken = t;
			strlcpy_sb(c->m->date_source, "exif",
			    sizeof c->m->date_source);
		}
	}
}

/*
 * Read the CIFF heap of len bytes at start: its table of entries is at the
 * offset held in its last 4 bytes. Returns 0, or -1 if it is corrupt.
 */
static int
ciff_heap(struct ciff *c, uint64_t start, uint64_t len, int depth)
{
	uint8_t		 b[10];
	uint64_t	 table;
	uint32_t	 n, i, size, off;
	uint16_t	 tag;

	if (depth > CIFF_MAX_DEPTH || len < 6)
		return -1;
	if (src_read(c->s, start + len - 4, b, 4) == -1)
		return -1;
	table = ciff_get(c, b, 4);
	if (table > len - 6 || src_read(c->s, start + table, b, 2) == -1) {
		meta_set_error(c->m, "CRW heap at offset %llu: table offset "
		    "%llu is outside the heap", (unsigned long long)start,
		    (unsigned long long)table);
		return -1;
	}
	n = ciff_get(c, b, 2);
	if ((uint64_t)n * 10 > len - 4 - table - 2) {
		meta_set_error(c->m, "CRW heap at offset %llu: %u entries run "
		    "past the heap", (unsigned long long)start, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (--c->budget < 0) {
			meta_set_error(c->m, "CRW has too many entries");
			return -1;
		}
		if (src_read(c->s, start + table + 2 + (uint64_t)i * 10, b,
		    10) == -1)
			return -1;
		tag = (uint16_t)ciff_get(c, b, 2);
		size = ciff_get(c, b + 2, 4);
		off = ciff_get(c, b + 6, 4);
		if ((tag & 0xc000) == 0x4000) {	/* data in the entry */
			ciff_value(c, tag & 0x3fff,
			    start + table + 2 + (uint64_t)i * 10 + 2, 8);
			continue;
		}
		if ((tag & 0xc000) != 0 || off > len || size > len - off)
			continue;	/* unknown location or outside */
		if ((tag & 0x3800) == 0x2800 || (tag & 0x3800) == 0x3000)
			ciff_heap(c, start + off, size, depth + 1);
		else
			ciff_value(c, tag & 0x3fff, start + off, size);
	}
	return 0;
}

/* Canon CRW: the capture time and camera of a CIFF file. */
int
meta_crw(const struct sb_src *s, struct meta *m)
{
	struct ciff	 c;
	uint8_t		 h[14];
	uint32_t	 hlen;

	if (src_read(s, 0, h, 14) == -1 || memcmp(h + 6, "HEAPCCDR", 8) != 0 ||
	    (memcmp(h, "II", 2) != 0 && memcmp(h, "MM", 2) != 0)) {
		meta_set_error(m, "not a CRW (CIFF) file");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.s = s;
	c.be = h[0] == 'M';
	c.budget = CIFF_MAX_ENTRIES;
	c.m = m;
	hlen = ciff_get(&c, h + 2, 4);
	if (hlen < 14 || hlen >= s->size) {
		meta_set_error(m, "CRW header length %u does not fit the file "
		    "(%llu bytes)", hlen, (unsigned long long)s->size);
		return -1;
	}
	if (ciff_heap(&c, hlen, s->size - hlen, 0) == -1 && !c.have_date) {
		meta_set_error(m, "CRW heap is corrupt");
		return -1;
	}
	return 0;
}

/* Minolta MRW: the TIFF inside its TTW block. */
int
meta_mrw(const struct sb_src *s, struct meta *m)
{
	uint8_t		 h[8];
	uint64_t	 off = 8, end;
	uint32_t	 len;
	int		 i;

	if (src_read(s, 0, h, 8) == -1 || memcmp(h, "\0MRM", 4) != 0) {
		meta_set_error(m, "not an MRW file");
		return -1;
	}
	end = 8 + (uint64_t)get32be(h + 4);
	if (end > s->size)
		end = s->size;
	for (i = 0; i < MRW_MAX_BLOCKS && off + 8 <= end; i++) {
		if (src_read(s, off, h, 8) == -1)
			break;
		len = get32be(h + 4);
		if (memcmp(h, "\0TTW", 4) == 0)
			return meta_tiff(s, off + 8, m, NULL);
		off += 8 + (uint64_t)len;
	}
	meta_set_error(m, "MRW has no TTW (TIFF) block");
	return -1;
}

/* Compare the UTF-16LE property name at p (n chars) with ASCII name. */
static int
x3f_name_is(const uint8_t *p, size_t n, const char *name)
{
	size_t	i, l = strlen(name);

	if (n < l + 1)
		return 0;
	for (i = 0; i < l; i++)
		if (p[2 * i] != (uint8_t)name[i] || p[2 * i + 1] != 0)
			return 0;
	return p[2 * l] == 0 && p[2 * l + 1] == 0;
}

/* The UTF-16LE value at p (at most n chars) as ASCII into dst. */
static void
x3f_value(const uint8_t *p, size_t n, char *dst, size_t size)
{
	char	buf[128];
	size_t	i;

	for (i = 0; i < n && i < sizeof buf; i++) {
		if (p[2 * i] == 0 && p[2 * i + 1] == 0)
			break;
		buf[i] = p[2 * i + 1] == 0 ? (char)p[2 * i] : '?';
	}
	meta_set_text(dst, size, buf, i);
}

/* Read an X3F PROP section (len bytes at off): TIME, CAMMANUF, CAMMODEL. */
static void
x3f_props(const struct sb_src *s, uint64_t off, uint64_t len,
    struct meta *m)
{
	uint8_t		 h[24], *tab = NULL, *chars = NULL;
	uint32_t	 n, nchars, i, no, vo;
	char		 v[64];
	struct sb_time	 t;
	char		*end;
	unsigned long	 secs;

	if (len < 24 || src_read(s, off, h, 24) == -1 ||
	    memcmp(h, "SECp", 4) != 0 || get32le(h + 12) != 0)
		return;		/* format 0: UTF-16 */
	n = get32le(h + 8);
	nchars = get32le(h + 20);
	if (n > X3F_MAX_PROPS || nchars > X3F_MAX_PROPCHARS ||
	    24 + (uint64_t)n * 8 + (uint64_t)nchars * 2 > len)
		return;
	tab = xmalloc((size_t)n * 8 + 1);
	chars = xmalloc((size_t)nchars * 2 + 2);
	if (src_read(s, off + 24, tab, (size_t)n * 8) == -1 ||
	    src_read(s, off + 24 + (uint64_t)n * 8, chars,
	    (size_t)nchars * 2) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		no = get32le(tab + 8 * i);
		vo = get32le(tab + 8 * i + 4);
		if (no >= nchars || vo >= nchars)
			continue;
		x3f_value(chars + 2 * (size_t)vo, nchars - vo, v, sizeof v);
		if (x3f_name_is(chars + 2 * (size_t)no, nchars - no,
		    "CAMMANUF") && m->make[0] == '\0')
			strlcpy_sb(m->make, v, sizeof m->make);
		else if (x3f_name_is(chars + 2 * (size_t)no, nchars - no,
		    "CAMMODEL") && m->model[0] == '\0')
			strlcpy_sb(m->model, v, sizeof m->model);
		else if (x3f_name_is(chars + 2 * (size_t)no, nchars - no,
		    "TIME") && !m->taken.has_wall && !m->taken.has_utc) {
			secs = strtoul(v, &end, 10);
			if (end != v && *end == '\0' && secs <= UINT32_MAX &&
			    raw_wall_from_secs((uint32_t)secs, &t) == 0) {
				m->taken = t;
				strlcpy_sb(m->date_source, "exif",
				    sizeof m->date_source);
			}
		}
	}
out:
	free(tab);
	free(chars);
}

/*
 * Sigma X3F: the directory (its offset is in the file's last 4 bytes) lists
 * sections; the PROP section has the capture time, and a JPEG preview
 * section (X3F 3 and later) its EXIF.
 */
int
meta_x3f(const struct sb_src *s, struct meta *m)
{
	uint8_t		 h[16];
	uint64_t	 dir;
	uint32_t	 n, i, off, len;
	int		 had_error = m->error[0] != '\0';

	if (src_read(s, 0, h, 4) == -1 || memcmp(h, "FOVb", 4) != 0 ||
	    s->size < 16 || src_read(s, s->size - 4, h, 4) == -1) {
		meta_set_error(m, "not an X3F file");
		return -1;
	}
	dir = get32le(h);
	if (dir > s->size - 12 || src_read(s, dir, h, 12) == -1 ||
	    memcmp(h, "SECd", 4) != 0) {
		meta_set_error(m, "X3F directory offset %llu is not a "
		    "directory (file is %llu bytes)", (unsigned long long)dir,
		    (unsigned long long)s->size);
		return -1;
	}
	n = get32le(h + 8);
	if (n > X3F_MAX_SECTIONS || (uint64_t)n * 12 > s->size - dir - 12) {
		meta_set_error(m, "X3F directory has %u entries", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (src_read(s, dir + 12 + (uint64_t)i * 12, h, 12) == -1)
			break;
		off = get32le(h);
		len = get32le(h + 4);
		if (off > s->size || len > s->size - off)
			continue;
		if (memcmp(h + 8, "PROP", 4) == 0)
			x3f_props(s, off, len, m);
		else if ((memcmp(h + 8, "IMA2", 4) == 0 ||
		    memcmp(h + 8, "IMAG", 4) == 0) && len > 28 &&
		    !m->taken.has_wall &&
		    src_read(s, off, h, 16) == 0 && get32le(h + 12) == 18)
			raw_jpeg_exif(s, off + 28, len - 28, m, "X3F");
	}
	if (!had_error)
		m->error[0] = '\0';	/* a preview without EXIF: no fault */
	return 0;
}

/* Fujifilm RAF: the EXIF of the JPEG the header points at. */
int
meta_raf(const struct sb_src *s, struct meta *m)
{
	uint8_t		 h[92];
	uint32_t	 off, len;

	if (src_read(s, 0, h, sizeof h) == -1 ||
	    memcmp(h, "FUJIFILMCCD-RAW ", 16) != 0) {
		meta_set_error(m, "not a RAF file (or truncated header)");
		return -1;
	}
	off = get32be(h + 84);
	len = get32be(h + 88);
	if (off < sizeof h || off > s->size || len > s->size - off) {
		meta_set_error(m, "RAF JPEG at offset %u (%u bytes) is past "
		    "the end of the file (%llu bytes)", off, len,
		    (unsigned long long)s->size);
		return -1;
	}
	if (raw_jpeg_exif(s, off, len, m, "RAF") == -1)
		return -1;
	if (m->model[0] == '\0')
		meta_set_text(m->model, sizeof m->model, h + 28, 32);
	raw_ascii(m->model);
	return 0;
}

/*
 * A string of n bytes at p, stored back to front, into dst (size > n),
 * without the NULs and blanks that padded it; returns its length.
 */
static size_t
reversed(char *dst, const uint8_t *p, size_t n)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++)
		if (k > 0 || (p[n - 1 - i] != '\0' && p[n - 1 - i] != ' '))
			dst[k++] = (char)p[n - 1 - i];
	dst[k] = '\0';
	return k;
}

/*
 * Kyocera RAW (Contax N Digital): a fixed header whose strings are stored
 * reversed: Model at 0x0c, "KYOCERA" at 0x19, the capture time at 0x21.
 */
int
meta_kyocera(const struct sb_src *s, struct meta *m)
{
	uint8_t	h[0x21 + 20];
	char	txt[21];

	if (src_read(s, 0, h, sizeof h) == -1 ||
	    memcmp(h + 0x19, "ARECOYK", 7) != 0) {
		meta_set_error(m, "not a Kyocera RAW file");
		return -1;
	}
	meta_set_text(m->make, sizeof m->make, txt, reversed(txt, h + 0x19, 7));
	meta_set_text(m->model, sizeof m->model, txt,
	    reversed(txt, h + 0x0c, 12));
	meta_take_date(m, txt, reversed(txt, h + 0x21, 20), NULL, "kyocera");
	return 0;
}

/*
 * Sony PMP (DSC-F1): a 124-byte big-endian header before a JPEG; the
 * capture time is six bytes at 76 (year in the century, month, day, hour,
 * minute, second).
 */
int
meta_pmp(const struct sb_src *s, struct meta *m)
{
	uint8_t	h[128];
	int	y;

	if (src_read(s, 0, h, sizeof h) == -1 ||
	    memcmp(h + 8, "\0\0\0\x7c", 4) != 0 ||
	    memcmp(h + 124, "\xff\xd8", 2) != 0) {
		meta_set_error(m, "not a Sony PMP file");
		return -1;
	}
	strlcpy_sb(m->make, "Sony", sizeof m->make);
	strlcpy_sb(m->model, "DSC-F1", sizeof m->model);
	y = h[76] + (h[76] < 70 ? 2000 : 1900);
	if (date_set_wall(&m->taken, y, h[77], h[78], h[79], h[80],
	    h[81]) == 0)
		strlcpy_sb(m->date_source, "pmp", sizeof m->date_source);
	return 0;
}
