/*
 * meta-bmff.c: ISO base media files and QuickTime (MP4, MOV, 3GP, M4V,
 * HEIC/HEIF, AVIF, CR3, JPEG XL's container). Walks box headers only,
 * skipping mdat and other payloads by their sizes, and reads the few small
 * boxes that carry dates: moov/mvhd and mdhd (seconds since 1904, UTC, or
 * since 1970 as some writers count: bmff_unix), QuickTime keys/ilst
 * (com.apple.quicktime.creationdate with its offset), udta atoms (date,
 * ©day, ©mak, ©mod), a HEIF 'Exif' item (or an XMP 'mime' item) found
 * through iinf/iloc, Canon's CMT1/CMT2 TIFF blocks in CR3, and JPEG XL's
 * Exif box.
 *
 * Priority of dates: QuickTime keys creationdate, then Exif, then udta's
 * date (ExifTool's DateTimeOriginal), then ©day, then mvhd, then the first
 * mdhd.
 *
 * Longer than our ~800 lines on purpose: one bounded walker over one
 * container family, its box handlers beside the walk that calls them, as
 * for meta-tiff.c. Split by family of boxes it would scatter the bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define BMFF_MAXDEPTH	16		/* nesting of boxes */
#define BMFF_MAXBOXES	20000		/* boxes visited below the top */
#define BMFF_MAXTOP	10000		/* top-level boxes walked */
#define BMFF_MAXMOOV	(4 * 1024 * 1024) /* moov read into memory */
#define BMFF_MAXBLOB	(1024 * 1024)	/* Exif, CMT, iloc, iinf */
#define BMFF_MAXKEYS	512		/* keys entries remembered */
#define BMFF_MAXITEMS	4096		/* ilst, iinf and iloc entries */
#define BMFF_EPOCH	2082844800LL	/* 1904-01-01 to 1970-01-01 */

#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
	(uint32_t)(c) << 8 | (uint32_t)(d))
#define T_MOOV	FOURCC('m', 'o', 'o', 'v')
#define T_TRAK	FOURCC('t', 'r', 'a', 'k')
#define T_MDIA	FOURCC('m', 'd', 'i', 'a')
#define T_UDTA	FOURCC('u', 'd', 't', 'a')
#define T_META	FOURCC('m', 'e', 't', 'a')
#define T_MVHD	FOURCC('m', 'v', 'h', 'd')
#define T_MDHD	FOURCC('m', 'd', 'h', 'd')
#define T_KEYS	FOURCC('k', 'e', 'y', 's')
#define T_ILST	FOURCC('i', 'l', 's', 't')
#define T_DATA	FOURCC('d', 'a', 't', 'a')
#define T_IINF	FOURCC('i', 'i', 'n', 'f')
#define T_INFE	FOURCC('i', 'n', 'f', 'e')
#define T_ILOC	FOURCC('i', 'l', 'o', 'c')
#define T_IDAT	FOURCC('i', 'd', 'a', 't')
#define T_EXIF	FOURCC('E', 'x', 'i', 'f')
#define T_MIME	FOURCC('m', 'i', 'm', 'e')
#define T_UUID	FOURCC('u', 'u', 'i', 'd')
#define T_CMT1	FOURCC('C', 'M', 'T', '1')
#define T_CMT2	FOURCC('C', 'M', 'T', '2')
#define T_DATE	FOURCC('d', 'a', 't', 'e')
#define T_DAY	FOURCC(0xa9, 'd', 'a', 'y')
#define T_MAK	FOURCC(0xa9, 'm', 'a', 'k')
#define T_MOD	FOURCC(0xa9, 'm', 'o', 'd')
#define T_CANON	FOURCC('c', 'a', 'n', 'o')	/* our name for Canon's uuid */

/* What a keys entry or ilst item names. */
enum bmff_key {
	KEY_NONE = 0,
	KEY_DATE,	/* com.apple.quicktime.creationdate */
	KEY_MAKE,
	KEY_MODEL,
	KEY_DAY,	/* ©day in an iTunes-style ilst */
	KEY_UDTA_DATE	/* udta's 'date' */
};

struct bmff_box {
	uint64_t	 off;		/* of the header, in its source */
	uint64_t	 size;		/* header included */
	uint64_t	 hlen;		/* 8 or 16 */
	uint32_t	 type;
};

/* Where the interesting children of one meta box are. */
struct bmff_meta {
	int		 has_keys, has_ilst, has_iinf, has_iloc, has_idat;
	struct bmff_box	 keys, ilst, iinf, iloc, idat;
};

struct bmff {
	const struct sb_src *file;
	struct meta	*m;
	const char	*label;		/* "MP4", "QuickTime", "HEIF" ... */
	uint64_t	 base;		/* file offset of a buffered source */
	int		 nboxes;
	struct bmff_meta *cur;		/* meta box being walked */

	int		 have_keydate, have_day, have_mvhd, have_mdhd;
	int		 have_udate;
	struct sb_time	 keydate, day, udate;
	int64_t		 mvhd, mdhd;	/* seconds since 1904 */
	char		 make[64], model[64];	/* QuickTime's own */
	struct meta	 ex;		/* what Exif blocks said */
	int		 has_cmt1, has_cmt2;
	struct bmff_box	 cmt1, cmt2;
};

static const uint8_t canon_uuid[16] = {
	0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0,
	0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48
};

static int	bmff_walk(struct bmff *, const struct sb_src *, uint64_t,
		    uint64_t, const struct bmff_box *, int);

/* A box type as text for messages: 'moov', '(c)day', or 0x00000001. */
static const char *
bmff_name(uint32_t type, char *buf, size_t size)
{
	char		 txt[16];	/* four "(c)" and a NUL */
	size_t		 n = 0;
	unsigned char	 c;
	int		 i;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)(type >> (24 - 8 * i));
		if (c == 0xa9) {
			memcpy(txt + n, "(c)", 3);
			n += 3;
		} else if (c >= 0x20 && c <= 0x7e)
			txt[n++] = (char)c;
		else {
			snprintf(buf, size, "0x%08x", type);
			return buf;
		}
	}
	txt[n] = '\0';
	snprintf(buf, size, "'%s'", txt);
	return buf;
}

/*
 * Read the header of the box at off, which must end by end. Returns 0 with
 * bx filled, 1 when fewer than 8 bytes are left (a clean end), -1 with the
 * error set when the header is impossible.
 */
static int
bmff_box(struct bmff *b, const struct sb_src *s, uint64_t off, uint64_t end,
    const struct bmff_box *parent, struct bmff_box *bx)
{
	uint8_t	h[16];
	char	n1[20], n2[20];

	if (off >= end || end - off < 8)
		return 1;
	if (src_read(s, off, h, 8) == -1) {
		meta_set_error(b->m, "%s: read error at byte %llu", b->label,
		    (unsigned long long)(b->base + off));
		return -1;
	}
	bx->off = off;
	bx->size = get32be(h);
	bx->type = get32be(h + 4);
	bx->hlen = 8;
	if (bx->size == 1) {
		if (end - off < 16 || src_read(s, off + 8, h + 8, 8) == -1) {
			meta_set_error(b->m, "%s box %s at byte %llu: "
			    "truncated 64-bit size", b->label,
			    bmff_name(bx->type, n1, sizeof n1),
			    (unsigned long long)(b->base + off));
			return -1;
		}
		bx->size = get64be(h + 8);
		bx->hlen = 16;
	} else if (bx->size == 0)
		bx->size = end - off;	/* runs to the end of its parent */
	if (bx->size < bx->hlen) {
		meta_set_error(b->m, "%s box %s at byte %llu claims %llu "
		    "bytes, less than its header", b->label,
		    bmff_name(bx->type, n1, sizeof n1),
		    (unsigned long long)(b->base + off),
		    (unsigned long long)bx->size);
		return -1;
	}
	if (bx->size > end - off) {
		if (parent == NULL)
			meta_set_error(b->m, "%s box %s at byte %llu claims "
			    "%llu bytes, past the end of the file (%llu "
			    "bytes)", b->label,
			    bmff_name(bx->type, n1, sizeof n1),
			    (unsigned long long)(b->base + off),
			    (unsigned long long)bx->size,
			    (unsigned long long)b->file->size);
		else
			meta_set_error(b->m, "%s box %s at byte %llu claims "
			    "%llu bytes, past the end of its parent %s "
			    "(%llu bytes)", b->label,
			    bmff_name(bx->type, n1, sizeof n1),
			    (unsigned long long)(b->base + off),
			    (unsigned long long)bx->size,
			    bmff_name(parent->type, n2, sizeof n2),
			    (unsigned long long)parent->size);
		return -1;
	}
	return 0;
}

/* The payload of bx in a new buffer (caller frees), or NULL if too big. */
static uint8_t *
bmff_load(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    size_t *len)
{
	uint8_t	*p;
	uint64_t n = bx->size - bx->hlen;

	if (n > BMFF_MAXBLOB)
		return NULL;
	p = xmalloc(n > 0 ? (size_t)n : 1);
	if (src_read(s, bx->off + bx->hlen, p, (size_t)n) == -1) {
		meta_set_error(b->m, "%s: read error at byte %llu", b->label,
		    (unsigned long long)(b->base + bx->off));
		free(p);
		return NULL;
	}
	*len = (size_t)n;
	return p;
}

/* Read up to size bytes of bx's payload into buf; the count read. */
static size_t
bmff_peek(const struct sb_src *s, const struct bmff_box *bx, uint8_t *buf,
    size_t size)
{
	uint64_t n = bx->size - bx->hlen;

	if (n > size)
		n = size;
	if (src_read(s, bx->off + bx->hlen, buf, (size_t)n) == -1)
		return 0;
	return (size_t)n;
}

/* mvhd or mdhd: the creation time, seconds since 1904; -1 if unreadable. */
static int
bmff_header_time(const struct sb_src *s, const struct bmff_box *bx,
    int64_t *t)
{
	uint8_t	p[12];
	size_t	n = bmff_peek(s, bx, p, sizeof p);

	if (n >= 12 && p[0] == 1) {
		*t = (int64_t)(get64be(p + 4) & 0x7fffffffffffffffULL);
		return 0;
	}
	if (n >= 8 && p[0] == 0) {
		*t = get32be(p + 4);
		return 0;
	}
	return -1;
}

/*
 * A QuickTime time, seconds since 1904, as seconds since 1970. Some
 * writers count from 1970 instead: as ExifTool does, a time before 1970
 * in 1904's count is taken for one of theirs.
 */
static int64_t
bmff_unix(int64_t t)
{
	return t < BMFF_EPOCH ? t : t - BMFF_EPOCH;
}

/* Which date, make or model a key or item name means. */
static enum bmff_key
bmff_key_kind(const uint8_t *k, size_t n)
{
	static const struct {
		const char	*name;
		enum bmff_key	 kind;
	} keys[] = {
		{ "com.apple.quicktime.creationdate", KEY_DATE },
		{ "com.apple.quicktime.make", KEY_MAKE },
		{ "com.apple.quicktime.model", KEY_MODEL },
	};
	size_t	i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == n &&
		    memcmp(keys[i].name, k, n) == 0)
			return keys[i].kind;
	return KEY_NONE;
}

/* The first date a kind of value gives (ISO 8601 text) into *t. */
static void
bmff_take_date(struct sb_time *t, int *have, const uint8_t *v, size_t n)
{
	struct sb_time	got;

	if (!*have && date_parse_iso((const char *)v, n, &got) == 0) {
		*t = got;
		*have = 1;
	}
}

/* Take one text value for kind. */
static void
bmff_value(struct bmff *b, enum bmff_key kind, const uint8_t *v, size_t n)
{
	switch (kind) {
	case KEY_DATE:
		bmff_take_date(&b->keydate, &b->have_keydate, v, n);
		break;
	case KEY_DAY:
		bmff_take_date(&b->day, &b->have_day, v, n);
		break;
	case KEY_UDTA_DATE:
		bmff_take_date(&b->udate, &b->have_udate, v, n);
		break;
	case KEY_MAKE:
		if (b->make[0] == '\0')
			meta_set_text(b->make, sizeof b->make, v, n);
		break;
	case KEY_MODEL:
		if (b->model[0] == '\0')
			meta_set_text(b->model, sizeof b->model, v, n);
		break;
	case KEY_NONE:
		break;
	}
}

/*
 * A text atom: either an iTunes 'data' box (type, locale, value) or a
 * QuickTime string (16-bit length, 16-bit language, text).
 */
static void
bmff_text_atom(struct bmff *b, const struct sb_src *s,
    const struct bmff_box *bx, enum bmff_key kind)
{
	uint8_t	p[160];
	size_t	n = bmff_peek(s, bx, p, sizeof p), len;

	if (n >= 16 && get32be(p + 4) == T_DATA) {
		len = get32be(p);
		if (len < 16)
			return;
		len -= 16;
		if (len > n - 16)
			len = n - 16;
		bmff_value(b, kind, p + 16, len);
	} else if (n >= 4) {
		len = get16be(p);
		if (len > n - 4)
			len = n - 4;
		bmff_value(b, kind, p + 4, len);
	}
}

/*
 * udta's 'date' atom, ExifTool's DateTimeOriginal: ISO 8601 with the zone
 * ("2020-01-01T08:59:58+0900"), stored bare; one written as a QuickTime
 * string or an iTunes 'data' box is read as the other text atoms are.
 */
static void
bmff_date_atom(struct bmff *b, const struct sb_src *s,
    const struct bmff_box *bx)
{
	uint8_t	p[64];
	size_t	n = bmff_peek(s, bx, p, sizeof p);

	if (n >= 10 && p[0] >= '0' && p[0] <= '9')
		bmff_value(b, KEY_UDTA_DATE, p, n);
	else
		bmff_text_atom(b, s, bx, KEY_UDTA_DATE);
}

/*
 * keys: remember what each 1-based key index names in kinds. Returns how
 * many entries were read.
 */
static size_t
bmff_keys(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    uint8_t *kinds)
{
	uint8_t	*p;
	size_t	 len, pos, n = 0;
	uint32_t count, ksize;

	if ((p = bmff_load(b, s, bx, &len)) == NULL || len < 8) {
		free(p);
		return 0;
	}
	count = get32be(p + 4);
	pos = 8;
	while (n < count && n < BMFF_MAXKEYS && len - pos >= 8) {
		ksize = get32be(p + pos);
		if (ksize < 8 || ksize > len - pos)
			break;
		kinds[++n] = (uint8_t)bmff_key_kind(p + pos + 8, ksize - 8);
		pos += ksize;
	}
	free(p);
	return n;
}

/*
 * ilst: each item is a box named by a key index (after keys) or a four-cc
 * (iTunes style), holding a 'data' box with the value.
 */
static int
bmff_ilst(struct bmff *b, const struct sb_src *s, const struct bmff_box *il,
    const uint8_t *kinds, size_t nkeys, int bykey)
{
	struct bmff_box	 it;
	uint64_t	 off = il->off + il->hlen, end = il->off + il->size;
	enum bmff_key	 kind;
	int		 rc, items = 0;

	while ((rc = bmff_box(b, s, off, end, il, &it)) == 0 &&
	    items++ < BMFF_MAXITEMS) {
		off = it.off + it.size;
		if (bykey)
			kind = it.type >= 1 && it.type <= nkeys ?
			    (enum bmff_key)kinds[it.type] : KEY_NONE;
		else if (it.type == T_DAY)
			kind = KEY_DAY;
		else if (it.type == T_MAK)
			kind = KEY_MAKE;
		else if (it.type == T_MOD)
			kind = KEY_MODEL;
		else
			kind = KEY_NONE;
		if (kind != KEY_NONE)
			bmff_text_atom(b, s, &it, kind);
	}
	return rc == -1 ? -1 : 0;
}

/*
 * iinf: the item ID of the first item of type 'Exif' (0 if none), and in
 * *xmp that of the first 'mime' item holding XMP (application/rdf+xml).
 */
static uint32_t
bmff_iinf(struct bmff *b, const struct sb_src *s, const struct bmff_box *ii,
    uint32_t *xmp)
{
	static const char rdf[] = "application/rdf+xml";
	struct bmff_box	 e;
	uint8_t		 p[128];
	const uint8_t	*z;
	uint64_t	 off, end = ii->off + ii->size;
	uint32_t	 id, type, exif = 0;
	size_t		 n, at;
	int		 items = 0;

	*xmp = 0;
	n = bmff_peek(s, ii, p, 6);
	if (n < 6)
		return 0;
	off = ii->off + ii->hlen + (p[0] == 0 ? 6 : 8);
	while (bmff_box(b, s, off, end, ii, &e) == 0 &&
	    items++ < BMFF_MAXITEMS && (exif == 0 || *xmp == 0)) {
		off = e.off + e.size;
		if (e.type != T_INFE)
			continue;
		n = bmff_peek(s, &e, p, sizeof p);
		if (n >= 12 && p[0] == 2) {
			id = get16be(p + 4);
			type = get32be(p + 8);
			at = 12;
		} else if (n >= 14 && p[0] == 3) {
			id = get32be(p + 4);
			type = get32be(p + 10);
			at = 14;
		} else
			continue;
		if (type == T_EXIF && exif == 0)
			exif = id;
		else if (type == T_MIME && *xmp == 0 &&
		    (z = memchr(p + at, '\0', n - at)) != NULL &&
		    (size_t)(p + n - (z + 1)) >= sizeof rdf - 1 &&
		    memcmp(z + 1, rdf, sizeof rdf - 1) == 0)
			*xmp = id;	/* item_name\0 then content_type */
	}
	return exif;
}

/* A bounded big-endian reader over a buffer. */
struct bmff_cur {
	const uint8_t	*p;
	size_t		 len, pos;
	int		 bad;
};

/* The next n-byte (0, 1, 2, 4 or 8) number; 0 and bad set past the end. */
static uint64_t
bmff_get(struct bmff_cur *c, unsigned n)
{
	uint64_t	v = 0;
	unsigned	i;

	if (n == 0)
		return 0;
	if (c->bad || n > 8 || c->len - c->pos < n) {
		c->bad = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = v << 8 | c->p[c->pos + i];
	c->pos += n;
	return v;
}

/* True for the field sizes iloc allows: 0, 4 or 8 bytes. */
static int
bmff_size_ok(unsigned n)
{
	return n == 0 || n == 4 || n == 8;
}

/*
 * iloc: read item id's extents (construction method 0: file offsets; 1:
 * offsets into idat) into a new buffer (caller frees); NULL if absent.
 */
static uint8_t *
bmff_iloc(struct bmff *b, const struct sb_src *s, const struct bmff_meta *bm,
    uint32_t id, size_t *outlen)
{
	struct bmff_cur	 c;
	uint8_t		*p, *out = NULL;
	size_t		 len, got = 0;
	uint64_t	 base, eoff, elen, start, limit;
	unsigned	 ver, osz, lsz, bsz, isz, method;
	uint32_t	 count, i, item, ext, j;

	if ((p = bmff_load(b, s, &bm->iloc, &len)) == NULL)
		return NULL;
	memset(&c, 0, sizeof c);
	c.p = p;
	c.len = len;
	ver = (unsigned)bmff_get(&c, 1);
	bmff_get(&c, 3);			/* flags */
	osz = (unsigned)bmff_get(&c, 1);	/* offset and length sizes */
	lsz = osz & 0xf;
	osz >>= 4;
	bsz = (unsigned)bmff_get(&c, 1);	/* base offset and index sizes */
	isz = ver == 1 || ver == 2 ? bsz & 0xf : 0;
	bsz >>= 4;
	count = (uint32_t)bmff_get(&c, ver < 2 ? 2 : 4);
	if (ver > 2 || !bmff_size_ok(osz) || !bmff_size_ok(lsz) ||
	    !bmff_size_ok(bsz) || !bmff_size_ok(isz))
		goto done;
	for (i = 0; i < count && i < BMFF_MAXITEMS && !c.bad; i++) {
		item = (uint32_t)bmff_get(&c, ver < 2 ? 2 : 4);
		method = ver == 0 ? 0 : (unsigned)(bmff_get(&c, 2) & 0xf);
		bmff_get(&c, 2);	/* data_reference_index */
		base = bmff_get(&c, bsz);
		ext = (uint32_t)bmff_get(&c, 2);
		if (item != id) {
			for (j = 0; j < ext && !c.bad; j++) {
				bmff_get(&c, isz);
				bmff_get(&c, osz);
				bmff_get(&c, lsz);
			}
			continue;
		}
		if (method == 0) {
			start = 0;
			limit = s->size;
		} else if (method == 1 && bm->has_idat) {
			start = bm->idat.off + bm->idat.hlen;
			limit = bm->idat.size - bm->idat.hlen;
		} else
			break;
		for (j = 0; j < ext && !c.bad; j++) {
			bmff_get(&c, isz);
			eoff = bmff_get(&c, osz);
			elen = bmff_get(&c, lsz);
			if (c.bad || elen == 0 || base > limit ||
			    eoff > limit - base ||
			    elen > limit - base - eoff ||
			    elen > BMFF_MAXBLOB - got)
				break;
			out = xreallocarray(out, got + (size_t)elen, 1);
			if (src_read(s, start + base + eoff, out + got,
			    (size_t)elen) == -1)
				break;
			got += (size_t)elen;
		}
		break;
	}
done:
	free(p);
	if (got == 0) {
		free(out);
		return NULL;
	}
	*outlen = got;
	return out;
}

/*
 * An Exif item or box: a 4-byte offset to the TIFF header, then the Exif
 * block. Read into b->ex.
 */
static void
bmff_exif_item(struct bmff *b, const uint8_t *p, size_t len)
{
	uint32_t	skip;

	if (len < 4)
		return;
	skip = get32be(p);
	if (skip > len - 4)
		return;
	if (meta_exif_blob(p + 4 + skip, len - 4 - skip, &b->ex) == -1)
		meta_set_error(b->m, "%s: unreadable Exif item", b->label);
}

/* After a meta box's children: read its keys/ilst and Exif item. */
static int
bmff_meta_done(struct bmff *b, const struct sb_src *s,
    const struct bmff_meta *bm)
{
	uint8_t		 kinds[BMFF_MAXKEYS + 1], *p;
	size_t		 nkeys = 0, len;
	uint32_t	 id = 0, xmp = 0;

	if (bm->has_keys)
		nkeys = bmff_keys(b, s, &bm->keys, kinds);
	if (bm->has_ilst &&
	    bmff_ilst(b, s, &bm->ilst, kinds, nkeys, bm->has_keys) == -1)
		return -1;
	if (s == b->file && bm->has_iinf && bm->has_iloc)
		id = bmff_iinf(b, s, &bm->iinf, &xmp);
	if (id != 0 && (p = bmff_iloc(b, s, bm, id, &len)) != NULL) {
		bmff_exif_item(b, p, len);
		free(p);
	}
	/* XMP only where the Exif item gave no capture date. */
	if (xmp != 0 && meta_date_weak(&b->ex) &&
	    (p = bmff_iloc(b, s, bm, xmp, &len)) != NULL) {
		meta_xmp_date(p, len, &b->ex);
		free(p);
	}
	return 0;
}

/* A meta box (full box in ISO files, plain in QuickTime's); 0 or -1. */
static int
bmff_meta(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    int depth)
{
	struct bmff_meta	 bm, *saved = b->cur;
	uint8_t			 p[4];
	uint64_t		 off = bx->off + bx->hlen;
	int			 rc;

	/* ISO's version and flags are zero; QuickTime's first child is not. */
	if (bmff_peek(s, bx, p, 4) == 4 && get32be(p) == 0)
		off += 4;
	memset(&bm, 0, sizeof bm);
	b->cur = &bm;
	rc = bmff_walk(b, s, off, bx->off + bx->size, bx, depth + 1);
	b->cur = saved;
	if (rc == 0)
		rc = bmff_meta_done(b, s, &bm);
	return rc;
}

/* Canon's CR3 uuid box: CMT2 (Exif IFD) first for the date, then CMT1. */
static int
bmff_canon(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    int depth)
{
	struct bmff_box	 c = *bx;
	uint8_t		*p;
	size_t		 len;

	if (bx->size - bx->hlen < 16)
		return 0;
	c.type = T_CANON;
	if (bmff_walk(b, s, bx->off + bx->hlen + 16, bx->off + bx->size, &c,
	    depth + 1) == -1)
		return -1;
	if (b->has_cmt2 && (p = bmff_load(b, s, &b->cmt2, &len)) != NULL) {
		if (meta_exif_blob(p, len, &b->ex) == -1)
			meta_set_error(b->m, "CR3: unreadable CMT2");
		free(p);
	}
	if (b->has_cmt1 && (p = bmff_load(b, s, &b->cmt1, &len)) != NULL) {
		if (meta_exif_blob(p, len, &b->ex) == -1)
			meta_set_error(b->m, "CR3: unreadable CMT1");
		free(p);
	}
	return 0;
}

/* moov: walked from memory when small enough, else from the file. */
static int
bmff_moov(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    int depth)
{
	struct sb_src	 ms;
	struct bmff_box	 mb = *bx;
	uint8_t		*p;
	int		 rc;

	if (s != b->file || bx->off + bx->size <= s->headlen ||
	    bx->size > BMFF_MAXMOOV)
		return bmff_walk(b, s, bx->off + bx->hlen, bx->off + bx->size,
		    bx, depth + 1);
	p = xmalloc((size_t)bx->size);
	if (src_read(s, bx->off, p, (size_t)bx->size) == -1) {
		free(p);
		meta_set_error(b->m, "%s: read error at byte %llu", b->label,
		    (unsigned long long)bx->off);
		return -1;
	}
	src_mem(&ms, p, (size_t)bx->size);
	ms.path = s->path;
	b->base = bx->off;
	mb.off = 0;
	rc = bmff_walk(b, &ms, bx->hlen, bx->size, &mb, depth + 1);
	b->base = 0;
	free(p);
	return rc;
}

/*
 * Act on one box found inside parent (NULL at the top). Longer than our
 * ~80 lines on purpose: one switch over the box types we read, each case a
 * few lines, so the whole map of what is read where stays in one place.
 */
static int
bmff_visit(struct bmff *b, const struct sb_src *s, const struct bmff_box *bx,
    const struct bmff_box *parent, int depth)
{
	uint32_t	 pt = parent != NULL ? parent->type : 0;
	uint8_t		 uuid[16], *p;
	size_t		 len;
	int64_t		 t;

	switch (bx->type) {
	case T_MOOV:
		if (pt == 0)
			return bmff_moov(b, s, bx, depth);
		break;
	case T_TRAK:
	case T_UDTA:
		if (pt == T_MOOV || pt == T_TRAK)
			return bmff_walk(b, s, bx->off + bx->hlen,
			    bx->off + bx->size, bx, depth + 1);
		break;
	case T_MDIA:
		if (pt == T_TRAK)
			return bmff_walk(b, s, bx->off + bx->hlen,
			    bx->off + bx->size, bx, depth + 1);
		break;
	case T_META:
		if (pt == 0 || pt == T_MOOV || pt == T_UDTA || pt == T_TRAK)
			return bmff_meta(b, s, bx, depth);
		break;
	case T_MVHD:
		if (pt == T_MOOV && !b->have_mvhd &&
		    bmff_header_time(s, bx, &t) == 0) {
			b->mvhd = t;
			b->have_mvhd = 1;
		}
		break;
	case T_MDHD:
		if (pt == T_MDIA && !b->have_mdhd &&
		    bmff_header_time(s, bx, &t) == 0 && t != 0) {
			b->mdhd = t;
			b->have_mdhd = 1;
		}
		break;
	case T_DAY:
		if (pt == T_UDTA)
			bmff_text_atom(b, s, bx, KEY_DAY);
		break;
	case T_DATE:
		if (pt == T_UDTA)
			bmff_date_atom(b, s, bx);
		break;
	case T_MAK:
		if (pt == T_UDTA)
			bmff_text_atom(b, s, bx, KEY_MAKE);
		break;
	case T_MOD:
		if (pt == T_UDTA)
			bmff_text_atom(b, s, bx, KEY_MODEL);
		break;
	case T_UUID:
		if (pt == T_MOOV && bmff_peek(s, bx, uuid, 16) == 16 &&
		    memcmp(uuid, canon_uuid, 16) == 0)
			return bmff_canon(b, s, bx, depth);
		break;
	case T_CMT1:
	case T_CMT2:
		if (pt == T_CANON) {
			if (bx->type == T_CMT1) {
				b->cmt1 = *bx;
				b->has_cmt1 = 1;
			} else {
				b->cmt2 = *bx;
				b->has_cmt2 = 1;
			}
		}
		break;
	case T_EXIF:	/* JPEG XL */
		if (pt == 0 && (p = bmff_load(b, s, bx, &len)) != NULL) {
			bmff_exif_item(b, p, len);
			free(p);
		}
		break;
	case T_KEYS:
	case T_ILST:
	case T_IINF:
	case T_ILOC:
	case T_IDAT:
		if (pt != T_META || b->cur == NULL)
			break;
		if (bx->type == T_KEYS && !b->cur->has_keys) {
			b->cur->keys = *bx;
			b->cur->has_keys = 1;
		} else if (bx->type == T_ILST && !b->cur->has_ilst) {
			b->cur->ilst = *bx;
			b->cur->has_ilst = 1;
		} else if (bx->type == T_IINF && !b->cur->has_iinf) {
			b->cur->iinf = *bx;
			b->cur->has_iinf = 1;
		} else if (bx->type == T_ILOC && !b->cur->has_iloc) {
			b->cur->iloc = *bx;
			b->cur->has_iloc = 1;
		} else if (bx->type == T_IDAT && !b->cur->has_idat) {
			b->cur->idat = *bx;
			b->cur->has_idat = 1;
		}
		break;
	}
	return 0;
}

/*
 * Walk the boxes in [off, end) of s, children of parent (NULL at the top).
 * Returns 0, or -1 with the error set.
 */
static int
bmff_walk(struct bmff *b, const struct sb_src *s, uint64_t off, uint64_t end,
    const struct bmff_box *parent, int depth)
{
	struct bmff_box	bx;
	int		rc, top = 0;

	if (depth > BMFF_MAXDEPTH) {
		meta_set_error(b->m, "%s boxes nested deeper than %d levels "
		    "at byte %llu", b->label, BMFF_MAXDEPTH,
		    (unsigned long long)(b->base + off));
		return -1;
	}
	while ((rc = bmff_box(b, s, off, end, parent, &bx)) == 0) {
		if (parent == NULL) {
			if (++top > BMFF_MAXTOP)
				return 0;	/* enough: a fragmented file */
		} else if (++b->nboxes > BMFF_MAXBOXES) {
			meta_set_error(b->m, "%s: more than %d boxes",
			    b->label, BMFF_MAXBOXES);
			return -1;
		}
		if (bmff_visit(b, s, &bx, parent, depth) == -1)
			return -1;
		off = bx.off + bx.size;
	}
	return rc == -1 ? -1 : 0;
}

/* The family name used in messages, from the mime type. */
static const char *
bmff_label(const struct meta *m)
{
	if (strcmp(m->mime, "video/quicktime") == 0)
		return "QuickTime";
	if (strncmp(m->mime, "image/hei", 9) == 0)
		return "HEIF";
	if (strcmp(m->mime, "image/avif") == 0)
		return "AVIF";
	if (strcmp(m->mime, "image/x-canon-cr3") == 0)
		return "CR3";
	if (strcmp(m->mime, "image/jxl") == 0)
		return "JPEG XL";
	return "MP4";
}

/* Every date the boxes gave, taken or not, for probe -v. */
static void
bmff_candidates(struct bmff *b, struct meta *m)
{
	struct sb_time	t;

	if (b->have_keydate)
		meta_candidate(m, "quicktime-keys", &b->keydate);
	meta_candidate(m, b->ex.date_source, &b->ex.taken);
	if (b->have_udate)
		meta_candidate(m, "quicktime-date", &b->udate);
	if (b->have_day)
		meta_candidate(m, "quicktime-day", &b->day);
	memset(&t, 0, sizeof t);
	if (b->have_mvhd && date_set_utc(&t, bmff_unix(b->mvhd)) == 0)
		meta_candidate(m, "quicktime", &t);
	memset(&t, 0, sizeof t);
	if (b->have_mdhd && date_set_utc(&t, bmff_unix(b->mdhd)) == 0)
		meta_candidate(m, "quicktime-mdhd", &t);
}

/*
 * ISO-BMFF and QuickTime: make, model and capture time from the moov and
 * meta boxes. Returns 0 (date found or not), -1 with m->error set when the
 * box structure is corrupt before anything useful was found.
 */
int
meta_bmff(const struct sb_src *s, struct meta *m)
{
	struct bmff	*b;
	int		 rc, found;

	if (s->size >= 2 && s->headlen >= 2 && s->head[0] == 0xff &&
	    s->head[1] == 0x0a)
		return 0;	/* a bare JPEG XL codestream: no boxes */
	b = xcalloc(1, sizeof *b);
	b->file = s;
	b->m = m;
	b->label = bmff_label(m);
	rc = bmff_walk(b, s, 0, s->size, NULL, 0);

	if (m->make[0] == '\0')
		strlcpy_sb(m->make, b->make[0] != '\0' ? b->make :
		    b->ex.make, sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, b->model[0] != '\0' ? b->model :
		    b->ex.model, sizeof m->model);
	bmff_candidates(b, m);
	found = 1;
	if (m->taken.has_wall || m->taken.has_utc)
		;
	else if (b->have_keydate) {
		m->taken = b->keydate;
		strlcpy_sb(m->date_source, "quicktime-keys",
		    sizeof m->date_source);
	} else if (b->ex.taken.has_wall || b->ex.taken.has_utc) {
		m->taken = b->ex.taken;
		strlcpy_sb(m->date_source, b->ex.date_source,
		    sizeof m->date_source);
	} else if (b->have_udate) {
		m->taken = b->udate;
		strlcpy_sb(m->date_source, "quicktime-date",
		    sizeof m->date_source);
	} else if (b->have_day) {
		m->taken = b->day;
		strlcpy_sb(m->date_source, "quicktime-day",
		    sizeof m->date_source);
	} else if (b->have_mvhd &&
	    date_set_utc(&m->taken, bmff_unix(b->mvhd)) == 0)
		strlcpy_sb(m->date_source, "quicktime", sizeof m->date_source);
	else if (b->have_mdhd &&
	    date_set_utc(&m->taken, bmff_unix(b->mdhd)) == 0)
		strlcpy_sb(m->date_source, "quicktime-mdhd",
		    sizeof m->date_source);
	else
		found = 0;
	free(b);
	/* A damaged box after the dates does not undo what was read. */
	if (rc == -1 && (found || m->make[0] != '\0'))
		rc = 0;
	return rc;
}
