/*
 * meta-tiff.c: TIFF and the RAW formats built on it (CR2, NEF, ARW, DNG,
 * ORF, RW2, PEF, SRW ...). A bounded IFD walker: it reads the IFD entries
 * and the few values it needs through src_read(), never the image data, and
 * refuses loops, huge counts and offsets past the end; of an RW2's embedded
 * JpgFromRaw it reads the Exif segment only. It also gathers what
 * identify.c needs to name the RAW type (struct tiff_info).
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define TIFF_MAX_IFDS		32	/* IFDs walked in one file */
#define TIFF_MAX_ENTRIES	1024	/* entries in one IFD */
#define TIFF_MAX_CHAIN		8	/* IFD0, IFD1 ... followed */
#define TIFF_MAX_SUBIFDS	8	/* SubIFDs of one IFD followed */
#define TIFF_MAXXMP		(256 * 1024)	/* of an XMP packet read */

#define TAG_JPGFROMRAW		0x002e	/* Panasonic RW2's, in IFD0 */
#define TAG_COMPRESSION		0x0103
#define TAG_PHOTOMETRIC		0x0106
#define TAG_MAKE		0x010f
#define TAG_MODEL		0x0110
#define TAG_DATETIME		0x0132
#define TAG_XMP			0x02bc
#define TAG_SUBIFDS		0x014a
#define TAG_LEAF		0x8606
#define TAG_EXIFIFD		0x8769
#define TAG_DATETIME_ORIGINAL	0x9003
#define TAG_DATETIME_DIGITIZED	0x9004
#define TAG_OFFSET_ORIGINAL	0x9011
#define TAG_OFFSET_DIGITIZED	0x9012
#define TAG_DNGVERSION		0xc612
#define TAG_DNGPRIVATE		0xc634
#define TAG_KODAK_KDC		0xfe00

/* One walk: the source, where the TIFF starts, and what was found. */
struct tiff {
	const struct sb_src	*s;
	uint64_t		 base;	/* offset of the TIFF header in s */
	uint64_t		 size;	/* bytes from base to the end */
	int			 be;	/* big-endian ("MM") */
	uint32_t		 seen[TIFF_MAX_IFDS];
	int			 nseen;
	struct meta		*m;
	struct tiff_info	*ti;
	int			 bad;	/* a corruption was reported */
	char			 dto[32], dtd[32], dt[32], oto[16], otd[16];
	uint32_t		 xmp_off, xmp_len;	/* IFD0's XMP packet */
	uint32_t		 ifd0;			/* IFD0's offset */
	uint32_t		 jfr_off, jfr_len;	/* RW2's JpgFromRaw */
};

/* A 16-bit value in the file's byte order. */
static uint16_t
tiff_get16(const struct tiff *t, const uint8_t *p)
{
	return t->be ? get16be(p) : get16le(p);
}

/* A 32-bit value in the file's byte order. */
static uint32_t
tiff_get32(const struct tiff *t, const uint8_t *p)
{
	return t->be ? get32be(p) : get32le(p);
}

/* Size in bytes of one value of TIFF type type, 0 if unknown. */
static unsigned
tiff_type_size(uint16_t type)
{
	switch (type) {
	case 1: case 2: case 6: case 7:
		return 1;
	case 3: case 8:
		return 2;
	case 4: case 9: case 11: case 13:
		return 4;
	case 5: case 10: case 12:
		return 8;
	default:
		return 0;
	}
}

/* Report a corruption (the first one is kept); always returns -1. */
static int
tiff_bad(struct tiff *t, const char *what, uint64_t off)
{
	t->bad = 1;
	meta_set_error(t->m, "TIFF %s offset %llu is past the end of the "
	    "file (%llu bytes)", what, (unsigned long long)off,
	    (unsigned long long)t->s->size);
	return -1;
}

/*
 * Copy up to len bytes of entry e's value into buf; sets *got to the bytes
 * copied. Returns 0, or -1 if the value lies outside the file.
 */
static int
tiff_value(struct tiff *t, const uint8_t *e, uint8_t *buf, size_t len,
    size_t *got)
{
	uint64_t	 total, off;
	unsigned	 sz = tiff_type_size(tiff_get16(t, e + 2));

	*got = 0;
	if (sz == 0)
		return -1;
	total = (uint64_t)tiff_get32(t, e + 4) * sz;	/* fits: < 2^35 */
	if (total < len)
		len = (size_t)total;
	if (total <= 4) {
		memcpy(buf, e + 8, len);
		*got = len;
		return 0;
	}
	off = tiff_get32(t, e + 8);
	if (off > t->size || total > t->size - off)
		return tiff_bad(t, "value", off);
	if (src_read(t->s, t->base + off, buf, len) == -1)
		return tiff_bad(t, "value", off);
	*got = len;
	return 0;
}

/* The first value of a SHORT or LONG entry, or 0. */
static uint32_t
tiff_uint(struct tiff *t, const uint8_t *e)
{
	switch (tiff_get16(t, e + 2)) {
	case 3:
		return tiff_get16(t, e + 8);
	case 4:
	case 13:
		return tiff_get32(t, e + 8);
	default:
		return 0;
	}
}

/* Copy an ASCII (or UNDEFINED) entry as text into dst. */
static void
tiff_text(struct tiff *t, const uint8_t *e, char *dst, size_t size)
{
	uint8_t	 buf[128];
	size_t	 got;
	uint16_t type = tiff_get16(t, e + 2);

	if (dst[0] != '\0' || (type != 2 && type != 7))
		return;
	if (tiff_value(t, e, buf, sizeof buf, &got) == 0)
		meta_set_text(dst, size, buf, got);
}

/*
 * The date of IFD0's XMP packet (tag 700), read up to TIFF_MAXXMP bytes:
 * where Exif has no capture date, before its DateTime. 0 if taken, else -1.
 */
static int
tiff_xmp(struct tiff *t, struct meta *m)
{
	uint8_t		*x;
	uint32_t	 len = t->xmp_len;

	if (len == 0 || t->xmp_off > t->size || len > t->size - t->xmp_off)
		return -1;
	if (len > TIFF_MAXXMP)
		len = TIFF_MAXXMP;
	x = xmalloc(len);
	if (src_read(t->s, t->base + t->xmp_off, x, len) == 0)
		meta_xmp_date(x, len, m);
	free(x);
	return m->taken.has_wall || m->taken.has_utc ? 0 : -1;
}

/*
 * m's capture time, unless it has one: the ExifIFD's DateTimeOriginal,
 * then its DateTimeDigitized; then those of an RW2's JpgFromRaw, whose
 * Exif is the camera's whole (ExifTool reads it as an embedded document,
 * the RW2's own tags first); then IFD0's XMP and DateTime, the JPEG's
 * DateTime last. The JPEG's make and model fill in what IFD0 lacks.
 */
static void
tiff_dates(struct tiff *t, struct meta *m)
{
	struct meta	*jm = NULL;
	int		 dated;

	dated = m->taken.has_wall || m->taken.has_utc ||
	    meta_take_date(m, t->dto, sizeof t->dto, t->oto, "exif") == 0 ||
	    meta_take_date(m, t->dtd, sizeof t->dtd, t->otd,
	    "exif-digitized") == 0;
	if (t->jfr_len != 0 && (!dated || m->make[0] == '\0' ||
	    m->model[0] == '\0') && t->jfr_off <= t->size &&
	    t->jfr_len <= t->size - t->jfr_off) {
		jm = xcalloc(1, sizeof *jm);
		meta_jpeg_exif(t->s, t->base + t->jfr_off, t->jfr_len, jm);
		if (m->make[0] == '\0')
			strlcpy_sb(m->make, jm->make, sizeof m->make);
		if (m->model[0] == '\0')
			strlcpy_sb(m->model, jm->model, sizeof m->model);
	}
	if (dated)
		goto out;
	if (jm != NULL && !meta_date_weak(jm)) {
		m->taken = jm->taken;
		strlcpy_sb(m->date_source, jm->date_source,
		    sizeof m->date_source);
	} else if (tiff_xmp(t, m) == -1 && meta_take_date(m, t->dt,
	    sizeof t->dt, NULL, "exif-datetime") == -1 && jm != NULL &&
	    (jm->taken.has_wall || jm->taken.has_utc)) {
		m->taken = jm->taken;
		strlcpy_sb(m->date_source, jm->date_source,
		    sizeof m->date_source);
	}
out:
	free(jm);
}

/* True (and remembered) the first time IFD offset off is seen. */
static int
tiff_first_visit(struct tiff *t, uint32_t off)
{
	int	i;

	for (i = 0; i < t->nseen; i++)
		if (t->seen[i] == off)
			return 0;
	if (t->nseen == TIFF_MAX_IFDS)
		return 0;
	t->seen[t->nseen++] = off;
	return 1;
}

/* Note a Compression value that only a camera's RAW writer uses. */
static void
tiff_compression(struct tiff *t, uint32_t c)
{
	switch (c) {
	case 262:	/* Kodak */
	case 32767:	/* Sony ARW */
	case 32769:	/* Packed RAW (Samsung, Epson) */
	case 32770:	/* Samsung SRW */
	case 32772:	/* Samsung SRW 2 */
	case 32867:	/* Kodak KDC */
	case 34316:	/* Panasonic RAW */
	case 34713:	/* Nikon NEF */
	case 65000:	/* Kodak DCR */
	case 65535:	/* Pentax PEF */
		t->ti->tags_seen |= TIFF_SEEN_RAWCOMP;
		break;
	}
}

static int	tiff_ifd(struct tiff *, uint32_t, int, const char *,
		    uint32_t *);

/* Walk the SubIFDs listed by entry e (one level deep). */
static void
tiff_subifds(struct tiff *t, const uint8_t *e)
{
	uint8_t		 buf[4 * TIFF_MAX_SUBIFDS];
	size_t		 got, i;
	uint16_t	 type = tiff_get16(t, e + 2);

	if (type != 4 && type != 13)
		return;
	if (tiff_value(t, e, buf, sizeof buf, &got) == -1)
		return;
	for (i = 0; i + 4 <= got; i += 4)
		tiff_ifd(t, tiff_get32(t, buf + i), 1, "SubIFD", NULL);
}

/*
 * Read the IFD at off (relative to the TIFF header). depth 0 is the main
 * chain, where Make, Model and DateTime count; *next gets the next IFD's
 * offset. Returns 0, or -1 after reporting the corruption.
 */
static int
tiff_ifd(struct tiff *t, uint32_t off, int depth, const char *what,
    uint32_t *next)
{
	uint8_t		*ents, hdr[2], nb[4];
	const uint8_t	*e;
	uint32_t	 n, i, exif = 0, v;
	uint16_t	 tag;

	if (next != NULL)
		*next = 0;
	if (off == 0 && depth > 0)
		return 0;
	if (!tiff_first_visit(t, off)) {
		t->bad = 1;
		meta_set_error(t->m, "TIFF %s at offset %u loops back to an "
		    "IFD already read", what, off);
		return -1;
	}
	if (off > t->size || t->size - off < 2 ||
	    src_read(t->s, t->base + off, hdr, 2) == -1)
		return tiff_bad(t, what, off);
	n = tiff_get16(t, hdr);
	if (n > TIFF_MAX_ENTRIES) {
		t->bad = 1;
		meta_set_error(t->m, "TIFF %s at offset %u has %u entries",
		    what, off, n);
		return -1;
	}
	if ((uint64_t)n * 12 > t->size - off - 2) {
		t->bad = 1;
		meta_set_error(t->m, "TIFF %s at offset %u: %u entries run "
		    "past the end of the file (%llu bytes)", what, off, n,
		    (unsigned long long)t->s->size);
		return -1;
	}
	ents = xmalloc((size_t)n * 12 + 1);
	if (src_read(t->s, t->base + off + 2, ents, (size_t)n * 12) == -1) {
		free(ents);
		return tiff_bad(t, what, off);
	}
	for (i = 0; i < n; i++) {
		e = ents + (size_t)i * 12;
		tag = tiff_get16(t, e);
		switch (tag) {
		case TAG_MAKE:
			if (depth == 0)
				tiff_text(t, e, t->ti->make,
				    sizeof t->ti->make);
			break;
		case TAG_MODEL:
			if (depth == 0)
				tiff_text(t, e, t->ti->model,
				    sizeof t->ti->model);
			break;
		case TAG_DATETIME:
			if (depth == 0)
				tiff_text(t, e, t->dt, sizeof t->dt);
			break;
		case TAG_XMP:
			if (depth == 0 && t->xmp_len == 0 &&
			    (tiff_get16(t, e + 2) == 1 ||
			    tiff_get16(t, e + 2) == 7) &&
			    tiff_get32(t, e + 4) > 4) {
				t->xmp_off = tiff_get32(t, e + 8);
				t->xmp_len = tiff_get32(t, e + 4);
			}
			break;
		case TAG_JPGFROMRAW:
			if (off == t->ifd0 && depth == 0 &&
			    t->ti->magic == 0x55 && t->jfr_len == 0 &&
			    tiff_get16(t, e + 2) == 7 &&
			    tiff_get32(t, e + 4) > 4) {
				t->jfr_off = tiff_get32(t, e + 8);
				t->jfr_len = tiff_get32(t, e + 4);
			}
			break;
		case TAG_DATETIME_ORIGINAL:
			tiff_text(t, e, t->dto, sizeof t->dto);
			break;
		case TAG_DATETIME_DIGITIZED:
			tiff_text(t, e, t->dtd, sizeof t->dtd);
			break;
		case TAG_OFFSET_ORIGINAL:
			tiff_text(t, e, t->oto, sizeof t->oto);
			break;
		case TAG_OFFSET_DIGITIZED:
			tiff_text(t, e, t->otd, sizeof t->otd);
			break;
		case TAG_DNGVERSION:
			t->ti->dng = 1;
			break;
		case TAG_EXIFIFD:
			t->ti->tags_seen |= TIFF_SEEN_EXIF;
			if (exif == 0)
				exif = tiff_uint(t, e);
			break;
		case TAG_SUBIFDS:
			t->ti->tags_seen |= TIFF_SEEN_SUBIFDS;
			break;
		case TAG_COMPRESSION:
			tiff_compression(t, tiff_uint(t, e));
			break;
		case TAG_PHOTOMETRIC:
			v = tiff_uint(t, e);
			if (v == 32803 || v == 34892)
				t->ti->tags_seen |= TIFF_SEEN_CFA;
			break;
		case TAG_DNGPRIVATE:
		case TAG_LEAF:
		case TAG_KODAK_KDC:
			t->ti->tags_seen |= TIFF_SEEN_PRIVATE;
			break;
		}
	}
	/* Follow pointers after the whole IFD is read. */
	if (depth == 0)
		for (i = 0; i < n; i++)
			if (tiff_get16(t, ents + (size_t)i * 12) ==
			    TAG_SUBIFDS)
				tiff_subifds(t, ents + (size_t)i * 12);
	if (exif != 0)
		tiff_ifd(t, exif, 1, "ExifIFD", NULL);
	if (next != NULL && t->size - off - 2 - (uint64_t)n * 12 >= 4 &&
	    src_read(t->s, t->base + off + 2 + (uint64_t)n * 12, nb, 4) == 0)
		*next = tiff_get32(t, nb);
	free(ents);
	return 0;
}

/*
 * Read the TIFF whose header is at offset base of s: make, model and
 * capture time into m (what m already holds is kept), and what names its
 * RAW type into ti (may be NULL). Returns 0 once the header and IFD0 were
 * read (date or not), -1 with m->error describing the corruption.
 */
int
meta_tiff(const struct sb_src *s, uint64_t base, struct meta *m,
    struct tiff_info *ti)
{
	struct tiff		*t;
	struct tiff_info	 scratch;
	uint8_t			 hdr[10];
	uint32_t		 off, next;
	int			 i, rc = 0;

	if (ti == NULL)
		ti = &scratch;
	memset(ti, 0, sizeof *ti);
	if (base > s->size || s->size - base < 8 ||
	    src_read(s, base, hdr, 8) == -1) {
		meta_set_error(m, "TIFF header truncated (%llu bytes)",
		    (unsigned long long)s->size);
		return -1;
	}
	t = xcalloc(1, sizeof *t);
	t->s = s;
	t->base = base;
	t->size = s->size - base;
	t->m = m;
	t->ti = ti;
	if (hdr[0] == 'I' && hdr[1] == 'I')
		t->be = 0;
	else if (hdr[0] == 'M' && hdr[1] == 'M')
		t->be = 1;
	else {
		meta_set_error(m, "not a TIFF header");
		rc = -1;
		goto out;
	}
	ti->magic = tiff_get16(t, hdr + 2);
	if (ti->magic == 43 && base == 0) {
		/*
		 * BigTIFF (64-bit offsets): a valid file, but no camera
		 * writes one; its dates are not read and it is filed by
		 * its mtime, as ExifTool's sample BigTIFF has no date.
		 */
		ti->ok = 1;
		goto out;
	}
	if (ti->magic != 42 && ti->magic != 0x55 && ti->magic != 0x4f52 &&
	    ti->magic != 0x5352) {
		meta_set_error(m, "TIFF magic %u%s is not one shoebox reads",
		    ti->magic, ti->magic == 43 ? " (BigTIFF)" : "");
		rc = -1;
		goto out;
	}
	if (t->size >= 10 && src_read(s, base + 8, hdr + 8, 2) == 0 &&
	    hdr[8] == 'C' && hdr[9] == 'R')
		ti->cr2 = 1;
	off = tiff_get32(t, hdr + 4);
	if (off < 8 && ti->magic == 42) {
		meta_set_error(m, "TIFF IFD0 offset %u is inside the header",
		    off);
		rc = -1;
		goto out;
	}
	t->ifd0 = off;
	if (tiff_ifd(t, off, 0, "IFD0", &next) == -1) {
		rc = -1;
		goto out;
	}
	ti->ok = 1;
	for (i = 1; i < TIFF_MAX_CHAIN && next != 0; i++) {
		off = next;
		if (tiff_ifd(t, off, 0, i == 1 ? "IFD1" : "IFD", &next) == -1)
			break;
	}
	if (t->dto[0] || t->dtd[0] || t->dt[0])
		ti->tags_seen |= TIFF_SEEN_DATE;
	if (m->make[0] == '\0')
		strlcpy_sb(m->make, ti->make, sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, ti->model, sizeof m->model);
	tiff_dates(t, m);
out:
	free(t);
	return rc;
}
