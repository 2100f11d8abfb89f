/*
 * remote-webdav.c: WebDAV (Nextcloud, ownCloud, NAS boxes). A PUT per file,
 * streamed, to a temporary name beside the final one (.shoebox-tmp.*,
 * recorded in the catalogue first so that the next sync removes it if
 * this one is killed), then a MOVE with "Overwrite: F", which the server
 * refuses (412) rather than replace a file; missing parent collections are
 * made with MKCOL when first needed and remembered. A file where one of
 * them should be fails that upload alone, named. A file already there
 * counts as this one only once it is read back (GET) and hashed. The bytes
 * sent are hashed on the way and must match the catalogue's SHA-256.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "remote.h"
#include "sigv4.h"
#include "remote-dav.h"

#define AUTH_HINT	"check user and password"

struct dav_priv {
	char		*url;		/* base, no trailing '/' */
	char		*prefix;
	char		*user;
	char		*password;
	pthread_mutex_t	 lock;		/* over dirs */
	char		**dirs;		/* collections known to exist */
	size_t		 ndirs, capdirs;
};

/* One WebDAV call. */
struct dav_call {
	struct dav_priv	*d;
	char		*url;
	const char	*ctype;
	char		 mtime[32];
	char		*dest;		/* MOVE: Destination, not replaced */
	const char	*depth;		/* PROPFIND: Depth */
};

static int
dav_open(struct remote *r)
{
	struct dav_priv	*d;
	const char	*v;
	size_t		 n;

	d = xcalloc(1, sizeof *d);
	r->priv = d;
	pthread_mutex_init(&d->lock, NULL);
	if ((v = remote_get(r, "url")) == NULL ||
	    (strncasecmp(v, "http://", 7) != 0 &&
	    strncasecmp(v, "https://", 8) != 0)) {
		log_warnx("remote %s: type webdav needs 'url = https://...'",
		    r->name);
		return -1;
	}
	d->url = xstrdup(v);
	n = strlen(d->url);
	while (n > 0 && d->url[n - 1] == '/')
		d->url[--n] = '\0';
	d->prefix = xstrdup((v = remote_get(r, "prefix")) ? v : "");
	if ((v = remote_get(r, "user")) != NULL)
		d->user = xstrdup(v);
	r->anonymous = d->user == NULL;
	if (remote_secret(r, "password", NULL, &d->password) == -1)
		return -1;
	return 0;
}

static void
dav_close(struct remote *r)
{
	struct dav_priv	*d = r->priv;
	size_t		 i;

	for (i = 0; i < d->ndirs; i++)
		free(d->dirs[i]);
	free(d->dirs);
	free(d->url);
	free(d->prefix);
	free(d->user);
	if (d->password != NULL)
		explicit_bzero(d->password, strlen(d->password));
	free(d->password);
	pthread_mutex_destroy(&d->lock);
	free(d);
	r->priv = NULL;
}

/* The URL of a path below the base (a file, or a collection). */
static char *
dav_url(struct dav_priv *d, const char *path, int collection)
{
	char	*enc, *url;

	enc = sigv4_encode(path, 1);
	xasprintf(&url, "%s/%s%s", d->url, enc, collection ? "/" : "");
	free(enc);
	return url;
}

/* A call c to the file (or collection) at path below the base. */
static void
dav_call_at(struct dav_call *c, struct dav_priv *d, const char *path,
    int collection)
{
	memset(c, 0, sizeof *c);
	c->d = d;
	c->url = dav_url(d, path, collection);
}

/* xreq_prepare for WebDAV: URL, credentials, headers. */
static int
dav_prepare(struct xfer *x, struct xreq *rq, void *arg)
{
	struct dav_call	*c = arg;

	rq->url = xstrdup(c->url);
	if (c->d->user != NULL) {
		curl_easy_setopt(x->curl, CURLOPT_HTTPAUTH,
		    (long)CURLAUTH_BASIC);
		curl_easy_setopt(x->curl, CURLOPT_USERNAME, c->d->user);
		curl_easy_setopt(x->curl, CURLOPT_PASSWORD,
		    c->d->password ? c->d->password : "");
	}
	if (c->ctype != NULL)
		xreq_header(rq, "Content-Type: %s", c->ctype);
	if (c->mtime[0] != '\0')	/* Nextcloud and ownCloud keep it */
		xreq_header(rq, "X-OC-Mtime: %s", c->mtime);
	if (c->dest != NULL) {
		xreq_header(rq, "Destination: %s", c->dest);
		xreq_header(rq, "Overwrite: F");
	}
	if (c->depth != NULL)
		xreq_header(rq, "Depth: %s", c->depth);
	return 0;
}

/* Remove a temporary file a killed upload left; REMOTE_OK or an error. */
static int
dav_discard(struct xfer *x, const char *tmp)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	struct xreq	 rq;
	int		 rc;

	dav_call_at(&c, d, tmp, 0);
	xreq_init(&rq, "DELETE");
	if ((rc = xreq_perform(x, &rq, dav_prepare, &c)) == REMOTE_OK &&
	    rq.status != 404 && (rq.status < 200 || rq.status > 299))
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	xreq_free(&rq);
	free(c.url);
	return rc;
}

/*
 * MOVE from to to, refused if to exists: REMOTE_OK, REMOTE_EXISTS,
 * REMOTE_ABSENT when from is not there (404), or an error.
 */
static int
dav_move(struct xfer *x, const char *from, const char *to)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	struct xreq	 rq;
	int		 rc;

	dav_call_at(&c, d, from, 0);
	c.dest = dav_url(d, to, 0);
	xreq_init(&rq, "MOVE");
	if ((rc = xreq_perform(x, &rq, dav_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status == 412) {
		xfer_error(x, "%s: taken meanwhile", to);
		rc = REMOTE_EXISTS;
	} else if (rq.status == 404)
		rc = REMOTE_ABSENT;
	else if (rq.status != 201 && rq.status != 204)
		rc = xreq_http_error(x, &rq, AUTH_HINT);
out:
	xreq_free(&rq);
	free(c.url);
	free(c.dest);
	return rc;
}

/* Is dir in the cache of collections made? Adds it when add is set. */
static int
dav_known(struct dav_priv *d, const char *dir, int add)
{
	size_t	i;
	int	found = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->ndirs && !found; i++)
		found = strcmp(d->dirs[i], dir) == 0;
	if (!found && add) {
		if (d->ndirs == d->capdirs) {
			d->capdirs = d->capdirs ? d->capdirs * 2 : 16;
			d->dirs = xreallocarray(d->dirs, d->capdirs,
			    sizeof *d->dirs);
		}
		d->dirs[d->ndirs++] = xstrdup(dir);
	}
	pthread_mutex_unlock(&d->lock);
	return found;
}

/* dav_kind's: a response that is a collection (its resourcetype). */
static int
dav_one_collection(void *arg, const char *href, int collection,
    uint64_t size, int has_size)
{
	(void)href;
	(void)size;
	(void)has_size;
	if (collection == DAV_UNREADABLE)
		return -1;	/* an answer not understood, as before */
	*(int *)arg |= collection;
	return 0;
}

/*
 * What is at path on the server (PROPFIND, Depth 0, to its URL as a
 * collection's, ending in '/', with collection)? 1 a collection, 0
 * something else, -1 nothing (or no answer). Read from its resourcetype,
 * not from the word anywhere in the answer (its href may hold it).
 */
static int
dav_kind(struct xfer *x, const char *path, int collection)
{
	struct dav_call	 c;
	struct xreq	 rq;
	int		 is = -1;

	dav_call_at(&c, x->remote->priv, path, collection);
	c.depth = "0";
	xreq_init(&rq, "PROPFIND");
	if (xreq_perform(x, &rq, dav_prepare, &c) == REMOTE_OK &&
	    rq.status == 207 && rq.resp != NULL) {
		is = 0;
		if (dav_list_parse(rq.resp, rq.resplen, dav_one_collection,
		    &is) != 0)
			is = -1;
	}
	xreq_free(&rq);
	free(c.url);
	return is;
}

/*
 * A MKCOL or PUT for path failed as when one of its folders is missing:
 * is one of them a file on the server (PROPFIND each, top down, asked
 * only then)? REMOTE_FAIL with x->error naming it: this file fails, the
 * others go on, as on a dir or SFTP remote. Else REMOTE_OK: the failure
 * has another cause.
 */
static int
dav_in_the_way(struct xfer *x, const char *path)
{
	char	*dir, *p;
	int	 rc = REMOTE_OK;

	/*
	 * Each asked without the '/' a file's URL would not take (Apache may
	 * answer that for a collection with a redirect: on to the next).
	 */
	dir = xstrdup(path);
	for (p = dir; rc == REMOTE_OK && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (dav_kind(x, dir, 0) == 0) {
			xfer_error(x, "folder %s is a file, not a folder", dir);
			rc = REMOTE_FAIL;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * MKCOL each missing ancestor of path, top down; REMOTE_OK or an error.
 * Another upload may make the same collection at the same moment: the
 * MKCOL that loses gets 405, or 403 from Apache's mod_dav, or 409; the
 * collection being there is what counts. A 405 is taken as the collection
 * there unasked (it is, but for a file in its place, which the PUT then
 * finds: dav_in_the_way).
 */
static int
dav_mkparents(struct xfer *x, const char *path)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	struct xreq	 rq;
	char		*dir, *p;
	int		 rc = REMOTE_OK;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL) {
		free(dir);
		return REMOTE_OK;
	}
	*p = '\0';
	if (dav_known(d, dir, 0)) {
		free(dir);
		return REMOTE_OK;
	}
	for (p = dir; rc == REMOTE_OK; p++) {
		p = strchr(p, '/');
		if (p != NULL)
			*p = '\0';
		if (!dav_known(d, dir, 0)) {
			dav_call_at(&c, d, dir, 1);
			xreq_init(&rq, "MKCOL");
			rc = xreq_perform(x, &rq, dav_prepare, &c);
			/* 201 made; 405 already there (some say 301) */
			if (rc == REMOTE_OK && rq.status != 201 &&
			    rq.status != 405 && rq.status != 301 &&
			    rq.status != 200 && dav_kind(x, dir, 1) != 1 &&
			    (rc = dav_in_the_way(x, dir)) == REMOTE_OK)
				rc = xreq_http_error(x, &rq, AUTH_HINT);
			if (rc == REMOTE_OK)
				dav_known(d, dir, 1);
			xreq_free(&rq);
			free(c.url);
		}
		if (p == NULL)
			break;
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * Send the file to a temporary name, then MOVE it to name without
 * replacing anything: REMOTE_EXISTS when name was taken meanwhile.
 */
static int
dav_put(struct xfer *x, const struct upload *up, const char *name)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	struct xreq	 rq;
	struct timespec	 ts;
	unsigned char	 md[32];
	char		*path, *tmp, hex[65];
	int		 fd, rc, moved = 0;

	path = remote_join(d->prefix, name);
	tmp = remote_tmp_name(path);
	memset(&c, 0, sizeof c);
	if ((rc = dav_mkparents(x, path)) != REMOTE_OK)
		goto done;
	if ((fd = remote_open_file(x, up)) == -1) {
		rc = REMOTE_FAIL;
		goto done;
	}
	if ((rc = remote_note_tmp(x, up, tmp)) != REMOTE_OK) {
		close(fd);
		goto done;
	}
	c.d = d;
	c.url = dav_url(d, tmp, 0);
	c.ctype = up->mime;
	remote_timespec(up->mtime_ns, &ts);	/* the second it falls in */
	snprintf(c.mtime, sizeof c.mtime, "%lld", (long long)ts.tv_sec);
	xreq_init(&rq, "PUT");
	rq.has_body = 1;
	rq.body.fd = fd;
	rq.body.len = up->size;
	rq.body.sha = EVP_MD_CTX_new();
	if ((rc = xreq_perform(x, &rq, dav_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status != 200 && rq.status != 201 && rq.status != 204) {
		/* 404 (rclone), 409 (Apache): its folder is not one */
		if ((rq.status != 404 && rq.status != 409) ||
		    (rc = dav_in_the_way(x, path)) == REMOTE_OK)
			rc = xreq_http_error(x, &rq, AUTH_HINT);
		goto out;
	}
	EVP_DigestFinal_ex(rq.body.sha, md, NULL);
	sigv4_hex(md, sizeof md, hex);
	if (strcasecmp(hex, up->sha256) != 0) {
		xfer_error(x, "the bytes sent differ from the catalogue's "
		    "SHA-256 (changed since import?)");
		rc = REMOTE_FAIL;
		goto out;
	}
	/*
	 * The temporary gone: a try of this MOVE that the server carried
	 * out, though its answer was lost or a proxy's 502 came instead,
	 * and the retry found nothing to move (Apache's 404). Where the
	 * file is now tells.
	 */
	if ((rc = dav_move(x, tmp, path)) == REMOTE_ABSENT &&
	    (rc = remote_probe_stat(x, up, name)) == REMOTE_SAME)
		rc = REMOTE_OK;
	else if (rc == REMOTE_OTHER)
		rc = REMOTE_EXISTS;	/* taken meanwhile: what is it? */
	else if (rc == REMOTE_ABSENT) {
		xfer_error(x, "the upload is not on the server: %s is gone",
		    tmp);
		rc = REMOTE_FAIL;
	}
	if (rc == REMOTE_OK)
		moved = 1;
out:
	xreq_free(&rq);
	close(fd);
	if (moved || dav_discard(x, tmp) == REMOTE_OK)
		remote_note_tmp(x, up, NULL);
done:
	free(c.url);
	free(tmp);
	free(path);
	return rc;
}

static int	dav_stat(struct xfer *, const struct upload *, const char *,
	    int, struct remote_stat *);
static int	dav_get(struct xfer *, const char *, int, uint64_t,
		    struct remote_got *);
static int	dav_list(struct xfer *, remote_each, void *);

const struct remote_ops remote_webdav_ops = {
	"webdav", dav_open, remote_probe_stat, dav_put, dav_discard, dav_close,
	.stat = dav_stat,
	.get = dav_get, .list = dav_list
};

/*
 * verify --remote: what HEAD says of the file at name (its size); with
 * full, the file read back and hashed too. REMOTE_OK, REMOTE_ABSENT, or
 * an error.
 */
static int
dav_stat(struct xfer *x, const struct upload *up, const char *name, int full,
    struct remote_stat *st)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	struct xreq	 rq;
	char		*path;
	int		 rc;

	path = remote_join(d->prefix, name);
	dav_call_at(&c, d, path, 0);
	xreq_init(&rq, "HEAD");
	if ((rc = xreq_perform(x, &rq, dav_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status == 404)
		rc = REMOTE_ABSENT;
	else if (rq.status != 200 && rq.status != 401 && rq.status != 407 &&
	    dav_kind(x, path, 1) == 1) {
		/*
		 * A folder at the name: a server answers a HEAD of it with 405
		 * or a redirect to its '/'. Something other than this file,
		 * as on a dir or SFTP remote: ours goes beside it.
		 */
		rc = REMOTE_OTHER;
	} else if (rq.status != 200)
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	else {
		st->size = rq.length;
		if (full)
			rc = remote_stat_read(x, up, dav_prepare, &c, st);
	}
out:
	xreq_free(&rq);
	free(c.url);
	free(path);
	return rc;
}

/* Download the file name into fd (remote_ops.get). */
static int
dav_get(struct xfer *x, const char *name, int fd, uint64_t max,
    struct remote_got *got)
{
	struct dav_priv	*d = x->remote->priv;
	struct dav_call	 c;
	char		*path;
	int		 rc;

	path = remote_join(d->prefix, name);
	dav_call_at(&c, d, path, 0);
	rc = remote_fetch(x, dav_prepare, &c, fd, max, got);
	free(c.url);
	free(path);
	return rc;
}

#define DAV_LIST_DEPTH	64			/* folders below folders */
#define DAV_LIST_MAX	(16 * 1024 * 1024)	/* a PROPFIND answer */

/* A folder being listed: where names start, its sub-folders. */
struct dav_listing {
	const char	*base;		/* decoded path of the prefix, '/' */
	size_t		 baselen;
	const char	*rel;		/* the folder, under the prefix */
	remote_each	 each;
	void		*arg;
	char		**sub;		/* its folders, to list next */
	size_t		 nsub;
	size_t		 cap;
};

/*
 * Is name (under the prefix) in the folder rel: rel/NAME, not "." or
 * "..", and one part only unless deep (a file: a server may answer
 * deeper than Depth 1)?
 */
static int
dav_list_child(const char *rel, const char *name, int deep)
{
	size_t	n = strlen(rel);

	if (n > 0) {
		if (strncmp(name, rel, n) != 0 || name[n] != '/')
			return 0;
		name += n + 1;
	}
	return *name != '\0' && (deep || strchr(name, '/') == NULL) &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* One response of a folder's listing: a file given, a folder kept. */
static int
dav_list_one(void *arg, const char *href, int collection, uint64_t size,
    int has_size)
{
	struct dav_listing	*l = arg;
	struct remote_entry	 e = { NULL, NULL, 0, NULL };
	const char		*p;
	char			*name;
	size_t			 n;
	int			 rc = 0;

	(void)has_size;
	if (collection == DAV_UNREADABLE)
		/* that file (or folder) cannot be fetched; the others can */
		return REMOTE_UNLISTED(l->each, l->arg, href, "its name on "
		    "the server (href) is not a %-escaped path; not restored");
	if ((p = strstr(href, "://")) != NULL && p == strpbrk(href, ":/"))
		href = (p = strchr(p + 3, '/')) != NULL ? p : "/";
	if (strncmp(href, l->base, l->baselen) != 0)
		return 0;
	name = xstrdup(href + l->baselen);
	n = strlen(name);
	while (n > 0 && name[n - 1] == '/')
		name[--n] = '\0';
	if (n == 0 || (collection && strcmp(name, l->rel) == 0))
		free(name);	/* the folder itself */
	else if (!dav_list_child(l->rel, name, !collection))
		/*
		 * Not in this folder: a server that lies. A folder listing
		 * its parent or a sibling, or a sub-folder below its own,
		 * would be listed round and round, or more than once.
		 */
		free(name);
	else if (collection) {
		if (l->nsub == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->sub = xreallocarray(l->sub, l->cap, sizeof *l->sub);
		}
		l->sub[l->nsub++] = name;
	} else {
		e.name = name;
		e.alt = NULL;
		e.size = size;
		rc = l->each(l->arg, &e);
		free(name);
	}
	return rc;
}

/*
 * List the folder rel (under the prefix) with PROPFIND, Depth 1, then
 * each folder in it, depth first: only the names of the folders on the
 * way down are held.
 */
static int
dav_list_dir(struct xfer *x, struct dav_listing *up, const char *rel,
    int depth)
{
	struct dav_priv		*d = x->remote->priv;
	struct dav_listing	 l = *up;
	struct dav_call		 c;
	struct xreq		 rq;
	char			*path;
	size_t			 i;
	int			 rc, prc;

	l.rel = rel;
	l.sub = NULL;
	l.nsub = l.cap = 0;
	path = remote_join(d->prefix, rel);
	dav_call_at(&c, d, path, 1);
	c.depth = "1";
	xreq_init(&rq, "PROPFIND");
	rq.resp_cap = DAV_LIST_MAX;
	if ((rc = xreq_perform(x, &rq, dav_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status != 207)
		rc = xreq_http_error(x, &rq, AUTH_HINT);
	else if (rq.resplen >= DAV_LIST_MAX) {
		xfer_error(x, "%s: a listing of more than %d MB", path,
		    DAV_LIST_MAX / 1024 / 1024);
		rc = REMOTE_FAIL;
	} else if ((prc = dav_list_parse(rq.resp ? rq.resp : "",
	    rq.resplen, dav_list_one, &l)) != 0) {
		if (prc == -1)
			xfer_error(x, "%s: the listing (PROPFIND) is not "
			    "understood", path);
		rc = REMOTE_FAIL;
	}
	xreq_free(&rq);
	/* a folder named twice is listed once: not twice each below it */
	if (l.nsub > 1)
		qsort(l.sub, l.nsub, sizeof *l.sub, strp_cmp);
	for (i = 0; i < l.nsub && rc == REMOTE_OK; i++) {
		if (i > 0 && strcmp(l.sub[i], l.sub[i - 1]) == 0)
			continue;
		if (depth >= DAV_LIST_DEPTH) {
			if (REMOTE_UNLISTED(l.each, l.arg, l.sub[i],
			    "folders too deep (over 64); not listed") == -1)
				rc = REMOTE_FAIL;
		} else
			rc = dav_list_dir(x, &l, l.sub[i], depth + 1);
	}
out:
	for (i = 0; i < l.nsub; i++)
		free(l.sub[i]);
	free(l.sub);
	free(c.url);
	free(path);
	return rc;
}

/* Every file under the prefix (remote_ops.list), a folder at a time. */
static int
dav_list(struct xfer *x, remote_each each, void *arg)
{
	struct dav_priv		*d = x->remote->priv;
	struct dav_listing	 l;
	const char		*p;
	char			*urlpath, *base, *trim;
	int			 rc;

	/* the path of the url, decoded, then the prefix: "/photos/" */
	p = strstr(d->url, "://");
	p = p != NULL ? strchr(p + 3, '/') : NULL;
	urlpath = xstrdup(p != NULL ? p : "");
	if (dav_unpercent(urlpath) == -1) {
		xfer_error(x, "url: a bad %%-escape in %s", d->url);
		free(urlpath);
		return REMOTE_STOP;
	}
	trim = remote_join(urlpath, d->prefix);
	xasprintf(&base, "%s%s%s", trim[0] == '/' ? "" : "/", trim,
	    trim[0] != '\0' && strcmp(trim, "/") != 0 ? "/" : "");
	memset(&l, 0, sizeof l);
	l.base = base;
	l.baselen = strlen(base);
	l.each = each;
	l.arg = arg;
	rc = dav_list_dir(x, &l, "", 0);
	free(base);
	free(trim);
	free(urlpath);
	return rc;
}
