/*
 * meta-png.c: PNG. Walks the chunks before the image data (IDAT) and, when
 * those hold no Exif or XMP date, the chunk headers after it too (many
 * encoders write text and tIME after the image data), and takes,
 * in order of preference: an Exif block (eXIf, or the hex "Raw profile type
 * exif" or "APP1" text ImageMagick writes), XMP (iTXt "XML:com.adobe.xmp",
 * or a "Raw profile type xmp"), the "Creation Time" text, and last the tIME
 * chunk: the time the image was last changed, in UTC, but often the only
 * date a screenshot tool leaves. Text may be in tEXt, zTXt or iTXt; what is
 * compressed is inflated with zlib into a bounded buffer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "shoebox.h"

#define PNG_MAXCHUNKS	10000
#define PNG_MAXAFTER	20000	/* chunk headers walked past the first IDAT */
#define PNG_MAXBLOB	(1024 * 1024)	/* a chunk read into memory */
#define PNG_MAXTEXT	(1024 * 1024)	/* text inflated from one chunk */

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
    '\n' };

/* What the chunks before IDAT said. */
struct png_dates {
	struct meta	 ex;		/* eXIf or a raw Exif profile */
	struct meta	 xm;		/* XMP */
	struct sb_time	 text;		/* "Creation Time" */
	struct sb_time	 time;		/* tIME */
	int		 have_text, have_time;
};

/* Text keywords with a date in them. */
enum png_key {
	PNG_KEY_NONE,
	PNG_KEY_CREATION,	/* "Creation Time" */
	PNG_KEY_XMP,		/* "XML:com.adobe.xmp" */
	PNG_KEY_RAW_EXIF,	/* ImageMagick's hex profiles */
	PNG_KEY_RAW_APP1,
	PNG_KEY_RAW_XMP
};

static const struct {
	const char	*keyword;
	enum png_key	 key;
} png_keys[] = {
	{ "Creation Time",		PNG_KEY_CREATION },
	{ "XML:com.adobe.xmp",		PNG_KEY_XMP },
	{ "Raw profile type exif",	PNG_KEY_RAW_EXIF },
	{ "Raw profile type APP1",	PNG_KEY_RAW_APP1 },
	{ "Raw profile type xmp",	PNG_KEY_RAW_XMP },
};

static int
png_has_date(const struct meta *m)
{
	return m->taken.has_wall || m->taken.has_utc;
}

/* The key of a keyword (NUL included in its klen bytes) still worth reading. */
static enum png_key
png_keyword(const uint8_t *k, size_t klen, const struct png_dates *d)
{
	size_t	i;

	for (i = 0; i < sizeof png_keys / sizeof png_keys[0]; i++) {
		if (strlen(png_keys[i].keyword) + 1 != klen ||
		    memcmp(k, png_keys[i].keyword, klen) != 0)
			continue;
		switch (png_keys[i].key) {
		case PNG_KEY_CREATION:
			return d->have_text ? PNG_KEY_NONE : PNG_KEY_CREATION;
		case PNG_KEY_XMP:
		case PNG_KEY_RAW_XMP:
			return png_has_date(&d->xm) ? PNG_KEY_NONE :
			    png_keys[i].key;
		default:
			return png_has_date(&d->ex) ? PNG_KEY_NONE :
			    png_keys[i].key;
		}
	}
	return PNG_KEY_NONE;
}

/*
 * Inflate the zlib stream src (n bytes) into a new buffer of at most
 * PNG_MAXTEXT bytes, its length in *outlen. What a damaged or cut stream
 * gave before it broke is kept. NULL if it gave nothing.
 */
static uint8_t *
png_inflate(const uint8_t *src, size_t n, size_t *outlen)
{
	z_stream	 z;
	uint8_t		*out;

	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return NULL;
	out = xmalloc(PNG_MAXTEXT);
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = PNG_MAXTEXT;
	(void)inflate(&z, Z_FINISH);
	*outlen = PNG_MAXTEXT - z.avail_out;
	inflateEnd(&z);
	if (*outlen == 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int
png_hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The bytes of an ImageMagick raw profile: "\nNAME\n   LENGTH\nHEX...",
 * the hex broken into lines. Returns a new buffer (length in *outlen; at
 * most LENGTH bytes, fewer when the text stops early), or NULL.
 */
static uint8_t *
png_raw_profile(const uint8_t *t, size_t n, size_t *outlen)
{
	const uint8_t	*p = t, *end = t + n;
	uint8_t		*out;
	size_t		 len = 0, i = 0;
	int		 hi = -1, v;

	if (p >= end || *p++ != '\n')
		return NULL;
	while (p < end && *p != '\n')
		p++;
	if (p >= end)
		return NULL;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || !isdigit(*p))
		return NULL;
	while (p < end && isdigit(*p)) {
		len = len * 10 + (size_t)(*p++ - '0');
		if (len > PNG_MAXBLOB)
			return NULL;
	}
	if (len > (size_t)(end - p) / 2)
		len = (size_t)(end - p) / 2;
	if (len == 0)
		return NULL;
	out = xmalloc(len);
	for (; p < end && i < len; p++) {
		if ((v = png_hexval(*p)) == -1) {
			if (isspace(*p))
				continue;
			break;
		}
		if (hi == -1)
			hi = v;
		else {
			out[i++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (i == 0) {
		free(out);
		return NULL;
	}
	*outlen = i;
	return out;
}

/* A raw profile's bytes: Exif into d->ex, XMP into d->xm. */
static void
png_profile(enum png_key key, const uint8_t *t, size_t n, struct png_dates *d,
    struct meta *m)
{
	static const char xmpsig[] = "http://ns.adobe.com/xap/1.0/";
	uint8_t	*b;
	size_t	 len;

	if ((b = png_raw_profile(t, n, &len)) == NULL)
		return;
	if (key == PNG_KEY_RAW_XMP)
		meta_xmp_date(b, len, &d->xm);
	else if (key == PNG_KEY_RAW_APP1 && len > sizeof xmpsig &&
	    memcmp(b, xmpsig, sizeof xmpsig) == 0)
		meta_xmp_date(b + sizeof xmpsig, len - sizeof xmpsig, &d->xm);
	else if (key == PNG_KEY_RAW_EXIF || (len >= 6 &&
	    memcmp(b, "Exif\0\0", 6) == 0)) {
		if (meta_exif_blob(b, len, &d->ex) == -1)
			meta_set_error(m, "PNG: unreadable raw Exif profile");
	}
	free(b);
}

/*
 * A tEXt, zTXt or iTXt chunk (len bytes of data at off): if its keyword is
 * one with a date in it, read its text, inflated if need be, into d.
 */
static void
png_text(const struct sb_src *s, uint64_t off, uint32_t len, char type,
    struct png_dates *d, struct meta *m)
{
	uint8_t		 kbuf[80], *buf, *txt = NULL;
	const uint8_t	*v, *z;
	size_t		 n, klen, vlen, tlen;
	enum png_key	 key;
	int		 compressed = type == 'z', i;

	n = len < sizeof kbuf ? len : sizeof kbuf;
	if (n == 0 || src_read(s, off, kbuf, n) == -1 ||
	    (z = memchr(kbuf, '\0', n)) == NULL)
		return;
	klen = (size_t)(z - kbuf) + 1;
	if ((key = png_keyword(kbuf, klen, d)) == PNG_KEY_NONE)
		return;
	n = len < PNG_MAXBLOB ? len : PNG_MAXBLOB;
	if (key == PNG_KEY_CREATION && n > 4096)
		n = 4096;
	buf = xmalloc(n);
	if (src_read(s, off, buf, n) == -1)
		goto out;
	v = buf + klen;
	vlen = n - klen;
	if (type == 'z') {		/* method, then the stream */
		if (vlen < 1 || v[0] != 0)
			goto out;
		v++;
		vlen--;
	} else if (type == 'i') {	/* flag, method, language, keyword */
		if (vlen < 2 || v[0] > 1 || (v[0] == 1 && v[1] != 0))
			goto out;
		compressed = v[0] == 1;
		v += 2;
		vlen -= 2;
		for (i = 0; i < 2; i++) {
			if ((z = memchr(v, '\0', vlen)) == NULL)
				goto out;
			vlen -= (size_t)(z + 1 - v);
			v = z + 1;
		}
	}
	if (compressed) {
		if ((txt = png_inflate(v, vlen, &tlen)) == NULL)
			goto out;
		v = txt;
		vlen = tlen;
	}
	switch (key) {
	case PNG_KEY_CREATION:
		if (date_parse_exif((const char *)v, vlen < 64 ? vlen : 64,
		    &d->text) == 0 || date_parse_rfc1123((const char *)v,
		    vlen < 64 ? vlen : 64, &d->text) == 0)
			d->have_text = 1;
		break;
	case PNG_KEY_XMP:
		meta_xmp_date(v, vlen, &d->xm);
		break;
	default:
		png_profile(key, v, vlen, d, m);
		break;
	}
out:
	free(txt);
	free(buf);
}

/* tIME: year (2 bytes), month, day, hour, minute, second, in UTC. */
static void
png_time(const struct sb_src *s, uint64_t off, uint32_t len,
    struct png_dates *d)
{
	uint8_t	b[7];
	int	y;

	if (len != 7 || d->have_time || src_read(s, off, b, 7) == -1)
		return;
	y = get16be(b);
	if (!date_valid(y, b[2], b[3], b[4], b[5], b[6]))
		return;
	if (date_set_utc(&d->time, date_days_from_civil(y, b[2], b[3]) *
	    86400 + b[4] * 3600 + b[5] * 60 + b[6]) == 0)
		d->have_time = 1;
}

/*
 * PNG: capture time from Exif, else XMP, else a "Creation Time" text, else
 * tIME; each one found is a candidate. Returns 0, or -1 with m->error set
 * when the chunk structure is corrupt.
 */
int
meta_png(const struct sb_src *s, struct meta *m)
{
	uint8_t			 h[8], *p;
	uint64_t		 off = 8;
	uint32_t		 len;
	struct png_dates	*d;
	char			 src[24];
	int			 n = 0, rc = 0, after = 0;

	if (src_read(s, 0, h, 8) == -1 || memcmp(h, png_sig, 8) != 0) {
		meta_set_error(m, "not a PNG file");
		return -1;
	}
	d = xcalloc(1, sizeof *d);
	for (;;) {
		if (after == 0 && ++n > PNG_MAXCHUNKS) {
			meta_set_error(m, "PNG: more than %d chunks before "
			    "the image data", PNG_MAXCHUNKS);
			rc = -1;
			break;
		}
		/* Past the image data, damage only ends the walk. */
		if (after > 0 && (after++ > PNG_MAXAFTER ||
		    src_read(s, off, h, 8) == -1 || get32be(h) > 0x7fffffff ||
		    get32be(h) + 12ULL > s->size - off))
			break;
		if (after == 0 && src_read(s, off, h, 8) == -1) {
			meta_set_error(m, "PNG truncated at byte %llu",
			    (unsigned long long)off);
			rc = -1;
			break;
		}
		len = get32be(h);
		if (len > 0x7fffffff || len + 4ULL > s->size - off - 8) {
			meta_set_error(m, "PNG chunk '%c%c%c%c' at byte %llu "
			    "claims %u bytes, past the end of the file (%llu "
			    "bytes)", h[4] >= 0x20 && h[4] < 0x7f ? h[4] : '?',
			    h[5] >= 0x20 && h[5] < 0x7f ? h[5] : '?',
			    h[6] >= 0x20 && h[6] < 0x7f ? h[6] : '?',
			    h[7] >= 0x20 && h[7] < 0x7f ? h[7] : '?',
			    (unsigned long long)off, len,
			    (unsigned long long)s->size);
			rc = -1;
			break;
		}
		if (memcmp(h + 4, "IEND", 4) == 0)
			break;
		if (memcmp(h + 4, "IDAT", 4) == 0) {
			if (png_has_date(&d->ex) || png_has_date(&d->xm))
				break;
			after += after == 0;
			off += 12 + (uint64_t)len;
			continue;
		}
		if (memcmp(h + 4, "eXIf", 4) == 0 && len >= 8 &&
		    len <= PNG_MAXBLOB && !png_has_date(&d->ex)) {
			p = xmalloc(len);
			if (src_read(s, off + 8, p, len) == 0 &&
			    meta_exif_blob(p, len, &d->ex) == -1)
				meta_set_error(m, "PNG: unreadable eXIf chunk");
			free(p);
		} else if (memcmp(h + 4, "tEXt", 4) == 0 ||
		    memcmp(h + 4, "zTXt", 4) == 0 ||
		    memcmp(h + 4, "iTXt", 4) == 0)
			png_text(s, off + 8, len, (char)h[4], d, m);
		else if (memcmp(h + 4, "tIME", 4) == 0)
			png_time(s, off + 8, len, d);
		off += 12 + (uint64_t)len;
	}
	if (m->make[0] == '\0')
		strlcpy_sb(m->make, d->ex.make, sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, d->ex.model, sizeof m->model);
	snprintf(src, sizeof src, "png-%.19s", d->ex.date_source);
	meta_candidate(m, src, &d->ex.taken);
	snprintf(src, sizeof src, "png-%.19s", d->xm.date_source);
	meta_candidate(m, src, &d->xm.taken);
	snprintf(src, sizeof src, "png-%.19s", d->ex.date_source);
	if (d->have_text)
		meta_candidate(m, "png-text", &d->text);
	if (d->have_time)
		meta_candidate(m, "png-time", &d->time);
	/* Exif's DateTime (a change time) only after the creation dates. */
	if (png_has_date(&d->ex) && !meta_date_weak(&d->ex)) {
		m->taken = d->ex.taken;
		strlcpy_sb(m->date_source, src, sizeof m->date_source);
	} else if (png_has_date(&d->xm)) {
		m->taken = d->xm.taken;
		snprintf(m->date_source, sizeof m->date_source, "png-%.19s",
		    d->xm.date_source);
	} else if (d->have_text) {
		m->taken = d->text;
		strlcpy_sb(m->date_source, "png-text", sizeof m->date_source);
	} else if (png_has_date(&d->ex)) {
		m->taken = d->ex.taken;
		strlcpy_sb(m->date_source, src, sizeof m->date_source);
	} else if (d->have_time) {
		m->taken = d->time;
		strlcpy_sb(m->date_source, "png-time", sizeof m->date_source);
	}
	free(d);
	if (rc == -1 && (m->taken.has_wall || m->taken.has_utc ||
	    m->make[0] != '\0'))
		rc = 0;		/* damage after the date */
	return rc;
}
