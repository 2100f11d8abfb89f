/*
 * remote-s3-multipart.c: S3's multipart upload for large files. An
 * upload is started (POST ?uploads) and its UploadId saved in the
 * catalogue; parts are sent by up to upload_concurrency threads, each
 * part's ETag saved as it is accepted, so a killed sync resumes with the
 * parts still missing; the completion lists them in order and asks for
 * "If-None-Match: *". An upload the server forgot (NoSuchUpload) starts
 * again once; one that failed is aborted so it stops costing storage.
 *
 * Each part is hashed for its Content-MD5, and its bytes go into the
 * whole file's SHA-256 in the same read, in order: a part waits for the
 * parts before it to be hashed (those a killed sync sent before are read
 * again from the library file). Before the completion, that SHA-256 must
 * be the catalogue's, as for a single PUT: a library file changed since
 * import (bit rot) is not sent under the catalogue's checksum.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "queue.h"
#include "remote.h"
#include "remote-s3.h"
#include "sigv4.h"

#define S3_MAX_PARTS	10000

/* A multipart upload under way, shared by its part threads. */
struct s3_mp {
	struct remote		*r;
	const struct upload	*up;
	const char		*name;		/* the key, below the prefix */
	int			 fd;
	char			*upload_id;
	long long		 part_size;
	int			 nparts;
	char			(*etags)[QUEUE_ETAG_MAX];
	int			 next;		/* next part to look at, 0-based */
	uint64_t		 claimed;	/* end of the last part taken */
	/* the whole file's SHA-256, of the bytes before hashed */
	EVP_MD_CTX		*whole;
	uint64_t		 hashed;
	pthread_mutex_t		 lock;
	pthread_cond_t		 turn;		/* hashed moved, or rc was set */
	int			 rc;		/* first failure, or REMOTE_OK */
	int			 gone;		/* NoSuchUpload: start again */
	char			 error[512];
	long long		 speed;
};

/*
 * Hash part n, from its offset off for len bytes, into md5 and sha, and
 * into the whole file's SHA-256 after the bytes from from (the end of the
 * part taken before it: parts between were sent by an earlier run), once
 * those before from are in it. REMOTE_OK, or REMOTE_FAIL (x->error set,
 * unless another part failed first).
 */
static int
s3_hash_part(struct xfer *x, struct s3_mp *mp, uint64_t from, uint64_t off,
    uint64_t len, unsigned char *md5, unsigned char *sha)
{
	volatile int	*intr = mp->r->interrupted;
	int		 go;

	pthread_mutex_lock(&mp->lock);
	while (mp->hashed != from && mp->rc == REMOTE_OK)
		pthread_cond_wait(&mp->turn, &mp->lock);
	go = mp->rc == REMOTE_OK;
	pthread_mutex_unlock(&mp->lock);
	if (!go)
		return REMOTE_FAIL;
	if ((off > from && remote_hash_part(mp->fd, from, off - from, NULL,
	    NULL, mp->whole, intr) == -1) ||
	    remote_hash_part(mp->fd, off, len, md5, sha, mp->whole,
	    intr) == -1) {
		xfer_error(x, "reading: %s", strerror(errno));
		return REMOTE_FAIL;
	}
	pthread_mutex_lock(&mp->lock);
	mp->hashed = off + len;
	pthread_cond_broadcast(&mp->turn);
	pthread_mutex_unlock(&mp->lock);
	return REMOTE_OK;
}

/*
 * Upload part n (1-based) on x (from: where the part taken before it
 * ends); REMOTE_OK with etags[n - 1] set.
 */
static int
s3_put_part(struct xfer *x, struct s3_mp *mp, int n, uint64_t from)
{
	struct s3_call	 c;
	struct xreq	 rq;
	unsigned char	 md5[16], sha[32];
	char		 md5hex[33], md5b64[32], shahex[65], num[16];
	uint64_t	 off = (uint64_t)(n - 1) * (uint64_t)mp->part_size;
	uint64_t	 len = mp->up->size - off;
	int		 rc;

	if (len > (uint64_t)mp->part_size)
		len = (uint64_t)mp->part_size;
	if ((rc = s3_hash_part(x, mp, from, off, len, md5, sha)) != REMOTE_OK)
		return rc;
	sigv4_hex(sha, 32, shahex);
	sigv4_hex(md5, 16, md5hex);
	remote_base64(md5, 16, md5b64);
	snprintf(num, sizeof num, "%d", n);

	s3_call_init(&c, mp->r->priv, mp->name);
	c.query[0].name = "partNumber";
	c.query[0].value = num;
	c.query[1].name = "uploadId";
	c.query[1].value = mp->upload_id;
	c.nquery = 2;
	s3_call_header(&c, "content-md5", md5b64);
	c.payload_hash = shahex;
	xreq_init(&rq, "PUT");
	rq.has_body = 1;
	rq.body.fd = mp->fd;
	rq.body.off = off;
	rq.body.len = len;
	if ((rc = xreq_perform(x, &rq, s3_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status == 404 && rq.resp != NULL &&
	    strstr(rq.resp, "<Code>NoSuchUpload</Code>") != NULL) {
		pthread_mutex_lock(&mp->lock);
		mp->gone = 1;
		pthread_mutex_unlock(&mp->lock);
		xfer_error(x, "the multipart upload is gone (NoSuchUpload)");
		rc = REMOTE_FAIL;
	} else if (rq.status != 200)
		rc = s3_body_refused(&rq, xreq_http_error(x, &rq, AUTH_HINT));
	else if (rq.etag[0] == '\0' || !s3_etag_ok(rq.etag, md5hex)) {
		xfer_error(x, "part %d: the server's ETag '%s' is not the MD5 "
		    "we sent", n, rq.etag);
		rc = REMOTE_FAIL;
	} else {
		strlcpy_sb(mp->etags[n - 1], rq.etag, QUEUE_ETAG_MAX);
		pthread_mutex_lock(mp->up->lock);
		if (queue_mp_part(mp->up->cat, mp->up->job_id, n, rq.etag) ==
		    -1)
			rc = REMOTE_FAIL;
		pthread_mutex_unlock(mp->up->lock);
	}
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * Parts on x until none are left or one failed. Parts are taken in order,
 * each remembering where the one before it ends, for the whole file's
 * hash; a failure wakes the parts waiting for their turn to hash.
 */
static void
s3_part_loop(struct s3_mp *mp, struct xfer *x)
{
	uint64_t	from = 0;
	int		n, rc;

	for (;;) {
		pthread_mutex_lock(&mp->lock);
		while (mp->next < mp->nparts && mp->etags[mp->next][0] != '\0')
			mp->next++;
		n = mp->rc == REMOTE_OK && !mp->gone && mp->next < mp->nparts ?
		    ++mp->next : 0;
		if (n != 0) {
			from = mp->claimed;
			mp->claimed = (uint64_t)n * (uint64_t)mp->part_size;
			if (mp->claimed > mp->up->size)
				mp->claimed = mp->up->size;
		}
		pthread_mutex_unlock(&mp->lock);
		if (n == 0)
			break;
		if ((rc = s3_put_part(x, mp, n, from)) != REMOTE_OK) {
			pthread_mutex_lock(&mp->lock);
			if (mp->rc == REMOTE_OK) {
				mp->rc = rc;
				memcpy(mp->error, x->error, sizeof mp->error);
			}
			pthread_cond_broadcast(&mp->turn);
			pthread_mutex_unlock(&mp->lock);
			break;
		}
	}
}

/* A part thread, on a connection of its own. */
static void *
s3_part_worker(void *arg)
{
	struct s3_mp	*mp = arg;
	struct xfer	 x;

	xfer_init(&x, mp->r);
	x.speed = mp->speed;
	s3_part_loop(mp, &x);
	xfer_free(&x);
	return NULL;
}

/* Start a multipart upload: POST ?uploads, and remember its UploadId. */
static int
s3_mp_create(struct xfer *x, struct s3_mp *mp)
{
	struct s3_call	 c;
	struct xreq	 rq;
	char		 mtime[40], *s, *e;
	int		 rc;

	s3_call_init(&c, x->remote->priv, mp->name);
	c.query[0].name = "uploads";
	c.query[0].value = "";
	c.nquery = 1;
	s3_object_headers(&c, mp->up, mtime, sizeof mtime);
	xreq_init(&rq, "POST");
	if ((rc = xreq_perform(x, &rq, s3_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status != 200) {
		rc = xreq_http_error(x, &rq, AUTH_HINT);
		goto out;
	}
	if (rq.resp == NULL || (s = strstr(rq.resp, "<UploadId>")) == NULL ||
	    (e = strstr(s, "</UploadId>")) == NULL) {
		xfer_error(x, "POST ?uploads: no UploadId in the answer");
		rc = REMOTE_FAIL;
		goto out;
	}
	s += strlen("<UploadId>");
	mp->upload_id = xstrndup(s, (size_t)(e - s));
	pthread_mutex_lock(mp->up->lock);
	if (queue_mp_set(mp->up->cat, mp->up->job_id, mp->upload_id,
	    mp->part_size) == -1) {
		xfer_error(x, "cannot save the multipart upload");
		rc = REMOTE_FAIL;
	}
	pthread_mutex_unlock(mp->up->lock);
out:
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/* Complete the upload with the parts' ETags in order. */
static int
s3_mp_complete(struct xfer *x, struct s3_mp *mp)
{
	struct s3_call	 c;
	struct xreq	 rq;
	char		*xml, *p, shahex[65];
	size_t		 size;
	int		 i, rc;

	size = 128 + (size_t)mp->nparts * (64 + QUEUE_ETAG_MAX);
	xml = p = xmalloc(size);
again:
	p = xml;
	p += sprintf(p, "<CompleteMultipartUpload>");
	for (i = 0; i < mp->nparts; i++)
		p += sprintf(p, "<Part><PartNumber>%d</PartNumber>"
		    "<ETag>\"%s\"</ETag></Part>", i + 1, mp->etags[i]);
	p += sprintf(p, "</CompleteMultipartUpload>");
	sigv4_sha256_hex(xml, (size_t)(p - xml), shahex);

	s3_call_init(&c, x->remote->priv, mp->name);
	c.query[0].name = "uploadId";
	c.query[0].value = mp->upload_id;
	c.nquery = 1;
	s3_call_header(&c, "content-type", "application/xml");
	if (!((struct s3_priv *)x->remote->priv)->no_condition)
		s3_call_header(&c, "if-none-match", "*");
	c.payload_hash = shahex;
	xreq_init(&rq, "POST");
	rq.has_body = 1;
	rq.body.mem = xml;
	rq.body.len = (uint64_t)(p - xml);
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
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	else if (rq.resp != NULL && strstr(rq.resp, "<Error>") != NULL) {
		/* S3 can fail a completion after answering 200. */
		rq.status = 500;
		xreq_http_error(x, &rq, NULL);
		rc = REMOTE_FAIL;
	}
out:
	xreq_free(&rq);
	s3_call_free(&c);
	free(xml);
	return rc;
}

/* Abort an upload that failed, so it stops costing storage. */
static void
s3_mp_abort(struct xfer *x, struct s3_mp *mp)
{
	struct s3_call	c;
	struct xreq	rq;
	char		saved[sizeof x->error];

	memcpy(saved, x->error, sizeof saved);
	s3_call_init(&c, x->remote->priv, mp->name);
	c.query[0].name = "uploadId";
	c.query[0].value = mp->upload_id;
	c.nquery = 1;
	xreq_init(&rq, "DELETE");
	xreq_perform(x, &rq, s3_prepare, &c);
	xreq_free(&rq);
	s3_call_free(&c);
	memcpy(x->error, saved, sizeof saved);
	pthread_mutex_lock(mp->up->lock);
	queue_mp_clear(mp->up->cat, mp->up->job_id);
	pthread_mutex_unlock(mp->up->lock);
}

/*
 * Abort the multipart upload upload_id at name, left by a sync that was
 * stopped (remote_ops.abort: forget): REMOTE_OK when it is gone, the
 * server's NoSuchUpload included (aborted or expired already).
 */
int
s3_abort(struct xfer *x, const char *name, const char *upload_id)
{
	struct s3_call	c;
	struct xreq	rq;
	int		rc;

	s3_call_init(&c, x->remote->priv, name);
	c.query[0].name = "uploadId";
	c.query[0].value = upload_id;
	c.nquery = 1;
	xreq_init(&rq, "DELETE");
	if ((rc = xreq_perform(x, &rq, s3_prepare, &c)) == REMOTE_OK &&
	    rq.status != 204 && rq.status != 200 && !(rq.status == 404 &&
	    rq.resp != NULL &&
	    strstr(rq.resp, "<Code>NoSuchUpload</Code>") != NULL))
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	xreq_free(&rq);
	s3_call_free(&c);
	return rc;
}

/*
 * Send the parts not yet done, on up to upload_concurrency connections:
 * x's own (this thread) and a thread of its own for each of the others,
 * so a file keeps one curl handle and thread fewer in memory.
 */
static int
s3_mp_parts(struct xfer *x, struct s3_mp *mp)
{
	struct s3_priv	*s = x->remote->priv;
	pthread_t	 tids[32];
	long long	 speed = x->speed;
	int		 i, nthreads, todo = 0;

	for (i = 0; i < mp->nparts; i++)
		if (mp->etags[i][0] == '\0')
			todo++;
	nthreads = todo < s->concurrency ? todo : s->concurrency;
	mp->speed = x->speed > 0 && nthreads > 0 ? x->speed / nthreads : 0;
	if (mp->speed > 0 && mp->speed < 1024)
		mp->speed = 1024;
	mp->next = 0;
	mp->claimed = mp->hashed = 0;
	if (EVP_DigestInit_ex(mp->whole, EVP_sha256(), NULL) != 1)
		fatalx("OpenSSL SHA-256 unavailable");
	mp->rc = REMOTE_OK;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, s3_part_worker, mp) != 0)
			fatalx("cannot start a part thread");
	x->speed = mp->speed;
	s3_part_loop(mp, x);
	x->speed = speed;
	for (i = 1; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	if (mp->rc != REMOTE_OK)
		memcpy(x->error, mp->error, sizeof x->error);
	return mp->rc;
}

/*
 * Is the file the parts hold the catalogue's? The bytes after the last
 * part this run sent (parts an earlier run sent, or every part) go into
 * the whole file's SHA-256 first. REMOTE_OK, or REMOTE_FAIL saying why.
 */
static int
s3_mp_check(struct xfer *x, struct s3_mp *mp)
{
	unsigned char	md[32];
	char		hex[65];

	if (mp->hashed < mp->up->size && remote_hash_part(mp->fd, mp->hashed,
	    mp->up->size - mp->hashed, NULL, NULL, mp->whole,
	    mp->r->interrupted) == -1) {
		xfer_error(x, "reading: %s", strerror(errno));
		return REMOTE_FAIL;
	}
	EVP_DigestFinal_ex(mp->whole, md, NULL);
	sigv4_hex(md, sizeof md, hex);
	if (strcasecmp(hex, mp->up->sha256) != 0) {
		xfer_error(x, "SHA-256 differs from the catalogue's (changed "
		    "since import?)");
		return REMOTE_FAIL;
	}
	return REMOTE_OK;
}

/* A multipart upload, resumed from the catalogue when one was started. */
int
s3_put_multipart(struct xfer *x, const struct upload *up, const char *name,
    int fd)
{
	struct s3_priv	*s = x->remote->priv;
	struct s3_mp	 mp;
	long long	 saved_size = 0;
	int		 rc, found, restarts = 0;

	memset(&mp, 0, sizeof mp);
	mp.r = x->remote;
	mp.up = up;
	mp.name = name;
	mp.fd = fd;
	if ((mp.whole = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory");
	pthread_mutex_init(&mp.lock, NULL);
	pthread_cond_init(&mp.turn, NULL);
again:
	mp.part_size = s->part_size;
	while ((up->size + (uint64_t)mp.part_size - 1) /
	    (uint64_t)mp.part_size > S3_MAX_PARTS)
		mp.part_size *= 2;
	pthread_mutex_lock(up->lock);
	found = queue_mp_get(up->cat, up->job_id, &mp.upload_id, &saved_size);
	pthread_mutex_unlock(up->lock);
	if (found == -1) {
		xfer_error(x, "cannot read the multipart state");
		rc = REMOTE_FAIL;
		goto out;
	}
	if (found == 1 && saved_size >= 5 * MIB)
		mp.part_size = saved_size;
	mp.nparts = (int)((up->size + (uint64_t)mp.part_size - 1) /
	    (uint64_t)mp.part_size);
	mp.etags = xcalloc((size_t)mp.nparts, sizeof *mp.etags);
	if (found == 1) {
		pthread_mutex_lock(up->lock);
		rc = queue_mp_parts(up->cat, up->job_id, mp.nparts, mp.etags);
		pthread_mutex_unlock(up->lock);
		log_debug("remote %s: %s: resuming upload with %d of %d parts "
		    "done", x->remote->name, up->relpath, rc, mp.nparts);
	} else if ((rc = s3_mp_create(x, &mp)) != REMOTE_OK)
		goto out;

	rc = s3_mp_parts(x, &mp);
	if (rc == REMOTE_OK)
		rc = s3_mp_check(x, &mp);
	if (rc == REMOTE_OK)
		rc = s3_mp_complete(x, &mp);
	if (rc != REMOTE_OK && mp.gone && restarts++ == 0) {
		log_debug("remote %s: %s: upload expired; starting again",
		    x->remote->name, up->relpath);
		pthread_mutex_lock(up->lock);
		queue_mp_clear(up->cat, up->job_id);
		pthread_mutex_unlock(up->lock);
		free(mp.upload_id);
		mp.upload_id = NULL;
		free(mp.etags);
		mp.etags = NULL;
		mp.gone = 0;
		goto again;
	}
	if (rc != REMOTE_OK && mp.upload_id != NULL &&
	    !(x->remote->interrupted && *x->remote->interrupted))
		s3_mp_abort(x, &mp);
out:
	free(mp.upload_id);
	free(mp.etags);
	EVP_MD_CTX_free(mp.whole);
	pthread_cond_destroy(&mp.turn);
	pthread_mutex_destroy(&mp.lock);
	return rc;
}
