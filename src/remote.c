/*
 * remote.c: what every kind of remote shares. Reads a [remote NAME]
 * section and its secrets, and uploads one file, whatever the kind
 * (remote_upload): the name it goes to (its own, else NAME-1.EXT ...;
 * nothing is ever replaced), "already there" only when proven,
 * temporaries recorded and cleaned. The requests themselves go through
 * xreq.c.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "catalog.h"
#include "queue.h"
#include "remote.h"
#include "sigv4.h"
#include "store.h"

/* Names tried for one file: NAME, NAME-1.EXT ... NAME-999.EXT. */
#define REMOTE_VARIANTS	1000
#define REMOTE_HASH_BUF	(64 * 1024)	/* remote_hash_region's read size */

/* Body bytes sent by every worker, for the progress line. */
uint64_t	remote_bytes_sent;

static const struct remote_ops *remote_kinds[] = {
	&remote_s3_ops, &remote_webdav_ops, &remote_sftp_ops, &remote_dir_ops,
	NULL
};

/* The value of key in this remote's section, or NULL. */
const char *
remote_get(const struct remote *r, const char *key)
{
	return config_get(r->cfg, r->section, key);
}

/* A duration in seconds such as 30, 1.5, 100ms; def when unset. */
static double
remote_seconds(struct remote *r, const char *key, double def)
{
	const char	*v = remote_get(r, key);
	double		 d;

	if (v == NULL)
		return def;
	return config_parse_seconds(v, &d) == -1 ? -1 : d;
}

/*
 * Whether the config has a [remote name] section: 0, or -1 after saying it
 * has not (who: the command), before anything is opened or made for it.
 */
int
remote_configured(const struct config *cfg, const char *name,
    const char *who)
{
	const char	**names;
	int		  i, n;

	n = config_sections(cfg, "remote", &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 0;
	log_warnx("%s: no [remote %s] in the config (%s)", who, log_esc(name),
	    log_esc(config_path(cfg)));
	return -1;
}

/*
 * Set when remote_open failed because the remote is not there now (a dir
 * remote's disk not mounted), not because of its settings: sync goes on
 * with the other remotes.
 */
int	remote_open_absent;

/*
 * Open the remote called name from the config: its kind, the settings every
 * kind shares, then the kind's own. NULL after saying what is wrong.
 */
struct remote *
remote_open(const struct config *cfg, const char *name)
{
	struct remote	*r;
	const char	*type;
	double		 d;
	int		 i;

	remote_open_absent = 0;
	if (remote_configured(cfg, name, "remote") == -1)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	xasprintf(&r->section, "remote %s", name);
	r->cfg = cfg;
	if ((type = remote_get(r, "type")) == NULL) {
		log_warnx("remote %s: no 'type =' (s3, webdav, sftp or dir)",
		    name);
		goto fail;
	}
	for (i = 0; remote_kinds[i] != NULL; i++)
		if (strcasecmp(remote_kinds[i]->type, type) == 0)
			r->ops = remote_kinds[i];
	if (r->ops == NULL) {
		log_warnx("remote %s: unknown type '%s' (s3, webdav, sftp or "
		    "dir)", name, type);
		goto fail;
	}
	r->retries = (int)config_get_size(cfg, r->section, "retries", 5);
	if ((r->retry_delay = remote_seconds(r, "retry_delay", 1)) < 0 ||
	    (d = remote_seconds(r, "timeout", 60)) < 1 || r->retries < 0 ||
	    r->retries > 100) {
		log_warnx("remote %s: retries, retry_delay or timeout not "
		    "understood", name);
		goto fail;
	}
	r->timeout = (long)d;
	if ((d = remote_seconds(r, "connect_timeout", 30)) < 1) {
		log_warnx("remote %s: connect_timeout not understood", name);
		goto fail;
	}
	r->connect_timeout = (long)d;
	r->tls_verify = config_get_bool(cfg, r->section, "tls_verify", 1);
	r->ca_file = remote_get(r, "ca_file");
	r->transfers = 1;
	if (r->ops->open(r) == -1)
		goto fail;
	return r;
fail:
	remote_close(r);
	return NULL;
}

/*
 * Is the remote's folder empty or not there (remote_ops.empty: a backup
 * disk not mounted, or wiped)? Says so for who (a command): 1, else 0.
 */
int
remote_emptied(struct remote *r, const char *who)
{
	if (r->ops->empty == NULL || !r->ops->empty(r))
		return 0;
	log_warnx("%s: remote %s: its folder is empty: is the disk mounted?",
	    who, r->name);
	return 1;
}

void
remote_close(struct remote *r)
{
	if (r == NULL)
		return;
	if (r->ops != NULL && r->priv != NULL)
		r->ops->close(r);
	free(r->name);
	free(r->section);
	free(r);
}

/* Look key up in a secret file's "key = value" lines; new string or NULL. */
static char *
secret_file_value(const char *text, const char *key, int primary)
{
	const char	*line, *eol, *p, *v;
	size_t		 klen = strlen(key);
	int		 lines = 0;
	char		*only = NULL, *out;

	for (line = text; *line != '\0'; line = *eol ? eol + 1 : eol) {
		eol = line + strcspn(line, "\r\n");
		if (eol == line || *line == '#')
			continue;
		lines++;
		free(only);
		only = xstrndup(line, (size_t)(eol - line));
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, key, klen) != 0)
			continue;
		for (v = p + klen; *v == ' ' || *v == '\t'; v++)
			;
		if (*v != '=' || v >= eol)
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		out = xstrndup(v, (size_t)(eol - v));
		while (*out != '\0' && isspace((unsigned char)
		    out[strlen(out) - 1]))
			out[strlen(out) - 1] = '\0';
		if (only != NULL)
			explicit_bzero(only, strlen(only));
		free(only);
		return out;
	}
	if (primary && lines == 1)
		return only;
	if (only != NULL)
		explicit_bzero(only, strlen(only));
	free(only);
	return NULL;
}

/*
 * A secret: key in the remote's section, else in the file named by
 * 'secret_file =' ("key = value" lines, or just the secret on one line for
 * the primary secret), else the environment variable env. *out gets a new
 * string, or NULL when there is none. -1 when the secret file cannot be
 * used (others can read it, like ssh refusing a private key).
 */
int
remote_secret(struct remote *r, const char *key, const char *env,
    char **out)
{
	const char	*v, *file;
	struct stat	 sb;
	char		 text[8192];
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if ((v = remote_get(r, key)) != NULL && *v != '\0') {
		*out = xstrdup(v);
		return 0;
	}
	if ((file = remote_get(r, "secret_file")) != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			log_warn("remote %s: secret_file %s", r->name, file);
			return -1;
		}
		if (fstat(fd, &sb) == -1) {
			log_warn("remote %s: secret_file %s", r->name, file);
			close(fd);
			return -1;
		}
		if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
			log_warnx("remote %s: secret_file %s can be read by "
			    "others (mode %04o); run: chmod 600 %s", r->name,
			    file, (unsigned)(sb.st_mode & 07777), file);
			close(fd);
			return -1;
		}
		n = read(fd, text, sizeof text - 1);
		close(fd);
		if (n < 0) {
			log_warn("remote %s: secret_file %s", r->name, file);
			return -1;
		}
		text[n] = '\0';
		*out = secret_file_value(text, key,
		    strcmp(key, "secret_access_key") == 0 ||
		    strcmp(key, "password") == 0);
		explicit_bzero(text, sizeof text);
		if (*out != NULL)
			return 0;
	}
	if (env != NULL && (v = getenv(env)) != NULL && *v != '\0')
		*out = xstrdup(v);
	return 0;
}

/* a/b joined with one '/', either part possibly empty; new string. */
char *
remote_join(const char *a, const char *b)
{
	size_t	 la;
	char	*out;

	while (*b == '/')
		b++;
	la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	if (la == 0)
		return xstrdup(b);
	if (*b == '\0')
		return xstrndup(a, la);
	xasprintf(&out, "%.*s/%s", (int)la, a, b);
	return out;
}

/*
 * A time in nanoseconds (the catalogue's mtime_ns) as a timespec, for
 * futimens: the seconds rounded down, so that tv_nsec stays in 0 to
 * 999999999 before 1970 too (-0.5 s is -1 s and 500000000 ns).
 */
void
remote_timespec(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	if (ts->tv_nsec < 0) {
		ts->tv_nsec += 1000000000;
		ts->tv_sec--;
	}
}

/*
 * mtime as rclone writes it: seconds, '.', nine digits of nanoseconds, a
 * '-' before for a time before 1970 ("-0.500000000" is half a second
 * before).
 */
void
remote_mtime_str(int64_t ns, char *buf, size_t size)
{
	uint64_t	a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	snprintf(buf, size, "%s%llu.%09llu", ns < 0 ? "-" : "",
	    (unsigned long long)(a / 1000000000),
	    (unsigned long long)(a % 1000000000));
}

/* Standard base64 of n bytes into out (4 * ceil(n / 3) + 1 bytes). */
void
remote_base64(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/*
 * One streaming pass over a file region with a fixed buffer (store_pass):
 * its MD5 and SHA-256 (either output may be NULL). 0, or -1 with errno set.
 * The buffer is REMOTE_HASH_BUF, not store.c's larger one: every S3 part
 * thread hashes at once, and below malloc's mmap threshold it is reused
 * from one call to the next instead of mapped and unmapped each time.
 */
int
remote_hash_region(int fd, uint64_t off, uint64_t len, unsigned char *md5,
    unsigned char *sha256, volatile int *interrupted)
{
	return remote_hash_part(fd, off, len, md5, sha256, NULL, interrupted);
}

/*
 * remote_hash_region, the region's bytes also going into whole (an
 * EVP_MD_CTX *, or NULL): the SHA-256 of the file a part is of, fed a
 * part at a time, in order.
 */
int
remote_hash_part(int fd, uint64_t off, uint64_t len, unsigned char *md5,
    unsigned char *sha256, void *whole, volatile int *interrupted)
{
	struct store_pass p;
	char		  err[256];
	int		  rc, e;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.off = off;
	p.len = len;
	p.out = -1;
	p.whole = whole;
	p.interrupted = interrupted;
	p.buf = xmalloc(REMOTE_HASH_BUF);
	p.bufsize = REMOTE_HASH_BUF;
	if (md5 != NULL && ((p.md5 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p.md5, EVP_md5(), NULL) != 1))
		fatalx("OpenSSL MD5 unavailable");
	if (sha256 != NULL && ((p.sha256 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p.sha256, EVP_sha256(), NULL) != 1))
		fatalx("OpenSSL SHA-256 unavailable");
	if ((rc = store_pass(&p, err, sizeof err)) == 0) {
		if (md5 != NULL)
			EVP_DigestFinal_ex(p.md5, md5, NULL);
		if (sha256 != NULL)
			EVP_DigestFinal_ex(p.sha256, sha256, NULL);
	}
	e = errno;
	EVP_MD_CTX_free(p.md5);
	EVP_MD_CTX_free(p.sha256);
	free(p.buf);
	errno = e;
	return rc == 0 ? 0 : -1;
}

/*
 * Open the library file to upload (up->path, which is the library's path,
 * "/", up->relpath), never through a symbolic link inside the library, and
 * check that it still is what the catalogue says (size). The descriptor,
 * or -1 with x->error set.
 */
int
remote_open_file(struct xfer *x, const struct upload *up)
{
	struct stat	 sb;
	size_t		 plen = strlen(up->path), rlen = strlen(up->relpath);
	char		*top, err[512];
	int		 fd;

	if (plen <= rlen || up->path[plen - rlen - 1] != '/' ||
	    strcmp(up->path + plen - rlen, up->relpath) != 0)
		fatalx("remote_open_file: %s is not below its library",
		    up->path);
	top = xstrndup(up->path, plen - rlen - 1);
	fd = store_open_file(top, up->relpath, err, sizeof err);
	free(top);
	if (fd == -1) {
		if (errno == ENOENT)
			xfer_error(x, "not in the library any more (moved or "
			    "deleted?): shoebox verify lists such files, "
			    "restore brings them back, forget drops those "
			    "deleted on purpose");
		else
			xfer_error(x, "%s", err);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || (uint64_t)sb.st_size != up->size) {
		xfer_error(x, "size differs from the catalogue's (changed "
		    "since import?)");
		close(fd);
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return fd;
}

/*
 * The n-th name for relpath on a remote, as the library names collisions:
 * n == 0 relpath itself, else DIR/NAME-n.EXT (store_name_candidate); for
 * a sidecar whose main file is there as main, its whole name and the
 * sidecar's extension, then MAIN.1.EXT ... (store_name_nth), which pair
 * with that file alone (DIR/IMG_0001-1.XMP would pair with another's
 * IMG_0001-1.JPG, and IMG_0001.JPG-1.XMP with none: restore --rebuild
 * left it out). New string.
 */
char *
remote_variant(const char *relpath, const char *main, int n)
{
	const char	*mn, *ext = strrchr(relpath, '.');
	char		*alt = NULL, *out;
	size_t		 size;

	mn = main != NULL ? strrchr(main, '/') : NULL;
	mn = mn != NULL ? mn + 1 : main;
	if (main != NULL && ext != NULL && strchr(ext, '/') == NULL &&
	    strlen(mn) + strlen(ext) <= NAME_MAX)
		xasprintf(&alt, "%s%s", main, ext);
	size = strlen(relpath) + (alt != NULL ? strlen(alt) : 0) + 16;
	out = xmalloc(size);
	if (store_name_nth(relpath, alt, n, out, size) == -1)
		fatalx("remote_variant: no room for -%d", n);
	free(alt);
	return out;
}

/*
 * A temporary name beside path (same directory), recognisably ours:
 * DIR/.shoebox-tmp.<16 random hex digits>. New string.
 */
char *
remote_tmp_name(const char *path)
{
	unsigned char	 rnd[8];
	const char	*slash = strrchr(path, '/');
	char		 hex[17], *out;
	size_t		 got = 0;
	ssize_t		 n;

	while (got < sizeof rnd) {
		n = getrandom(rnd + got, sizeof rnd - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("getrandom");
		got += (size_t)n;
	}
	sigv4_hex(rnd, sizeof rnd, hex);
	xasprintf(&out, "%.*s.shoebox-tmp.%s", slash ? (int)(slash - path + 1)
	    : 0, path, hex);
	return out;
}

/*
 * Record in the catalogue, before it is made, the temporary file an upload
 * creates on the remote (NULL: it is gone), so that the next sync removes
 * it if this one dies first. REMOTE_OK, or REMOTE_FAIL with x->error set.
 */
int
remote_note_tmp(struct xfer *x, const struct upload *up, const char *tmp)
{
	int	rc;

	pthread_mutex_lock(up->lock);
	rc = queue_tmp(up->cat, up->job_id, tmp);
	pthread_mutex_unlock(up->lock);
	if (rc == -1) {
		xfer_error(x, "cannot record a temporary file in the catalogue");
		return REMOTE_FAIL;
	}
	return REMOTE_OK;
}

/*
 * The read-back of a kind's stat (full): the copy downloaded and hashed
 * into st->read, unless its size already says it is another file.
 */
int
remote_stat_read(struct xfer *x, const struct upload *up,
    xreq_prepare prepare, void *arg, struct remote_stat *st)
{
	int	rc;

	if (st->size >= 0 && (uint64_t)st->size != up->size)
		return REMOTE_OK;
	rc = remote_read_back(x, up, prepare, arg);
	if (rc == REMOTE_SAME || rc == REMOTE_OTHER) {
		st->read = rc;
		rc = REMOTE_OK;
	}
	return rc;
}

/*
 * A kind's probe through its stat: REMOTE_ABSENT; REMOTE_OTHER when the
 * size differs or the bytes read back do; REMOTE_SAME when they are this
 * file's; or an error.
 */
int
remote_probe_stat(struct xfer *x, const struct upload *up, const char *name)
{
	struct remote_stat	st;
	int			rc;

	memset(&st, 0, sizeof st);
	st.size = st.mtime = -1;
	if ((rc = x->remote->ops->stat(x, up, name, 1, &st)) != REMOTE_OK)
		return rc;
	if (st.size >= 0 && (uint64_t)st.size != up->size)
		return REMOTE_OTHER;
	return st.read == REMOTE_SAME ? REMOTE_SAME : REMOTE_OTHER;
}

/*
 * Download what the remote holds (prepare builds the GET) and hash it:
 * REMOTE_SAME when it is this file's bytes, REMOTE_OTHER when not,
 * REMOTE_ABSENT when it is not there, or an error.
 */
int
remote_read_back(struct xfer *x, const struct upload *up,
    xreq_prepare prepare, void *arg)
{
	struct xreq	rq;
	unsigned char	md[32];
	char		hex[65];
	int		rc;

	xreq_init(&rq, "GET");
	/* More than the file's bytes is not the file: not read through. */
	rq.recv.max = up->size > INT64_MAX ? INT64_MAX : (int64_t)up->size;
	if ((rq.recv.sha = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory");
	rc = xreq_perform(x, &rq, prepare, arg);
	if (rq.recv.over) {
		x->error[0] = '\0';
		rc = REMOTE_OTHER;
		goto out;
	}
	if (rc != REMOTE_OK)
		goto out;
	if (rq.status == 404)
		rc = REMOTE_ABSENT;
	else if (rq.status == 401 || rq.status == 403 || rq.status >= 500)
		rc = xreq_http_error(x, &rq, NULL);
	else if (rq.status != 200 && rq.status != 0)
		rc = REMOTE_OTHER;	/* a collection, a redirect ... */
	else {
		EVP_DigestFinal_ex(rq.recv.sha, md, NULL);
		sigv4_hex(md, sizeof md, hex);
		rc = rq.recv.len == up->size && strcasecmp(hex, up->sha256) ==
		    0 ? REMOTE_SAME : REMOTE_OTHER;
	}
out:
	rq.recv.fd = -1;	/* xreq_free would empty it */
	xreq_free(&rq);
	return rc;
}

/*
 * Record the name the file is going to; REMOTE_OK or REMOTE_FAIL. A
 * multipart upload an interrupted try began under the name recorded
 * before (taken meanwhile by another file) is aborted first: the queue
 * forgets it, and S3 would keep its parts, and bill them, for good.
 */
static int
remote_target(struct xfer *x, struct upload *up, const char *name)
{
	char	*id = NULL, saved[sizeof x->error];
	long long size;
	int	rc;

	if (up->remote_path != NULL && strcmp(up->remote_path, name) == 0)
		return REMOTE_OK;
	if (up->remote_path != NULL && x->remote->ops->abort != NULL) {
		pthread_mutex_lock(up->lock);
		rc = queue_mp_get(up->cat, up->job_id, &id, &size);
		pthread_mutex_unlock(up->lock);
		memcpy(saved, x->error, sizeof saved);
		if (rc == 1 && x->remote->ops->abort(x, up->remote_path, id)
		    != REMOTE_OK)
			log_warnx("remote %s: the unfinished upload of %s "
			    "(upload id %s) could not be aborted (%s): S3 "
			    "keeps its parts, and bills them, until it is",
			    x->remote->name, log_esc(up->remote_path),
			    log_esc(id), x->error);
		memcpy(x->error, saved, sizeof saved);
		free(id);
	}
	pthread_mutex_lock(up->lock);
	rc = queue_target(up->cat, up->job_id, name);
	pthread_mutex_unlock(up->lock);
	if (rc == -1) {
		xfer_error(x, "cannot record the upload's name in the "
		    "catalogue");
		return REMOTE_FAIL;
	}
	free(up->remote_path);
	up->remote_path = xstrdup(name);
	return REMOTE_OK;
}

/*
 * Are the names up's sidecars would have beside it at name (its name
 * there) free of other files, so that they go up beside it and still
 * pair with it by name? REMOTE_ABSENT when each is free or holds that
 * sidecar already, REMOTE_OTHER when one holds another file, or an error
 * of the remote. A sidecar that cannot be judged (its library file gone,
 * where only a read of it would tell) does not hold its main back: it
 * takes a name of its own when it goes up.
 */
static int
remote_sidecars_free(struct xfer *x, struct upload *up, const char *name)
{
	char	*sc;
	int	 i, rc = REMOTE_ABSENT;

	for (i = 0; i < up->nsidecars && rc == REMOTE_ABSENT; i++) {
		if ((sc = queue_sidecar_base(up->sidecars[i].relpath,
		    up->relpath, name)) == NULL)
			sc = xstrdup(up->sidecars[i].relpath);
		if ((rc = x->remote->ops->probe(x, &up->sidecars[i], sc)) ==
		    REMOTE_SAME)
			rc = REMOTE_ABSENT;
		else if (rc == REMOTE_FAIL) {
			log_debug("remote %s: %s: %s", x->remote->name, sc,
			    x->error);
			x->error[0] = '\0';
			rc = REMOTE_ABSENT;
		} else if (rc == REMOTE_OTHER)
			log_debug("remote %s: %s: a different file is there, "
			    "where a sidecar of %s would go", x->remote->name,
			    sc, name);
		free(sc);
	}
	return rc;
}

/*
 * Send one file so that nothing on the remote is ever replaced: under its
 * own name, else NAME-1.EXT, NAME-2.EXT ... Each name is probed: proven to
 * hold this file's content, the job is done without a transfer; free, the
 * file goes there (a put that finds it taken meanwhile replaces nothing,
 * and the name is probed again); anything else, the next name. A name
 * recorded by an earlier, interrupted try is probed first. A temporary
 * file a killed try left is removed. On REMOTE_OK, up->remote_path is
 * where the file is and *skipped says whether it was there already.
 */
int
remote_upload(struct xfer *x, struct upload *up, int *skipped)
{
	const struct remote_ops	*ops = x->remote->ops;
	const char		*base = up->base != NULL ? up->base :
				    up->relpath;
	char			*name, *recorded = NULL, p[4096], q[4096];
	int			 n, races = 0, rc, sidecar = 0;

	*skipped = 0;
	x->waited = 0;
	if (up->tmp_path != NULL) {
		if (ops->discard != NULL &&
		    (rc = ops->discard(x, up->tmp_path)) != REMOTE_OK)
			return rc;
		log_debug("remote %s: %s, left by an interrupted upload, is "
		    "gone", x->remote->name, up->tmp_path);
		if (remote_note_tmp(x, up, NULL) != REMOTE_OK)
			return REMOTE_FAIL;
		free(up->tmp_path);
		up->tmp_path = NULL;
	}
	if (up->remote_path != NULL) {
		recorded = xstrdup(up->remote_path);
		name = xstrdup(recorded);
		n = -1;
	} else {
		name = remote_variant(base, up->main_there, 0);
		n = 0;
	}
	for (;;) {
		rc = ops->probe(x, up, name);
		if (rc == REMOTE_SAME) {
			*skipped = 1;
			rc = remote_target(x, up, name);
			break;
		}
		if (rc == REMOTE_ABSENT && (rc = remote_sidecars_free(x, up,
		    name)) == REMOTE_OTHER && n <= 0)
			sidecar = 1;	/* free, but not its sidecar's */
		if (rc == REMOTE_ABSENT) {
			if ((rc = remote_target(x, up, name)) != REMOTE_OK)
				break;
			rc = ops->put(x, up, name);
			if (rc != REMOTE_EXISTS)
				break;
			if (++races > 10) {
				xfer_error(x, "%s: taken by another upload, "
				    "again and again", name);
				rc = REMOTE_FAIL;
				break;
			}
			continue;	/* taken meanwhile: what is it? */
		}
		if (rc != REMOTE_OTHER)
			break;
		log_debug("remote %s: %s: a different file is there",
		    x->remote->name, name);
		do {
			free(name);
			name = ++n < REMOTE_VARIANTS ?
			    remote_variant(base, up->main_there, n) :
			    NULL;
		} while (name != NULL && recorded != NULL &&
		    strcmp(name, recorded) == 0);
		if (name == NULL) {
			xfer_error(x, "no free name on the remote");
			rc = REMOTE_FAIL;
			break;
		}
	}
	if (rc == REMOTE_OK && recorded != NULL && strcmp(name, recorded) == 0 &&
	    strcmp(name, base) != 0)
		log_info("remote %s: %s: %s as %s, the name an earlier try of "
		    "it took", x->remote->name, log_path(base, p, sizeof p),
		    *skipped ? "already there" : "sent", log_path(name, q,
		    sizeof q));
	else if (rc == REMOTE_OK && sidecar && strcmp(name, base) != 0)
		log_info("remote %s: %s: a different file has its sidecar's "
		    "name there; %s as %s, for its sidecars to go beside it",
		    x->remote->name, log_path(base, p, sizeof p), *skipped ?
		    "already there" : "sent", log_path(name, q, sizeof q));
	else if (rc == REMOTE_OK && strcmp(name, base) != 0)
		log_info("remote %s: %s: a different file has that name "
		    "there; %s as %s", x->remote->name, log_path(base,
		    p, sizeof p), *skipped ? "already there" : "sent",
		    log_path(name, q, sizeof q));
	else if (rc == REMOTE_OK && base != up->relpath)
		log_info("remote %s: %s: %s as %s, beside its main file, "
		    "which went up under another name", x->remote->name,
		    log_path(up->relpath, p, sizeof p), *skipped ?
		    "already there" : "sent", log_path(name, q, sizeof q));
	free(name);
	free(recorded);
	return rc;
}

/*
 * Download what prepare's request (a GET) answers into fd, hashed as it
 * arrives (remote_ops.get for the kinds that speak through xreq.c), max
 * bytes at most (xreq.c stops the transfer at the byte after, or at a
 * Content-Length over it: got->over). A retry starts the file again.
 * REMOTE_OK with got filled in, REMOTE_ABSENT, or an error with x->error
 * set.
 */
int
remote_fetch(struct xfer *x, xreq_prepare prepare, void *arg, int fd,
    uint64_t max, struct remote_got *got)
{
	struct xreq	rq;
	unsigned char	md[32];
	int		rc;

	memset(got, 0, sizeof *got);
	xreq_init(&rq, "GET");
	rq.recv.fd = fd;
	rq.recv.max = max > INT64_MAX ? INT64_MAX : (int64_t)max;
	rq.filetime = 1;
	if ((rq.recv.sha = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory");
	rc = xreq_perform(x, &rq, prepare, arg);
	if (rq.recv.over) {
		got->over = 1;
		xfer_error(x, "the remote sent more than the %llu bytes "
		    "expected", (unsigned long long)max);
		rc = REMOTE_FAIL;
	} else if (rq.recv.werr != 0) {
		xfer_error(x, "writing the download: %s",
		    strerror(rq.recv.werr));
		rc = REMOTE_FAIL;
	}
	if (rc != REMOTE_OK)
		goto out;
	if (rq.status == 404)
		rc = REMOTE_ABSENT;
	else if (rq.status != 200 && rq.status != 0)
		rc = xreq_http_error(x, &rq, NULL);
	else {
		EVP_DigestFinal_ex(rq.recv.sha, md, NULL);
		sigv4_hex(md, sizeof md, got->sha256);
		got->size = rq.recv.len;
		snprintf(got->meta_sha256, sizeof got->meta_sha256, "%s",
		    rq.meta_sha256);
		got->has_mtime = remote_mtime_parse(rq.meta_mtime,
		    &got->mtime_ns) == 0;
		if (!got->has_mtime && rq.mtime >= 0) {
			/* Last-Modified, whatever year the server says */
			struct timespec	ts = { (time_t)rq.mtime, 0 };

			got->mtime_ns = catalog_ns(&ts);
			got->has_mtime = 1;
		}
	}
out:
	rq.recv.fd = -1;	/* xreq_free would empty it */
	xreq_free(&rq);
	return rc;
}

/*
 * An mtime as rclone writes it ("1562249460.123456789", fewer digits of
 * fraction allowed) into *ns; 0, or -1 when s is not one.
 */
int
remote_mtime_parse(const char *s, int64_t *ns)
{
	int64_t	sec = 0, frac = 0;
	int	digits = 0, n = 0, neg = *s == '-';

	if (neg)
		s++;
	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (sec > (INT64_MAX / 1000000000 - 9) / 10)
			return -1;
		sec = sec * 10 + (*s - '0');
	}
	if (n == 0)
		return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (digits < 9) {
				frac = frac * 10 + (*s - '0');
				digits++;
			}
	if (*s != '\0')
		return -1;
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = sec * 1000000000 + frac;
	if (neg)
		*ns = -*ns;
	return 0;
}

/* Is name (a path) a temporary file an upload makes (remote_tmp_name)? */
int
remote_is_tmp(const char *name)
{
	const char	*base = strrchr(name, '/');

	base = base != NULL ? base + 1 : name;
	return strncmp(base, ".shoebox-tmp.", 13) == 0;
}
