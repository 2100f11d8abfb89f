/*
 * remote-dav-list.c: reading a WebDAV PROPFIND answer (207 Multi-Status,
 * untrusted bytes, read within their length): for each <response>, its
 * href (XML-unescaped, then percent-decoded), whether it is a collection,
 * and its getcontentlength. Tags are matched by their local name, whatever
 * prefix the server gives the DAV: namespace (D:, d:, lp1: or none).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-dav.h"
#include "remote-s3.h"

/* One response as it is read. */
struct dav_resp {
	const char	*href;		/* raw text, or NULL */
	size_t		 hreflen;
	int		 collection;
	const char	*len;		/* getcontentlength's text, or NULL */
	size_t		 lenlen;
};

/* A tag: its local name (after any prefix), closing, self-closing. */
struct dav_tag {
	const char	*name;
	size_t		 namelen;
	int		 closing;
	int		 empty;
};

/*
 * Read the tag starting at p ('<') before end into t; the byte after its
 * '>', or NULL if it is not closed. Declarations and comments give a tag
 * with no name.
 */
static const char *
dav_tag(const char *p, const char *end, struct dav_tag *t)
{
	const char	*gt, *n, *colon;

	if ((gt = memchr(p, '>', (size_t)(end - p))) == NULL)
		return NULL;
	memset(t, 0, sizeof *t);
	n = p + 1;
	if (n < gt && (*n == '?' || *n == '!'))
		return gt + 1;
	if (n < gt && *n == '/') {
		t->closing = 1;
		n++;
	}
	t->empty = gt > n && gt[-1] == '/';
	t->name = n;
	while (n < gt && *n != ' ' && *n != '\t' && *n != '\r' &&
	    *n != '\n' && *n != '/')
		n++;
	t->namelen = (size_t)(n - t->name);
	colon = memchr(t->name, ':', t->namelen);
	if (colon != NULL) {
		t->namelen -= (size_t)(colon + 1 - t->name);
		t->name = colon + 1;
	}
	return gt + 1;
}

static int
dav_is(const struct dav_tag *t, const char *name)
{
	return t->namelen == strlen(name) &&
	    memcmp(t->name, name, t->namelen) == 0;
}

/* Percent-decode s in place; 0, or -1 on a bad escape or a NUL. */
int
dav_unpercent(char *s)
{
	char	*o = s, h[3];
	long	 v;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		if (s[1] == '\0' || s[2] == '\0')
			return -1;
		h[0] = s[1];
		h[1] = s[2];
		h[2] = '\0';
		if (strspn(h, "0123456789abcdefABCDEF") != 2 ||
		    (v = strtol(h, NULL, 16)) == 0)
			return -1;
		*o++ = (char)v;
		s += 2;
	}
	*o = '\0';
	return 0;
}

/*
 * Give one response to each: its href decoded (or as sent, when it cannot
 * be: DAV_UNREADABLE). 0, -1 (bad), or 2.
 */
static int
dav_give(const struct dav_resp *r, dav_list_each each, void *arg)
{
	uint64_t	 size = 0;
	char		*href;
	size_t		 i;
	int		 rc;

	if (r->href == NULL || r->hreflen == 0)
		return -1;
	if (r->len != NULL) {
		if (r->lenlen == 0 || r->lenlen > 19)
			return -1;
		for (i = 0; i < r->lenlen; i++) {
			if (r->len[i] < '0' || r->len[i] > '9')
				return -1;
			size = size * 10 + (uint64_t)(r->len[i] - '0');
		}
	}
	href = xmalloc(r->hreflen + 1);
	if (s3_xml_unescape(r->href, r->hreflen, href) == -1 ||
	    dav_unpercent(href) == -1) {
		memcpy(href, r->href, r->hreflen);
		href[r->hreflen] = '\0';
		rc = each(arg, href, DAV_UNREADABLE, size, r->len != NULL);
	} else
		rc = each(arg, href, r->collection, size, r->len != NULL);
	free(href);
	return rc == -1 ? 2 : 0;
}

/*
 * Read a Multi-Status answer (len bytes at xml), calling each for every
 * response in it. 0; -1 when it is not one or a response is malformed
 * (those before it were given); 2 when each stopped it.
 */
int
dav_list_parse(const char *xml, size_t len, dav_list_each each, void *arg)
{
	const char	*p = xml, *end = xml + len, *next, *lt;
	struct dav_resp	 r;
	struct dav_tag	 t;
	int		 in = 0, multi = 0, rc;

	memset(&r, 0, sizeof r);
	while ((lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((next = dav_tag(lt, end, &t)) == NULL)
			return -1;
		p = next;
		if (t.name == NULL)
			continue;
		if (dav_is(&t, "multistatus"))
			multi = 1;
		else if (dav_is(&t, "response") && !t.closing && !t.empty) {
			memset(&r, 0, sizeof r);
			in = 1;
		} else if (dav_is(&t, "response") && t.closing && in) {
			in = 0;
			if ((rc = dav_give(&r, each, arg)) != 0)
				return rc;
		} else if (!in || t.closing || t.empty) {
			if (in && !t.closing && dav_is(&t, "collection"))
				r.collection = 1;
		} else if (dav_is(&t, "href") && r.href == NULL) {
			r.href = p;
			if ((lt = memchr(p, '<', (size_t)(end - p))) == NULL)
				return -1;
			r.hreflen = (size_t)(lt - p);
		} else if (dav_is(&t, "getcontentlength")) {
			r.len = p;
			if ((lt = memchr(p, '<', (size_t)(end - p))) == NULL)
				return -1;
			r.lenlen = (size_t)(lt - p);
			while (r.lenlen > 0 && (r.len[r.lenlen - 1] == ' ' ||
			    r.len[r.lenlen - 1] == '\n' ||
			    r.len[r.lenlen - 1] == '\r'))
				r.lenlen--;
			while (r.lenlen > 0 && (*r.len == ' ' ||
			    *r.len == '\n' || *r.len == '\r')) {
				r.len++;
				r.lenlen--;
			}
		} else if (dav_is(&t, "collection"))
			r.collection = 1;
	}
	return multi && !in ? 0 : -1;
}
