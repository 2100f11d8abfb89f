/*
 * meta-exif.c: EXIF through libexif. Finds the Exif APP1 segment of a JPEG
 * (reading segment headers only, never the image data) or takes an Exif/TIFF
 * block found inside another container, and reads the capture time, its
 * offset, make and model. XMP in a JPEG is the fallback for the date; a
 * Reconyx maker note and FLIR's FFF record (meta-vendor.c) are read where
 * Exif has none.
 */
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>
#include <libexif/exif-mem.h>

#include "shoebox.h"

#define TAG_OFFSET_TIME_ORIGINAL	0x9011
#define TAG_OFFSET_TIME_DIGITIZED	0x9012
#define JPEG_MAXEXIF	8	/* Exif APP1 segments read in one JPEG */
#define JPEG_PEEK	32	/* an APP1's first bytes: what it is */

/* The entry for tag in any IFD, or NULL. */
static ExifEntry *
exif_find(ExifData *ed, unsigned tag)
{
	ExifEntry	*e;
	int		 i;
	static const ExifIfd order[] = { EXIF_IFD_EXIF, EXIF_IFD_0,
	    EXIF_IFD_1, EXIF_IFD_INTEROPERABILITY, EXIF_IFD_GPS };

	for (i = 0; i < 5; i++) {
		e = exif_content_get_entry(ed->ifd[order[i]], (ExifTag)tag);
		if (e != NULL && e->data != NULL && e->size > 0)
			return e;
	}
	return NULL;
}

/* Copy an ASCII entry into dst; 0 if found. */
static int
exif_text(ExifData *ed, unsigned tag, char *dst, size_t size)
{
	ExifEntry	*e = exif_find(ed, tag);

	if (e == NULL || (e->format != EXIF_FORMAT_ASCII &&
	    e->format != EXIF_FORMAT_UNDEFINED))
		return -1;
	meta_set_text(dst, size, e->data, e->size);
	return dst[0] != '\0' ? 0 : -1;
}

/* Take date tag (and its offset tag) as the capture time; 0 if usable. */
static int
exif_date(ExifData *ed, unsigned tag, unsigned offtag, struct meta *m,
    const char *source)
{
	ExifEntry	*e = exif_find(ed, tag);
	char		 off[16];

	if (e == NULL)
		return -1;
	if (offtag == 0 || exif_text(ed, offtag, off, sizeof off) == -1)
		off[0] = '\0';
	return meta_take_date(m, (const char *)e->data, e->size, off, source);
}

/*
 * A capture time in a maker note libexif does not read (Reconyx), taken
 * before DateTime, which is a modification time. 0 if one was taken.
 */
static int
exif_makernote_date(ExifData *ed, struct meta *m)
{
	ExifEntry	*e = exif_find(ed, EXIF_TAG_MAKER_NOTE);
	struct sb_time	 t;

	if (e == NULL || reconyx_date(e->data, e->size, m->make, &t) == -1)
		return -1;
	m->taken = t;
	strlcpy_sb(m->date_source, "reconyx", sizeof m->date_source);
	return 0;
}

/*
 * libexif allocates every entry, its data and each IFD on its own and
 * frees them all again at exif_data_unref: a camera JPEG's few hundred
 * tags cost more in malloc and free than in parsing. It allocates here
 * instead, from an arena of the thread's that one block of EXIF fills
 * and meta_exif_blob empties again; what does not fit goes to calloc.
 * Each allocation carries its size before it, for realloc.
 */
#define ARENA_SIZE	(96 * 1024)
/* Under AddressSanitizer every allocation is its own, with its red zones. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_OFF	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_OFF	1
#endif
#endif
#ifndef ARENA_OFF
#define ARENA_OFF	0
#endif
#define ARENA_ALIGN	16

static _Thread_local struct {
	uint8_t	*base;		/* ARENA_SIZE bytes, made on first use */
	size_t	 used;
	ExifMem	*mem;		/* allocating here; itself from calloc */
	int	 on;
} arena;

static int
arena_has(const void *p)
{
	return arena.base != NULL && (const uint8_t *)p >= arena.base &&
	    (const uint8_t *)p < arena.base + ARENA_SIZE;
}

static void *
arena_alloc(ExifLong size)
{
	size_t	need = ((size_t)size + 2 * ARENA_ALIGN - 1) &
	    ~(size_t)(ARENA_ALIGN - 1);
	uint8_t	*p;

	/* size first: with a 32-bit size_t, need wraps for a size near 4G */
	if (!arena.on || size > ARENA_SIZE || need > ARENA_SIZE - arena.used ||
	    ARENA_OFF)
		return calloc(1, size != 0 ? size : 1);
	p = arena.base + arena.used;
	arena.used += need;
	memcpy(p, &(size_t){ size }, sizeof(size_t));
	memset(p + ARENA_ALIGN, 0, size);
	return p + ARENA_ALIGN;
}

static void
arena_free(void *p)
{
	if (!arena_has(p))
		free(p);
}

static void *
arena_realloc(void *p, ExifLong size)
{
	size_t	 old;
	void	*q;

	if (p == NULL)
		return arena_alloc(size);
	if (!arena_has(p))
		return realloc(p, size);
	memcpy(&old, (uint8_t *)p - ARENA_ALIGN, sizeof old);
	if ((q = arena_alloc(size)) != NULL)
		memcpy(q, p, old < size ? old : size);
	return q;
}

/* A new ExifData whose allocations go to the thread's arena. */
static ExifData *
arena_exif_data(void)
{
	ExifData	*ed;

	if (arena.base == NULL) {
		arena.base = xmalloc(ARENA_SIZE);
		if ((arena.mem = exif_mem_new(arena_alloc, arena_realloc,
		    arena_free)) == NULL)
			fatalx("out of memory");
	}
	arena.used = 0;
	arena.on = 1;
	if ((ed = exif_data_new_mem(arena.mem)) == NULL)
		fatalx("out of memory");
	return ed;
}

/* Done with an ExifData of arena_exif_data: empty the arena again. */
static void
arena_exif_done(ExifData *ed)
{
	exif_data_unref(ed);
	arena.on = 0;
	arena.used = 0;
}

/*
 * The length of the Exif header that starts the len bytes at p (an APP1
 * segment's): "Exif\0\0", or "Exif\0" and any byte, as some Kodak cameras
 * write it, after at most 4 bytes of garbage, as ExifTool takes it. 0 if
 * p holds no Exif header.
 */
size_t
exif_header_len(const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i <= 4 && i + 6 <= len; i++)
		if (memcmp(p + i, "Exif\0", 5) == 0)
			return i + 6;
	return 0;
}

/*
 * Read an Exif block: a TIFF header and IFDs, with or without the leading
 * Exif header (exif_header_len). Returns 0 (even when it holds no date),
 * -1 if unreadable.
 */
int
meta_exif_blob(const uint8_t *buf, size_t len, struct meta *m)
{
	ExifData	*ed;
	uint8_t		*tmp = NULL;
	const uint8_t	*data = buf;
	size_t		 dlen = len, h;

	if (len < 8)
		return -1;
	if (memcmp(buf, "Exif\0\0", 6) != 0) {
		/* libexif takes "Exif\0\0" and a TIFF header alone. */
		h = exif_header_len(buf, len);
		if (len - h > 0xffffff00 || len - h < 8)
			return -1;
		tmp = xmalloc(len - h + 6);
		memcpy(tmp, "Exif\0\0", 6);
		memcpy(tmp + 6, buf + h, len - h);
		data = tmp;
		dlen = len - h + 6;
	}
	ed = arena_exif_data();
	exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(ed, data, (unsigned int)dlen);
	free(tmp);

	if (m->make[0] == '\0')
		exif_text(ed, EXIF_TAG_MAKE, m->make, sizeof m->make);
	if (m->model[0] == '\0')
		exif_text(ed, EXIF_TAG_MODEL, m->model, sizeof m->model);
	if (!m->taken.has_wall && !m->taken.has_utc &&
	    exif_date(ed, EXIF_TAG_DATE_TIME_ORIGINAL,
	    TAG_OFFSET_TIME_ORIGINAL, m, "exif") == -1 &&
	    exif_date(ed, EXIF_TAG_DATE_TIME_DIGITIZED,
	    TAG_OFFSET_TIME_DIGITIZED, m, "exif-digitized") == -1 &&
	    exif_makernote_date(ed, m) == -1)
		exif_date(ed, EXIF_TAG_DATE_TIME, 0, m, "exif-datetime");
	arena_exif_done(ed);
	return 0;
}

/* Find needle in the bounded haystack. */
static const uint8_t *
memmem_sb(const uint8_t *h, size_t hlen, const char *needle)
{
	return memmem(h, hlen, needle, strlen(needle));
}

/*
 * Dates in an XMP packet: exif:DateTimeOriginal, photoshop:DateCreated,
 * xmp:CreateDate (under whatever prefix the packet binds), as
 * attribute="..." or <element>...</element>, the first in that order that
 * has a time of day; else the first that is a day only ("2021-05-12",
 * as photoshop:DateCreated often is), taken as "xmp-day". m's date is
 * left as it is when the packet has none.
 */
void
meta_xmp_date(const uint8_t *x, size_t len, struct meta *m)
{
	static const char *keys[] = {
		":DateTimeOriginal",	/* exif: */
		":DateCreated",		/* photoshop: */
		":CreateDate",		/* xmp: or xap: */
	};
	const uint8_t	*p, *v, *end = x + len;
	struct sb_time	 t, day;
	size_t		 i, kl, n;
	int		 have_day = 0;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		kl = strlen(keys[i]);
		p = x;
		while ((p = memmem_sb(p, (size_t)(end - p), keys[i])) !=
		    NULL) {
			v = p + kl;
			p = v;
			if (v < end && *v == '=' && v + 1 < end &&
			    (v[1] == '"' || v[1] == '\''))
				v += 2;
			else if (v < end && *v == '>')
				v += 1;
			else
				continue;
			n = (size_t)(end - v) < 40 ? (size_t)(end - v) : 40;
			if (date_parse_iso((const char *)v, n, &t) == -1)
				continue;
			/* "YYYY-MM-DD" and no 'T' or ' ' after it: a day. */
			if (n > 10 && (v[10] == 'T' || v[10] == ' ')) {
				m->taken = t;
				strlcpy_sb(m->date_source, "xmp",
				    sizeof m->date_source);
				return;
			}
			if (!have_day) {
				day = t;
				have_day = 1;
			}
		}
	}
	if (have_day) {
		m->taken = day;
		strlcpy_sb(m->date_source, "xmp-day", sizeof m->date_source);
	}
}

/* Move *off to the next 0xFF within 64 kB; -1 if there is none. */
static int
jpeg_resync(const struct sb_src *s, uint64_t *off)
{
	uint8_t		buf[512];
	uint64_t	o = *off, limit = *off + 65536;
	size_t		n, i;

	while (o < limit && o < s->size) {
		n = s->size - o < sizeof buf ? (size_t)(s->size - o) :
		    sizeof buf;
		if (src_read(s, o, buf, n) == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (buf[i] == 0xff) {
				*off = o + i;
				return 0;
			}
		o += n;
	}
	return -1;
}

/*
 * IPTC IIM inside a Photoshop APP13 segment ("Photoshop 3.0", 8BIM resource
 * 0x0404): DateCreated (2:55, CCYYMMDD) and TimeCreated (2:60,
 * HHMMSS+HHMM), which ExifTool also takes as a capture date.
 */
static void
iptc_date(const uint8_t *p, size_t len, struct meta *m)
{
	static const char psig[] = "Photoshop 3.0";
	const uint8_t	*end = p + len, *r, *iptc;
	size_t		 namelen, size, n, i, dlen;
	char		 date[9] = "", tm[12] = "", buf[40];
	struct sb_time	 t;

	if (len < sizeof psig || memcmp(p, psig, sizeof psig) != 0)
		return;
	r = p + sizeof psig;
	while (end - r >= 12 && memcmp(r, "8BIM", 4) == 0) {
		namelen = r[6];
		n = 6 + ((namelen + 2) & ~(size_t)1);	/* padded Pascal name */
		if ((size_t)(end - r) < n + 4)
			return;
		size = get32be(r + n);
		if (size > (size_t)(end - r) - n - 4)
			return;
		if (get16be(r + 4) == 0x0404) {
			iptc = r + n + 4;
			for (i = 0; i + 5 <= size; i += 5 + dlen) {
				if (iptc[i] != 0x1c)
					break;
				dlen = get16be(iptc + i + 3);
				if (dlen & 0x8000 || dlen > size - i - 5)
					break;
				if (iptc[i + 1] == 2 && iptc[i + 2] == 55 &&
				    dlen == 8)
					memcpy(date, iptc + i + 5, 8);
				if (iptc[i + 1] == 2 && iptc[i + 2] == 60 &&
				    dlen >= 6 && dlen <= 11)
					memcpy(tm, iptc + i + 5, dlen);
			}
		}
		r += n + 4 + ((size + 1) & ~(size_t)1);
		if (r > end)
			return;
	}
	if (date[0] == '\0')
		return;
	if (tm[0] == '\0')
		snprintf(buf, sizeof buf, "%.4s:%.2s:%.2s 00:00:00", date,
		    date + 4, date + 6);
	else
		snprintf(buf, sizeof buf, "%.4s:%.2s:%.2s %.2s:%.2s:%.2s%s",
		    date, date + 4, date + 6, tm, tm + 2, tm + 4,
		    strlen(tm) == 11 ? tm + 6 : "");
	if (date_parse_exif(buf, strlen(buf), &t) == 0) {
		m->taken = t;
		strlcpy_sb(m->date_source, "iptc", sizeof m->date_source);
	}
}

/*
 * Casio's QVCI APP1 block (QV-7000SX and kin): the capture time as
 * "1998.10.24.12.08.57" at byte QVCI_DATE of the block.
 */
#define QVCI_DATE	0x4d

static void
qvci_date(const uint8_t *p, struct meta *m)
{
	char	d[20];
	int	i;

	for (i = 0; i < 19; i++)
		d[i] = (char)(p[i] != '.' ? p[i] : i == 10 ? ' ' : ':');
	d[19] = '\0';
	meta_take_date(m, d, 19, NULL, "casio-qvci");
}

/*
 * Where Exif has no capture date (none, or only its DateTime, a change
 * time), take the best of the other blocks' dates: Casio's QVCI, XMP, then
 * IPTC. Each is a candidate whichever is taken.
 */
static void
jpeg_other_dates(struct meta *m, struct meta *other, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		meta_candidate(m, other[i].date_source, &other[i].taken);
	for (i = 0; i < n && meta_date_weak(m); i++)
		if (other[i].taken.has_wall || other[i].taken.has_utc) {
			meta_candidate(m, m->date_source, &m->taken);
			m->taken = other[i].taken;
			strlcpy_sb(m->date_source, other[i].date_source,
			    sizeof m->date_source);
		}
}

/*
 * The Exif of the JPEG at off (len bytes) inside s, as a Panasonic RW2
 * keeps the camera's whole Exif in its JpgFromRaw: the segment headers
 * are walked up to the first Exif APP1, which alone is read, never the
 * image. Returns 0 if one was read into m, else -1.
 */
int
meta_jpeg_exif(const struct sb_src *s, uint64_t off, uint64_t len,
    struct meta *m)
{
	uint8_t		 hdr[4], *seg;
	uint64_t	 p = 2;
	size_t		 n, k;
	int		 markers = 0, rc = -1;

	if (off > s->size || len > s->size - off || len < 4 ||
	    src_read(s, off, hdr, 2) == -1 || hdr[0] != 0xff ||
	    hdr[1] != 0xd8)
		return -1;
	while (rc == -1 && markers++ < 256 && len - p >= 4) {
		if (src_read(s, off + p, hdr, 4) == -1 || hdr[0] != 0xff)
			break;
		if (hdr[1] == 0xff) {	/* fill byte */
			p++;
			continue;
		}
		if (hdr[1] == 0xda || hdr[1] == 0xd9)	/* SOS, EOI */
			break;
		if (hdr[1] == 0x01 || (hdr[1] >= 0xd0 && hdr[1] <= 0xd7)) {
			p += 2;
			continue;
		}
		n = get16be(hdr + 2);
		if (n < 2 || n - 2 > len - p - 4)
			break;
		if (hdr[1] == 0xe1 && n - 2 > 6) {
			/* Only an Exif segment is read whole. */
			seg = xmalloc(n - 2);
			k = n - 2 < JPEG_PEEK ? n - 2 : JPEG_PEEK;
			if (src_read(s, off + p + 4, seg, k) == 0 &&
			    exif_header_len(seg, k) != 0 &&
			    src_read(s, off + p + 4, seg, n - 2) == 0)
				rc = meta_exif_blob(seg, n - 2, m);
			free(seg);
		}
		p += 2 + n;
	}
	return rc;
}

/*
 * An Exif APP1 segment after the first, read when that gave no capture
 * date (an app's small block before the camera's), as ExifTool reads every
 * one: its date is taken over none or a DateTime alone, its make and model
 * where m has none.
 */
static void
jpeg_more_exif(const uint8_t *seg, size_t len, struct meta *m)
{
	struct meta	*x = xcalloc(1, sizeof *x);

	meta_exif_blob(seg, len, x);
	if (m->make[0] == '\0')
		strlcpy_sb(m->make, x->make, sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, x->model, sizeof m->model);
	if ((x->taken.has_wall || x->taken.has_utc) &&
	    ((!m->taken.has_wall && !m->taken.has_utc) ||
	    !meta_date_weak(x))) {
		m->taken = x->taken;
		strlcpy_sb(m->date_source, x->date_source,
		    sizeof m->date_source);
	}
	free(x);
}

static const char xmpsig[] = "http://ns.adobe.com/xap/1.0/";

/*
 * Is the APP1 segment (len bytes; seg holds at least its first JPEG_PEEK,
 * or all if fewer) one meta_jpeg reads: Exif while no capture date is
 * had (nexif read so far), XMP or Casio's QVCI while theirs is weak
 * (other[1], other[0])?
 */
static int
jpeg_app1_wanted(const uint8_t *seg, size_t len, const struct meta *m,
    const struct meta *other, int nexif)
{
	size_t	h, peek = len < JPEG_PEEK ? len : JPEG_PEEK;

	if ((h = exif_header_len(seg, peek)) != 0)
		return len > h && meta_date_weak(m) && nexif < JPEG_MAXEXIF;
	if (len > sizeof xmpsig && memcmp(seg, xmpsig, sizeof xmpsig) == 0)
		return meta_date_weak(&other[1]);
	if (len >= QVCI_DATE + 19 && memcmp(seg, "QVCI\0", 5) == 0)
		return meta_date_weak(&other[0]);
	return 0;
}

/*
 * JPEG: walk the marker segments up to the start of scan, reading only the
 * APP1 segments (Exif, XMP, Casio's QVCI) and APP13 (IPTC). Exif's capture
 * date comes first wherever its segment is, a later Exif segment's where
 * the first has none (jpeg_more_exif); the others' are read into
 * their own (other[]) and weigh only after the walk (jpeg_other_dates).
 * FLIR's APP1 segments are only noted, and read for their date when
 * nothing else gave one.
 */
int
meta_jpeg(const struct sb_src *s, struct meta *m)
{
	struct flir_chunks *flir = NULL;
	struct meta	*other;		/* QVCI, XMP, IPTC: in that order */
	struct sb_time	 t;
	uint8_t		 hdr[4], *seg = NULL;
	uint64_t	 off = 2;
	size_t		 len, h, peek;
	int		 markers = 0, nexif = 0, rc = 0;

	if (src_read(s, 0, hdr, 2) == -1 || hdr[0] != 0xff || hdr[1] != 0xd8) {
		meta_set_error(m, "not a JPEG file");
		return -1;
	}
	seg = xmalloc(65536);
	other = xcalloc(3, sizeof *other);
	while (markers++ < 1024) {
		if (src_read(s, off, hdr, 4) == -1) {
			meta_set_error(m, "JPEG truncated at byte %llu",
			    (unsigned long long)off);
			rc = -1;
			break;
		}
		if (hdr[0] != 0xff) {
			/* Junk between segments: skip to the next marker,
			 * as ExifTool does, within a bounded distance. */
			if (jpeg_resync(s, &off) == -1) {
				meta_set_error(m, "JPEG marker expected at "
				    "byte %llu", (unsigned long long)off);
				rc = -1;
				break;
			}
			continue;
		}
		if (hdr[1] == 0xff) {	/* fill byte */
			off++;
			continue;
		}
		if (hdr[1] == 0xda || hdr[1] == 0xd9)	/* SOS, EOI */
			break;
		if (hdr[1] == 0x01 || (hdr[1] >= 0xd0 && hdr[1] <= 0xd7)) {
			off += 2;
			continue;
		}
		len = get16be(hdr + 2);
		if (len < 2) {
			meta_set_error(m, "JPEG segment length %zu at byte "
			    "%llu", len, (unsigned long long)off);
			rc = -1;
			break;
		}
		if (hdr[1] == 0xe1 && len >= 10 &&
		    src_read(s, off + 4, seg, 8) == 0 &&
		    memcmp(seg, "FLIR\0", 5) == 0) {
			/* FLIR's FFF data: where it is, read when needed. */
			if (flir == NULL)
				flir = xcalloc(1, sizeof *flir);
			flir_chunk(flir, seg, off + 4 + 8, len - 2 - 8);
		} else if (hdr[1] == 0xe1 && len > 8) {
			/*
			 * Its first bytes say what it is; only a segment to
			 * be read is read whole (a file of many other APP1
			 * segments is not read through).
			 */
			peek = len - 2 < JPEG_PEEK ? len - 2 : JPEG_PEEK;
			if (src_read(s, off + 4, seg, peek) == -1 ||
			    (jpeg_app1_wanted(seg, len - 2, m, other, nexif) &&
			    src_read(s, off + 4, seg, len - 2) == -1)) {
				meta_set_error(m, "JPEG APP1 segment "
				    "truncated");
				rc = -1;
				break;
			}
			if (!jpeg_app1_wanted(seg, len - 2, m, other, nexif))
				;
			else if ((h = exif_header_len(seg, len - 2)) != 0) {
				if (nexif++ > 0)
					jpeg_more_exif(seg, len - 2, m);
				else if (meta_exif_blob(seg, len - 2, m) == -1)
					meta_set_error(m, "unreadable EXIF");
			} else if (memcmp(seg, "QVCI\0", 5) == 0)
				qvci_date(seg + QVCI_DATE, &other[0]);
			else
				meta_xmp_date(seg + sizeof xmpsig,
				    len - 2 - sizeof xmpsig, &other[1]);
		}
		if (hdr[1] == 0xed && len > 16 && meta_date_weak(&other[2])) {
			if (src_read(s, off + 4, seg, len - 2) == 0)
				iptc_date(seg, len - 2, &other[2]);
		}
		off += 2 + len;
	}
	free(seg);
	jpeg_other_dates(m, other, 3);
	free(other);
	if (flir != NULL && !m->taken.has_wall && !m->taken.has_utc &&
	    flir_date(s, flir, &t) == 0) {
		m->taken = t;
		strlcpy_sb(m->date_source, "flir", sizeof m->date_source);
	}
	free(flir);
	/* A bad segment after the Exif block does not undo what was read. */
	if (rc == -1 && (m->taken.has_wall || m->make[0] != '\0'))
		rc = 0;
	return rc;
}
