/*
 * remote-s3-list.c: reading one page of an S3 bucket listing (ListObjects,
 * the XML a server sends back: untrusted bytes, read within their length
 * and never past it). Each <Contents> gives a key and a size; the page
 * says whether more follow (<IsTruncated>). Keys are XML-unescaped once,
 * as S3 escapes them; s3rver escapes them twice ("&amp;amp;" for "&"),
 * so a key that still reads as escaped after one pass is given with its
 * second reading too, and the caller tries both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-s3.h"

/* The first "<tag>" at or after p, before end; NULL if none. */
static const char *
s3l_find(const char *p, const char *end, const char *tag)
{
	size_t	n = strlen(tag);

	if (p >= end || (size_t)(end - p) < n)
		return NULL;
	return memmem(p, (size_t)(end - p), tag, n);
}

/*
 * The text of <tag>...</tag> inside [p, end): *v and *n; 0, or -1 if the
 * element is missing or not closed.
 */
static int
s3l_elem(const char *p, const char *end, const char *tag, const char **v,
    size_t *n)
{
	char		 open[32], close[32];
	const char	*a, *b;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	if ((a = s3l_find(p, end, open)) == NULL)
		return -1;
	a += strlen(open);
	if ((b = s3l_find(a, end, close)) == NULL)
		return -1;
	*v = a;
	*n = (size_t)(b - a);
	return 0;
}

/* Append code point c as UTF-8 to out (room for 4); bytes written, -1. */
static int
s3l_utf8(uint32_t c, char *out)
{
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A numeric entity's text ("#38", "#x26") as a code point; -1 if bad. */
static int64_t
s3l_charref(const char *p, size_t n)
{
	int64_t	c = 0;
	int	hex = n > 1 && (p[1] == 'x' || p[1] == 'X');
	size_t	i = hex ? 2 : 1;

	if (n <= i || n > 10)
		return -1;
	for (; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			c = c * (hex ? 16 : 10) + (p[i] - '0');
		else if (hex && p[i] >= 'a' && p[i] <= 'f')
			c = c * 16 + (p[i] - 'a' + 10);
		else if (hex && p[i] >= 'A' && p[i] <= 'F')
			c = c * 16 + (p[i] - 'A' + 10);
		else
			return -1;
	}
	return c;
}

/* One entity's text (between '&' and ';') into out; bytes, or -1. */
static int
s3l_entity(const char *p, size_t n, char *out)
{
	static const struct { const char *name; char c; } names[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' },
		{ "quot", '"' }, { "apos", '\'' }
	};
	size_t	i;
	int64_t	c;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == n &&
		    memcmp(p, names[i].name, n) == 0) {
			out[0] = names[i].c;
			return 1;
		}
	if (n == 0 || p[0] != '#' || (c = s3l_charref(p, n)) < 0)
		return -1;
	return s3l_utf8((uint32_t)c, out);
}

/*
 * XML-unescape the n bytes at in into out (at least n + 1 bytes: never
 * longer than its input), NUL-terminated. 0, or -1 on a bad entity or a
 * NUL byte.
 */
int
s3_xml_unescape(const char *in, size_t n, char *out)
{
	const char	*semi;
	size_t		 i, o = 0;
	int		 k;

	for (i = 0; i < n; i++) {
		if (in[i] == '\0')
			return -1;
		if (in[i] != '&') {
			out[o++] = in[i];
			continue;
		}
		semi = memchr(in + i + 1, ';', n - i - 1 < 12 ? n - i - 1 :
		    12);
		if (semi == NULL || (k = s3l_entity(in + i + 1,
		    (size_t)(semi - in - i - 1), out + o)) == -1)
			return -1;
		o += (size_t)k;
		i = (size_t)(semi - in);
	}
	out[o] = '\0';
	return 0;
}

/* Does s hold an entity ("&amp;", "&#x27;" ...) that could be unescaped? */
static int
s3l_escaped(const char *s)
{
	char		 tmp[8];
	const char	*semi;

	for (; (s = strchr(s, '&')) != NULL; s++)
		if ((semi = memchr(s + 1, ';', strnlen(s + 1, 12))) != NULL &&
		    s3l_entity(s + 1, (size_t)(semi - s - 1), tmp) != -1)
			return 1;
	return 0;
}

/* A size's digits (at most 19) as a number; 0, or -1. */
static int
s3l_size(const char *v, size_t n, uint64_t *size)
{
	size_t	i;

	if (n == 0 || n > 19)
		return -1;
	*size = 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		*size = *size * 10 + (uint64_t)(v[i] - '0');
	}
	return 0;
}

/*
 * Read one listing page (len bytes at xml): each(arg, key, alt, size) for
 * each object in it (alt: its second reading, or NULL), *truncated set
 * when more pages follow, *last the last key as sent (decoded once; free
 * it). 0; -1 when the page is not a listing or an entry is malformed
 * (entries before it were given); or each's -1 (2: it stopped).
 */
int
s3_list_parse(const char *xml, size_t len, s3_list_each each, void *arg,
    int *truncated, char **last)
{
	const char	*p = xml, *end = xml + len, *c, *ce, *v;
	char		*key, *alt;
	size_t		 n;
	uint64_t	 size;
	int		 rc;

	*truncated = 0;
	*last = NULL;
	if (s3l_find(xml, end, "<ListBucketResult") == NULL)
		return -1;
	if (s3l_elem(xml, end, "IsTruncated", &v, &n) == 0)
		*truncated = n == 4 && memcmp(v, "true", 4) == 0;
	while ((c = s3l_find(p, end, "<Contents>")) != NULL) {
		if ((ce = s3l_find(c, end, "</Contents>")) == NULL)
			return -1;
		p = ce + 11;
		if (s3l_elem(c, ce, "Size", &v, &n) == -1 ||
		    s3l_size(v, n, &size) == -1 ||
		    s3l_elem(c, ce, "Key", &v, &n) == -1)
			return -1;
		key = xmalloc(n + 1);
		if (s3_xml_unescape(v, n, key) == -1) {
			free(key);
			return -1;
		}
		alt = NULL;
		if (s3l_escaped(key)) {
			alt = xmalloc(n + 1);
			if (s3_xml_unescape(key, strlen(key), alt) == -1) {
				free(alt);
				alt = NULL;
			}
		}
		rc = each(arg, key, alt, size);
		free(alt);
		free(*last);
		*last = key;
		if (rc == -1)
			return 2;
	}
	return 0;
}
