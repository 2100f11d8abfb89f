/*
 * meta-png.c: PNG. Walks the chunks before the image data (IDAT) and reads
 * eXIf (an Exif block), an uncompressed XMP packet (iTXt keyword
 * "XML:com.adobe.xmp") and the "Creation Time" text keyword, in that order
 * of preference. tIME is the last modification time, not the capture
 * time, so it is not used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

#define PNG_MAXCHUNKS	10000
#define PNG_MAXBLOB	(1024 * 1024)	/* eXIf read into memory */

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
    '\n' };

/*
 * The text of an iTXt chunk in buf (n bytes) whose keyword, NUL included,
 * is its first klen bytes: past the compression flag (0: plain text), the
 * method, the language tag and the translated keyword. NULL if the text is
 * compressed or the chunk is cut short.
 */
static const uint8_t *
png_itxt_text(const uint8_t *buf, size_t n, size_t klen)
{
	const uint8_t	*v = buf + klen, *z;
	int		 i;

	if (n - klen < 2 || v[0] != 0)
		return NULL;
	v += 2;
	for (i = 0; i < 2; i++) {
		if ((z = memchr(v, '\0', (size_t)(buf + n - v))) == NULL)
			return NULL;
		v = z + 1;
	}
	return v;
}

/*
 * A tEXt or iTXt chunk: if its keyword is "Creation Time" and its text a
 * date, put it in t. Returns 0 when a date was taken.
 */
static int
png_text(const struct sb_src *s, uint64_t off, uint32_t len, int itxt,
    struct sb_time *t)
{
	static const char key[] = "Creation Time";
	uint8_t		 buf[128];
	size_t		 n = len < sizeof buf ? len : sizeof buf;
	const uint8_t	*v;

	if (n < sizeof key || src_read(s, off, buf, n) == -1 ||
	    memcmp(buf, key, sizeof key) != 0)
		return -1;
	v = itxt ? png_itxt_text(buf, n, sizeof key) : buf + sizeof key;
	if (v == NULL)
		return -1;
	return date_parse_exif((const char *)v, (size_t)(buf + n - v), t);
}

/*
 * An iTXt chunk holding XMP: its dates into xm. Returns 0 when it was XMP
 * (whether or not it held a date), -1 otherwise.
 */
static int
png_xmp(const struct sb_src *s, uint64_t off, uint32_t len, struct meta *xm)
{
	static const char key[] = "XML:com.adobe.xmp";
	uint8_t		 head[sizeof key + 1], *buf;
	const uint8_t	*v;
	size_t		 n = len < PNG_MAXBLOB ? len : PNG_MAXBLOB;

	/* Keyword and compression flag first: only plain XMP is read whole. */
	if (n < sizeof head || src_read(s, off, head, sizeof head) == -1 ||
	    memcmp(head, key, sizeof key) != 0 || head[sizeof key] != 0)
		return -1;
	buf = xmalloc(n);
	if (src_read(s, off, buf, n) == -1) {
		free(buf);
		return -1;
	}
	if ((v = png_itxt_text(buf, n, sizeof key)) != NULL)
		meta_xmp_date(v, (size_t)(buf + n - v), xm);
	free(buf);
	return 0;
}

/*
 * PNG: capture time from eXIf, else XMP, else a "Creation Time" text.
 * Returns 0, or -1 with m->error set when the chunk structure is corrupt.
 */
int
meta_png(const struct sb_src *s, struct meta *m)
{
	uint8_t		 h[8], *p;
	uint64_t	 off = 8;
	uint32_t	 len;
	struct sb_time	 text;
	struct meta	 ex, xm;
	int		 n = 0, have_text = 0, have_xmp = 0, rc = 0;

	if (src_read(s, 0, h, 8) == -1 || memcmp(h, png_sig, 8) != 0) {
		meta_set_error(m, "not a PNG file");
		return -1;
	}
	memset(&ex, 0, sizeof ex);
	memset(&xm, 0, sizeof xm);
	for (;;) {
		if (++n > PNG_MAXCHUNKS) {
			meta_set_error(m, "PNG: more than %d chunks before "
			    "the image data", PNG_MAXCHUNKS);
			rc = -1;
			break;
		}
		if (src_read(s, off, h, 8) == -1) {
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
		if (memcmp(h + 4, "IDAT", 4) == 0 ||
		    memcmp(h + 4, "IEND", 4) == 0)
			break;
		if (memcmp(h + 4, "eXIf", 4) == 0 && len >= 8 &&
		    len <= PNG_MAXBLOB && !ex.taken.has_wall) {
			p = xmalloc(len);
			if (src_read(s, off + 8, p, len) == 0 &&
			    meta_exif_blob(p, len, &ex) == -1)
				meta_set_error(m, "PNG: unreadable eXIf chunk");
			free(p);
		} else if ((memcmp(h + 4, "tEXt", 4) == 0 ||
		    memcmp(h + 4, "iTXt", 4) == 0) && !have_text &&
		    png_text(s, off + 8, len, h[4] == 'i', &text) == 0)
			have_text = 1;
		if (memcmp(h + 4, "iTXt", 4) == 0 && !have_xmp &&
		    png_xmp(s, off + 8, len, &xm) == 0)
			have_xmp = 1;
		off += 12 + (uint64_t)len;
	}
	if (m->make[0] == '\0')
		strlcpy_sb(m->make, ex.make, sizeof m->make);
	if (m->model[0] == '\0')
		strlcpy_sb(m->model, ex.model, sizeof m->model);
	if (ex.taken.has_wall || ex.taken.has_utc) {
		m->taken = ex.taken;
		snprintf(m->date_source, sizeof m->date_source, "png-%.19s",
		    ex.date_source);
	} else if (xm.taken.has_wall || xm.taken.has_utc) {
		m->taken = xm.taken;
		strlcpy_sb(m->date_source, "png-xmp", sizeof m->date_source);
	} else if (have_text) {
		m->taken = text;
		strlcpy_sb(m->date_source, "png-text", sizeof m->date_source);
	}
	if (rc == -1 && (m->taken.has_wall || m->taken.has_utc ||
	    m->make[0] != '\0'))
		rc = 0;		/* damage after the date */
	return rc;
}
