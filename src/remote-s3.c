/*
 * remote-s3.c: S3 and its look-alikes (AWS, Backblaze B2, Wasabi, Ceph RGW,
 * MinIO, R2). Requests are signed by sigv4.c. Small files go up in one PUT,
 * larger ones in a multipart upload (remote-s3-multipart.c) whose parts
 * are sent by a bounded pool of threads; the UploadId and each part's ETag
 * are kept in the catalogue so that a killed sync resumes. Every PUT
 * carries Content-MD5 and its SHA-256 in x-amz-content-sha256 (computed in
 * a first streaming pass), and the object gets rclone's x-amz-meta-mtime
 * and our x-amz-meta-sha256.
 *
 * An object is never replaced: a key is probed first (HEAD: our
 * x-amz-meta-sha256, else an ETag that is the MD5, else the object read
 * back and hashed; only the latter for a file whose copy verify --remote
 * found changed), the PUT or the completion asks for "If-None-Match: *"
 * (honoured by AWS and MinIO; against a server that ignores it, only the
 * probe guards the name, and another program's PUT in the moment between
 * the two can replace ours: verify --remote finds it), and a HEAD
 * afterwards checks that the key holds our bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"
#include "queue.h"
#include "remote.h"
#include "sigv4.h"
#include "remote-s3.h"

#define S3_KEY_MAX	1024	/* bytes of a key, prefix included */
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Read the remote's settings and credentials; 0, or -1 after saying why. */
static int
s3_open(struct remote *r)
{
	struct s3_priv	*s;
	const char	*endpoint, *v, *p;
	char		*ep = NULL;
	size_t		 n;

	s = xcalloc(1, sizeof *s);
	r->priv = s;
	if ((v = remote_get(r, "bucket")) == NULL) {
		log_warnx("remote %s: type s3 needs 'bucket ='", r->name);
		return -1;
	}
	s->bucket = xstrdup(v);
	s->region = xstrdup((v = remote_get(r, "region")) ? v : "us-east-1");
	s->prefix = xstrdup((v = remote_get(r, "prefix")) ? v : "");
	if ((endpoint = remote_get(r, "endpoint")) == NULL) {
		xasprintf(&ep, "https://s3.%s.amazonaws.com", s->region);
		endpoint = ep;
	}
	if ((p = strstr(endpoint, "://")) == NULL) {
		s->scheme = xstrdup("https");
		p = endpoint;
	} else {
		s->scheme = xstrndup(endpoint, (size_t)(p - endpoint));
		p += 3;
	}
	n = strcspn(p, "/");
	s->authority = xstrndup(p, n);
	free(ep);
	if (strcmp(s->scheme, "http") != 0 && strcmp(s->scheme, "https") != 0) {
		log_warnx("remote %s: endpoint must be http:// or https://",
		    r->name);
		return -1;
	}
	v = remote_get(r, "url_style");
	if (v == NULL)
		s->virtual_host = remote_get(r, "endpoint") == NULL;
	else if (strcasecmp(v, "virtual") == 0)
		s->virtual_host = 1;
	else if (strcasecmp(v, "path") != 0) {
		log_warnx("remote %s: url_style must be path or virtual",
		    r->name);
		return -1;
	}
	s->storage_class = remote_get(r, "storage_class");
	s->threshold = config_get_size(r->cfg, r->section,
	    "multipart_threshold", 64 * MIB);
	s->part_size = config_get_size(r->cfg, r->section, "part_size",
	    16 * MIB);
	s->concurrency = (int)config_get_size(r->cfg, r->section,
	    "upload_concurrency", 4);
	if (s->threshold < 0 || s->part_size < 5 * MIB ||
	    s->part_size > 5120 * MIB || s->concurrency < 1 ||
	    s->concurrency > 32) {
		log_warnx("remote %s: multipart_threshold, part_size (5M to 5G) "
		    "or upload_concurrency (1 to 32) not understood", r->name);
		return -1;
	}
	if (remote_secret(r, "access_key_id", "AWS_ACCESS_KEY_ID",
	    &s->access_key) == -1 ||
	    remote_secret(r, "secret_access_key", "AWS_SECRET_ACCESS_KEY",
	    &s->secret_key) == -1 ||
	    remote_secret(r, "session_token", "AWS_SESSION_TOKEN",
	    &s->token) == -1)
		return -1;
	if (s->access_key == NULL || s->secret_key == NULL) {
		log_warnx("remote %s: no credentials: set access_key_id and "
		    "secret_access_key (in the config, in secret_file, or as "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", r->name);
		return -1;
	}
	return 0;
}

/* Free the settings, wiping the secret. */
static void
s3_close(struct remote *r)
{
	struct s3_priv	*s = r->priv;

	free(s->scheme);
	free(s->authority);
	free(s->bucket);
	free(s->region);
	free(s->prefix);
	free(s->access_key);
	if (s->secret_key != NULL)
		explicit_bzero(s->secret_key, strlen(s->secret_key));
	free(s->secret_key);
	free(s->token);
	free(s);
	r->priv = NULL;
}

/* Start a call on the object for relpath. */
void
s3_call_init(struct s3_call *c, struct s3_priv *s, const char *relpath)
{
	char	*key, *enc;

	memset(c, 0, sizeof *c);
	c->s = s;
	key = remote_join(s->prefix, relpath);
	enc = sigv4_encode(key, 1);
	if (s->virtual_host)
		xasprintf(&c->path, "/%s", enc);
	else
		xasprintf(&c->path, "/%s/%s", s->bucket, enc);
	free(key);
	free(enc);
	c->payload_hash = EMPTY_SHA256;
}

/* Free what the call holds. */
void
s3_call_free(struct s3_call *c)
{
	free(c->path);
}

/* Add a header to sign and send (c->hdr holds 10). */
void
s3_call_header(struct s3_call *c, const char *name, const char *value)
{
	c->hdr[c->nhdr].name = name;
	c->hdr[c->nhdr].value = value;
	c->nhdr++;
}

/* xreq_prepare for S3: the URL, and headers signed for now. */
int
s3_prepare(struct xfer *x, struct xreq *rq, void *arg)
{
	struct s3_call	*c = arg;
	struct s3_priv	*s = c->s;
	struct sigv4_kv	 h[16];
	struct sigv4	 sig;
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 date[20], *host, *q, *auth;
	size_t		 i, n = 0;

	(void)x;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
	if (s->virtual_host)
		xasprintf(&host, "%s.%s", s->bucket, s->authority);
	else
		host = xstrdup(s->authority);
	h[n].name = "host";
	h[n++].value = host;
	h[n].name = "x-amz-date";
	h[n++].value = date;
	h[n].name = "x-amz-content-sha256";
	h[n++].value = c->payload_hash;
	if (s->token != NULL) {
		h[n].name = "x-amz-security-token";
		h[n++].value = s->token;
	}
	for (i = 0; i < c->nhdr; i++)
		h[n++] = c->hdr[i];

	memset(&sig, 0, sizeof sig);
	sig.method = rq->method;
	sig.path = c->path;
	sig.query = c->query;
	sig.nquery = c->nquery;
	sig.headers = h;
	sig.nheaders = n;
	sig.payload_hash = c->payload_hash;
	sig.amz_date = date;
	sig.region = s->region;
	sig.service = "s3";
	sig.access_key = s->access_key;
	sig.secret_key = s->secret_key;
	auth = sigv4_authorization(&sig);

	q = sigv4_query(c->query, c->nquery);
	xasprintf(&rq->url, "%s://%s%s%s%s", s->scheme, host, c->path,
	    *q ? "?" : "", q);
	for (i = 0; i < n; i++)
		xreq_header(rq, "%s: %s", h[i].name, h[i].value);
	xreq_header(rq, "Authorization: %s", auth);
	free(auth);
	free(q);
	free(host);
	return 0;
}

/*
 * After a 403 or 400 on a HEAD (which has no body), ask again with a GET
 * of one byte to learn the server's error code, so that the message says
 * SignatureDoesNotMatch or InvalidAccessKeyId instead of just 403.
 */
static int
s3_explain(struct xfer *x, struct s3_call *c, struct xreq *head)
{
	struct xreq	rq;
	int		rc;

	xreq_init(&rq, "GET");
	s3_call_header(c, "range", "bytes=0-0");
	if (xreq_perform(x, &rq, s3_prepare, c) == REMOTE_OK &&
	    rq.status >= 400 && rq.resp != NULL) {
		rq.method = "HEAD";
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	} else
		rc = xreq_http_error(x, head, AUTH_HINT);
	xreq_free(&rq);
	return rc;
}

/*
 * The answer to a PUT of a body (an object or a part) that was not what
 * its headers said: 400 BadDigest (Content-MD5), XAmzContentSHA256Mismatch
 * or IncompleteBody. The file's bytes changed, or read otherwise, as they
 * went: that file fails, and the remote goes on (xreq_http_error would
 * take the 400 for the remote refusing, and stop it for every file). rc
 * as xreq_http_error gives it, or REMOTE_FAIL.
 */
int
s3_body_refused(const struct xreq *rq, int rc)
{
	if (rq->status == 400 && rq->resp != NULL &&
	    (strstr(rq->resp, "<Code>BadDigest</Code>") != NULL ||
	    strstr(rq->resp, "<Code>XAmzContentSHA256Mismatch</Code>") !=
	    NULL || strstr(rq->resp, "<Code>IncompleteBody</Code>") != NULL))
		return REMOTE_FAIL;
	return rc;
}

/* Is etag (quotes dropped) a plain MD5, as a single PUT's is? */
static int
s3_etag_is_md5(const char *etag)
{
	size_t	i;

	for (i = 0; etag[i] != '\0'; i++)
		if (!isxdigit((unsigned char)etag[i]))
			return 0;
	return i == 32;
}

/* REMOTE_SAME when the library file's MD5 is etag, else REMOTE_OTHER. */
static int
s3_same_md5(struct xfer *x, const struct upload *up, const char *etag)
{
	unsigned char	md5[16];
	char		hex[33];
	int		fd, rc;

	if ((fd = remote_open_file(x, up)) == -1)
		return REMOTE_FAIL;
	rc = remote_hash_region(fd, 0, up->size, md5, NULL,
	    x->remote->interrupted);
	close(fd);
	if (rc == -1) {
		xfer_error(x, "reading: %s", strerror(errno));
		return REMOTE_FAIL;
	}
	sigv4_hex(md5, sizeof md5, hex);
	return strcasecmp(hex, etag) == 0 ? REMOTE_SAME : REMOTE_OTHER;
}

/*
 * HEAD the object of c into rq (freed by the caller): REMOTE_OK when it
 * is there (200), REMOTE_ABSENT (404), or an error explained.
 */
static int
s3_head(struct xfer *x, struct s3_call *c, struct xreq *rq)
{
	int	rc;

	xreq_init(rq, "HEAD");
	if ((rc = xreq_perform(x, rq, s3_prepare, c)) != REMOTE_OK)
		return rc;
	if (rq->status == 200)
		return REMOTE_OK;
	if (rq->status == 404)
		return REMOTE_ABSENT;
	if (rq->status == 403 || rq->status == 400 || rq->status == 401)
		return s3_explain(x, c, rq);
	return xreq_http_error(x, rq, AUTH_HINT);
}

/*
 * Can name be an S3 key: UTF-8, and with the prefix at most S3_KEY_MAX
 * bytes? A library file named in another encoding (an adopted tree's
 * Latin-1 names) is answered 400, or 403 SignatureDoesNotMatch by a
 * server that decodes the key otherwise than it was signed, and a key too
 * long 400 KeyTooLongError: either reads as the remote refusing, and
 * would stop it for every file after, night after night. 1, or 0 with
 * x->error saying why.
 */
static int
s3_key_ok(struct xfer *x, const char *name)
{
	struct s3_priv		*s = x->remote->priv;
	const unsigned char	*p = (const unsigned char *)name;
	char			*key;
	size_t			 n = strlen(name), l;

	for (; n > 0; p += l, n -= l)
		if ((l = utf8_len(p, n)) == 0) {
			xfer_error(x, "its name is not UTF-8, which S3 keys "
			    "must be; not sent (rename it, then forget and "
			    "adopt it)");
			return 0;
		}
	key = remote_join(s->prefix, name);
	n = strlen(key);
	free(key);
	if (n > S3_KEY_MAX) {
		xfer_error(x, "its key would be %zu bytes, over S3's %d; not "
		    "sent (shorten its path)", n, S3_KEY_MAX);
		return 0;
	}
	return 1;
}

/*
 * What the object at name is: REMOTE_ABSENT, REMOTE_SAME when proven to
 * be this file (x-amz-meta-sha256; for an object without it, an ETag that
 * is the file's MD5, or the object read back), REMOTE_OTHER; or an error.
 * A file queued again after its copy was found changed (up->reread) is
 * proven only by the object read back: bytes that went bad on the server
 * keep the metadata and the ETag of those sent.
 */
static int
s3_probe(struct xfer *x, const struct upload *up, const char *name)
{
	struct s3_call	c;
	struct xreq	rq;
	int		rc;

	if (!s3_key_ok(x, name))
		return REMOTE_FAIL;	/* this file's alone: the others go */
	s3_call_init(&c, x->remote->priv, name);
	if ((rc = s3_head(x, &c, &rq)) != REMOTE_OK)
		goto out;
	if (rq.length >= 0 && rq.length != (long long)up->size)
		rc = REMOTE_OTHER;
	else if (up->reread)
		rc = remote_read_back(x, up, s3_prepare, &c);
	else if (rq.meta_sha256[0] != '\0')
		rc = strcasecmp(rq.meta_sha256, up->sha256) == 0 ?
		    REMOTE_SAME : REMOTE_OTHER;
	else if (s3_etag_is_md5(rq.etag))
		rc = s3_same_md5(x, up, rq.etag);
	else
		rc = remote_read_back(x, up, s3_prepare, &c);
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * After a PUT or a completion: does name hold this file (our SHA-256)?
 * REMOTE_OK; REMOTE_EXISTS when another object is there now; an error.
 */
static int
s3_verify(struct xfer *x, const struct upload *up, const char *name)
{
	struct s3_call	c;
	struct xreq	rq;
	int		rc;

	s3_call_init(&c, x->remote->priv, name);
	if ((rc = s3_head(x, &c, &rq)) == REMOTE_ABSENT) {
		xfer_error(x, "the object is not there after its upload");
		rc = REMOTE_FAIL;
	} else if (rc == REMOTE_OK && (rq.length != (long long)up->size ||
	    strcasecmp(rq.meta_sha256, up->sha256) != 0))
		rc = REMOTE_EXISTS;
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * What a conditional write's answer means: 412 (or 409, a concurrent
 * conditional write) the key is taken; 501 the server does not do
 * "If-None-Match" (then 1: try again without it, the probe having
 * checked); 0 to go on.
 */
int
s3_condition(struct xfer *x, struct xreq *rq, int *rc)
{
	struct s3_priv	*s = x->remote->priv;

	if (rq->status == 412 || rq->status == 409) {
		xfer_error(x, "the name was taken meanwhile");
		*rc = REMOTE_EXISTS;
		return 0;
	}
	if (rq->status == 501 && !s->no_condition) {
		log_debug("remote %s: If-None-Match not implemented; relying "
		    "on the check before each upload", x->remote->name);
		s->no_condition = 1;
		return 1;
	}
	return 0;
}

/* The headers every new object gets: type, mtime, SHA-256, class. */
void
s3_object_headers(struct s3_call *c, const struct upload *up, char *mtime,
    size_t size)
{
	remote_mtime_str(up->mtime_ns, mtime, size);
	s3_call_header(c, "content-type", up->mime);
	s3_call_header(c, "x-amz-meta-mtime", mtime);
	s3_call_header(c, "x-amz-meta-sha256", up->sha256);
	if (c->s->storage_class != NULL)
		s3_call_header(c, "x-amz-storage-class", c->s->storage_class);
}

/* Is etag (quotes dropped) the hex MD5 we sent? Servers may differ; lenient. */
int
s3_etag_ok(const char *etag, const char *md5hex)
{
	if (strlen(etag) != 32 || strchr(etag, '-') != NULL)
		return 1;	/* not an MD5 (SSE-KMS, some gateways) */
	return strcasecmp(etag, md5hex) == 0;
}

/* One PUT for a small file, only if the key is free. */
static int
s3_put_single(struct xfer *x, const struct upload *up, const char *name,
    int fd)
{
	struct s3_call	c;
	struct xreq	rq;
	unsigned char	md5[16], sha[32];
	char		md5hex[33], md5b64[32], shahex[65], mtime[40];
	int		rc;

	if (remote_hash_region(fd, 0, up->size, md5, sha,
	    x->remote->interrupted) == -1) {
		xfer_error(x, "reading: %s", strerror(errno));
		return REMOTE_FAIL;
	}
	sigv4_hex(sha, 32, shahex);
	if (strcasecmp(shahex, up->sha256) != 0) {
		xfer_error(x, "SHA-256 differs from the catalogue's (changed "
		    "since import?)");
		return REMOTE_FAIL;
	}
	sigv4_hex(md5, 16, md5hex);
	remote_base64(md5, 16, md5b64);

again:
	s3_call_init(&c, x->remote->priv, name);
	s3_object_headers(&c, up, mtime, sizeof mtime);
	s3_call_header(&c, "content-md5", md5b64);
	if (!((struct s3_priv *)x->remote->priv)->no_condition)
		s3_call_header(&c, "if-none-match", "*");
	c.payload_hash = shahex;
	xreq_init(&rq, "PUT");
	rq.has_body = 1;
	rq.body.fd = fd;
	rq.body.len = up->size;
	if ((rc = xreq_perform(x, &rq, s3_prepare, &c)) != REMOTE_OK)
		goto out;
	if (s3_condition(x, &rq, &rc)) {
		xreq_free(&rq);
		s3_call_free(&c);
		goto again;
	}
	if (rc == REMOTE_EXISTS)
		goto out;
	if (rq.status != 200)
		rc = s3_body_refused(&rq, xreq_http_error(x, &rq, AUTH_HINT));
	else if (!s3_etag_ok(rq.etag, md5hex)) {
		xfer_error(x, "the server's ETag %s is not the MD5 we sent",
		    rq.etag);
		rc = REMOTE_FAIL;
		/*
		 * Other bytes than those hashed went (the file changed, or
		 * read otherwise, as it was sent) to a server that does not
		 * check Content-MD5: the object has our SHA-256 in its
		 * metadata, and the next sync would take it for the file.
		 * It must read it back instead.
		 */
		pthread_mutex_lock(up->lock);
		queue_changed(up->cat, up->job_id);
		pthread_mutex_unlock(up->lock);
	}
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * Send the file to name, which the probe found free, without replacing
 * what another writer may have put there meanwhile; then check it.
 */
static int
s3_put(struct xfer *x, const struct upload *up, const char *name)
{
	struct s3_priv	*s = x->remote->priv;
	char		 saved[sizeof x->error];
	int		 fd, rc;

	if ((fd = remote_open_file(x, up)) == -1)
		return REMOTE_FAIL;
	if ((long long)up->size >= s->threshold && up->size > 0) {
		rc = s3_put_multipart(x, up, name, fd);
		/*
		 * A completion the server carried out, its answer lost (a
		 * proxy's 502, a dropped connection): the retry finds no
		 * such upload (404 NoSuchUpload, which stopped the remote as
		 * refusing; s3rver answers 500). Where the object is tells.
		 */
		if (rc == REMOTE_FAIL || rc == REMOTE_STOP) {
			memcpy(saved, x->error, sizeof saved);
			if (s3_verify(x, up, name) == REMOTE_OK) {
				log_debug("remote %s: %s: its completion was "
				    "carried out (%s)", x->remote->name, name,
				    saved);
				close(fd);
				return REMOTE_OK;
			}
			memcpy(x->error, saved, sizeof saved);
		}
	} else
		rc = s3_put_single(x, up, name, fd);
	close(fd);
	if (rc == REMOTE_OK)
		rc = s3_verify(x, up, name);
	return rc;
}

static int	s3_stat(struct xfer *, const struct upload *, const char *,
	    int, struct remote_stat *);
static int	s3_get(struct xfer *, const char *, int, uint64_t,
		    struct remote_got *);
static int	s3_list(struct xfer *, remote_each, void *);

const struct remote_ops remote_s3_ops = {
	"s3", s3_open, s3_probe, s3_put, NULL, s3_close,
	.stat = s3_stat,
	.get = s3_get, .list = s3_list, .abort = s3_abort
};

/*
 * verify --remote: what HEAD says of the object at name (its size, our
 * x-amz-meta-sha256, an ETag that is an MD5); with full, the object read
 * back and hashed too. REMOTE_OK, REMOTE_ABSENT, or an error.
 */
static int
s3_stat(struct xfer *x, const struct upload *up, const char *name, int full,
    struct remote_stat *st)
{
	struct s3_call	c;
	struct xreq	rq;
	int		rc;

	s3_call_init(&c, x->remote->priv, name);
	if ((rc = s3_head(x, &c, &rq)) != REMOTE_OK)
		goto out;
	st->size = rq.length;
	if (strlen(rq.meta_sha256) == 64)
		memcpy(st->sha256, rq.meta_sha256, 65);
	if (s3_etag_is_md5(rq.etag))
		memcpy(st->md5, rq.etag, 33);
	if (full)
		rc = remote_stat_read(x, up, s3_prepare, &c, st);
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/* Download the object name into fd (remote_ops.get). */
static int
s3_get(struct xfer *x, const char *name, int fd, uint64_t max,
    struct remote_got *got)
{
	struct s3_call	c;
	int		rc;

	s3_call_init(&c, x->remote->priv, name);
	rc = remote_fetch(x, s3_prepare, &c, fd, max, got);
	s3_call_free(&c);
	return rc;
}

#define LIST_KEYS	"1000"			/* keys asked for a page */
#define LIST_RESP_MAX	(16 * 1024 * 1024)	/* a page's XML, at most */

/* A listing on its way: where keys start, whom to tell. */
struct s3_listing {
	const char	*prefix;	/* "PREFIX/", or "" */
	size_t		 plen;
	remote_each	 each;
	void		*arg;
};

/* One key of a page, its prefix taken off; folders' markers left out. */
static int
s3_list_key(void *arg, const char *key, const char *alt, uint64_t size)
{
	struct s3_listing	*l = arg;
	struct remote_entry	 e = { NULL, NULL, 0, NULL };

	if (strncmp(key, l->prefix, l->plen) != 0)
		return 0;
	e.name = key + l->plen;
	e.alt = alt != NULL && strncmp(alt, l->prefix, l->plen) == 0 ?
	    alt + l->plen : NULL;
	e.size = size;
	if (e.name[0] == '\0' || e.name[strlen(e.name) - 1] == '/')
		return 0;
	return l->each(l->arg, &e);
}

/*
 * One page of the bucket's keys under the prefix, after marker (NULL:
 * from the start). REMOTE_OK with *more and *last (the page's last key:
 * the next marker) set, or an error.
 */
static int
s3_list_page(struct xfer *x, struct s3_listing *l, const char *marker,
    int *more, char **last)
{
	struct s3_priv	*s = x->remote->priv;
	struct s3_call	 c;
	struct xreq	 rq;
	int		 rc, prc;

	*last = NULL;
	memset(&c, 0, sizeof c);
	c.s = s;
	if (s->virtual_host)
		c.path = xstrdup("/");
	else
		xasprintf(&c.path, "/%s", s->bucket);
	c.payload_hash = EMPTY_SHA256;
	c.query[c.nquery].name = "max-keys";
	c.query[c.nquery++].value = LIST_KEYS;
	if (l->plen > 0) {
		c.query[c.nquery].name = "prefix";
		c.query[c.nquery++].value = l->prefix;
	}
	if (marker != NULL) {
		c.query[c.nquery].name = "marker";
		c.query[c.nquery++].value = marker;
	}
	xreq_init(&rq, "GET");
	rq.resp_cap = LIST_RESP_MAX;
	if ((rc = xreq_perform(x, &rq, s3_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status != 200)
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	else if (rq.resplen >= LIST_RESP_MAX) {
		xfer_error(x, "a listing page of more than %d MB",
		    LIST_RESP_MAX / 1024 / 1024);
		rc = REMOTE_FAIL;
	} else if ((prc = s3_list_parse(rq.resp ? rq.resp : "", rq.resplen,
	    s3_list_key, l, more, last)) == -1) {
		xfer_error(x, "the listing (ListObjects) is not understood");
		rc = REMOTE_FAIL;
	} else if (prc == 2)
		rc = REMOTE_FAIL;
	else if (*more && *last == NULL) {
		xfer_error(x, "a listing page says more follow, but has none");
		rc = REMOTE_FAIL;
	}
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * Every object under the prefix (remote_ops.list), a page at a time.
 * ListObjects (V1) with a marker, the last key of the page before: s3rver
 * fails (500) on a truncated ListObjectsV2.
 */
static int
s3_list(struct xfer *x, remote_each each, void *arg)
{
	struct s3_priv		*s = x->remote->priv;
	struct s3_listing	 l;
	char			*trim, *prefix, *marker = NULL, *last;
	int			 rc, more = 1;

	trim = remote_join(s->prefix, "");
	if (trim[0] != '\0')
		xasprintf(&prefix, "%s/", trim);
	else
		prefix = xstrdup("");
	free(trim);
	l.prefix = prefix;
	l.plen = strlen(prefix);
	l.each = each;
	l.arg = arg;
	do {
		rc = s3_list_page(x, &l, marker, &more, &last);
		/*
		 * S3 lists keys in order, each page after its marker. A
		 * page that ends at or before it (the same page again, or
		 * pages going round) would be asked for again forever.
		 */
		if (rc == REMOTE_OK && more && marker != NULL &&
		    strcmp(last, marker) <= 0) {
			xfer_error(x, "a listing page after %s ends at %s, "
			    "not after it: the listing would never end",
			    marker, last);
			rc = REMOTE_FAIL;
		}
		free(marker);
		marker = last;
	} while (rc == REMOTE_OK && more);
	free(marker);
	free(prefix);
	return rc;
}
