/*
 * sigv4.c: AWS Signature Version 4 (the Authorization header), computed with
 * OpenSSL. Our own because curl's CURLOPT_AWS_SIGV4 in the curl we build
 * against does not sort queries, signs "?uploads" without "=", mis-sorts
 * header names that prefix each other, and sends no x-amz-content-sha256.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "shoebox.h"
#include "sigv4.h"

/* A growing string. */
struct sbuf {
	char	*s;
	size_t	 len, cap;
};

static void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void
sigv4_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Hex SHA-256 of a buffer into out (65 bytes). */
void
sigv4_sha256_hex(const void *p, size_t n, char *out)
{
	unsigned char	md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	sigv4_hex(md, sizeof md, out);
}

/*
 * URI-encode s as SigV4 wants: every byte but A-Z a-z 0-9 - . _ ~ as %XX
 * (uppercase), '/' kept when keep_slash. Returns a new string.
 */
char *
sigv4_encode(const char *s, int keep_slash)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	out = o = xmalloc(strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~' || (keep_slash && *p == '/'))
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	*o = '\0';
	return out;
}

struct enc_kv {
	char	*name;
	char	*value;
};

static int
enc_kv_cmp(const void *a, const void *b)
{
	const struct enc_kv	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

/*
 * The canonical query string: names and values encoded, sorted by name then
 * value, "name=value" joined by '&' ("uploads=" for an empty value). It is
 * also a valid query to send. Returns a new string ("" for none).
 */
char *
sigv4_query(const struct sigv4_kv *q, size_t n)
{
	struct enc_kv	*e;
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 i;

	sbuf_add(&b, "");
	e = xcalloc(n ? n : 1, sizeof *e);
	for (i = 0; i < n; i++) {
		e[i].name = sigv4_encode(q[i].name, 0);
		e[i].value = sigv4_encode(q[i].value ? q[i].value : "", 0);
	}
	qsort(e, n, sizeof *e, enc_kv_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(&b, "&");
		sbuf_add(&b, e[i].name);
		sbuf_add(&b, "=");
		sbuf_add(&b, e[i].value);
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
	return b.s;
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct enc_kv	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* A header value trimmed, with runs of spaces made one. */
static char *
header_value(const char *v)
{
	char	*out = xmalloc(strlen(v) + 1), *o = out;
	int	 space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *v;
	}
	*o = '\0';
	return out;
}

/*
 * The canonical request; *signed_headers gets the signed header list. Header
 * names are lowercased and sorted by name alone, so "x-amz-meta-a" comes
 * before "x-amz-meta-a-b". Both strings are new.
 */
char *
sigv4_canonical(const struct sigv4 *r, char **signed_headers)
{
	struct enc_kv	*h;
	struct sbuf	 b = { NULL, 0, 0 }, sh = { NULL, 0, 0 };
	char		*q, *p;
	size_t		 i;

	h = xcalloc(r->nheaders ? r->nheaders : 1, sizeof *h);
	for (i = 0; i < r->nheaders; i++) {
		h[i].name = xstrdup(r->headers[i].name);
		for (p = h[i].name; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		h[i].value = header_value(r->headers[i].value);
	}
	qsort(h, r->nheaders, sizeof *h, kv_cmp);

	sbuf_add(&b, r->method);
	sbuf_add(&b, "\n");
	sbuf_add(&b, r->path);
	sbuf_add(&b, "\n");
	q = sigv4_query(r->query, r->nquery);
	sbuf_add(&b, q);
	free(q);
	sbuf_add(&b, "\n");
	sbuf_add(&sh, "");
	for (i = 0; i < r->nheaders; i++) {
		sbuf_add(&b, h[i].name);
		sbuf_add(&b, ":");
		sbuf_add(&b, h[i].value);
		sbuf_add(&b, "\n");
		if (i > 0)
			sbuf_add(&sh, ";");
		sbuf_add(&sh, h[i].name);
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
	sbuf_add(&b, "\n");
	sbuf_add(&b, sh.s);
	sbuf_add(&b, "\n");
	sbuf_add(&b, r->payload_hash);
	*signed_headers = sh.s;
	return b.s;
}

/* HMAC-SHA256 of a string under key into out (32 bytes). */
static void
hmac(const void *key, size_t keylen, const char *msg, unsigned char *out)
{
	unsigned char	tmp[32];
	unsigned int	len = 32;

	/* Through tmp: key and out may be the same buffer. */
	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
	    strlen(msg), tmp, &len);
	memcpy(out, tmp, sizeof tmp);
	explicit_bzero(tmp, sizeof tmp);
}

/*
 * The value of the Authorization header for request r. Returns a new
 * string; the secret key is used only to derive the signing key.
 */
char *
sigv4_authorization(const struct sigv4 *r)
{
	unsigned char	 k[32], sig[32];
	char		 date[9], hash[65], sighex[65], *canon, *sh, *key;
	char		*sts, *scope, *out;

	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	canon = sigv4_canonical(r, &sh);
	sigv4_sha256_hex(canon, strlen(canon), hash);
	xasprintf(&scope, "%s/%s/%s/aws4_request", date, r->region,
	    r->service);
	xasprintf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", r->amz_date, scope,
	    hash);

	xasprintf(&key, "AWS4%s", r->secret_key);
	hmac(key, strlen(key), date, k);
	explicit_bzero(key, strlen(key));
	free(key);
	hmac(k, 32, r->region, k);
	hmac(k, 32, r->service, k);
	hmac(k, 32, "aws4_request", k);
	hmac(k, 32, sts, sig);
	explicit_bzero(k, sizeof k);
	sigv4_hex(sig, 32, sighex);

	xasprintf(&out, "AWS4-HMAC-SHA256 Credential=%s/%s, "
	    "SignedHeaders=%s, Signature=%s", r->access_key, scope, sh,
	    sighex);
	free(canon);
	free(sh);
	free(scope);
	free(sts);
	return out;
}
