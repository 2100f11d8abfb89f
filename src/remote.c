/*
 * remote.c: what every kind of remote shares. Reads a [remote NAME]
 * section and its secrets, and runs requests through libcurl: bodies
 * streamed from the file through curl's own buffer (never a whole file or
 * part in memory), retries with exponential backoff and jitter for 5xx,
 * 429, timeouts and dropped connections, stall and connect timeouts, TLS
 * verification, and errors turned into one line that never holds a secret.
 * And the upload of one file, whatever the kind (remote_upload): the name
 * it goes to (its own, else NAME-1.EXT ...; nothing is ever replaced),
 * "already there" only when proven, temporaries recorded and cleaned.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "queue.h"
#include "remote.h"
#include "sigv4.h"
#include "store.h"

/* Names tried for one file: NAME, NAME-1.EXT ... NAME-999.EXT. */
#define REMOTE_VARIANTS	1000

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
	char		*end;
	double		 d;

	if (v == NULL)
		return def;
	d = strtod(v, &end);
	if (end == v || d < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		d /= 1000;
	else if (strcmp(end, "m") == 0)
		d *= 60;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -1;
	return d;
}

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

/* mtime as rclone writes it: seconds, '.', nine digits of nanoseconds. */
void
remote_mtime_str(int64_t ns, char *buf, size_t size)
{
	int64_t	s = ns / 1000000000, f = ns % 1000000000;

	if (f < 0) {
		f += 1000000000;
		s--;
	}
	snprintf(buf, size, "%lld.%09lld", (long long)s, (long long)f);
}

/* Standard base64 of n bytes into out (4 * ceil(n / 3) + 1 bytes). */
void
remote_base64(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

void
xfer_init(struct xfer *x, struct remote *r)
{
	memset(x, 0, sizeof *x);
	x->remote = r;
	if ((x->curl = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
}

void
xfer_free(struct xfer *x)
{
	if (x->curl != NULL)
		curl_easy_cleanup(x->curl);
	x->curl = NULL;
}

/* Say why the current operation failed (kept in x->error). */
void
xfer_error(struct xfer *x, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(x->error, sizeof x->error, fmt, ap);
	va_end(ap);
}

void
xreq_init(struct xreq *rq, const char *method)
{
	memset(rq, 0, sizeof *rq);
	rq->method = method;
	rq->body.fd = -1;
	rq->length = -1;
	rq->retry_after = -1;
}

/* Forget what the last attempt built and received. */
static void
xreq_reset(struct xreq *rq)
{
	free(rq->url);
	rq->url = NULL;
	curl_slist_free_all(rq->headers);
	rq->headers = NULL;
	curl_slist_free_all(rq->postquote);
	rq->postquote = NULL;
	free(rq->resp);
	rq->resp = NULL;
	rq->resplen = 0;
	rq->status = 0;
	rq->etag[0] = rq->meta_sha256[0] = '\0';
	rq->length = -1;
	rq->retry_after = -1;
	rq->curl_rc = CURLE_OK;
	rq->body.pos = 0;
	rq->recv.len = 0;
	if (rq->recv.sha != NULL)
		EVP_DigestInit_ex(rq->recv.sha, EVP_sha256(), NULL);
}

void
xreq_free(struct xreq *rq)
{
	xreq_reset(rq);
	if (rq->body.sha != NULL)
		EVP_MD_CTX_free(rq->body.sha);
	rq->body.sha = NULL;
	if (rq->recv.sha != NULL)
		EVP_MD_CTX_free(rq->recv.sha);
	rq->recv.sha = NULL;
}

/* Add one "Name: value" header. */
void
xreq_header(struct xreq *rq, const char *fmt, ...)
{
	va_list	 ap;
	char	*h;

	va_start(ap, fmt);
	if (vasprintf(&h, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	rq->headers = curl_slist_append(rq->headers, h);
	free(h);
	if (rq->headers == NULL)
		fatalx("out of memory");
}

/* curl's read callback: the next bytes of the body, straight from disk. */
static size_t
xreq_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xreq	*rq = arg;
	struct xbody	*b = &rq->body;
	size_t		 want = size * nitems, got = 0;
	ssize_t		 n;

	if (want > b->len - b->pos)
		want = (size_t)(b->len - b->pos);
	if (b->mem != NULL) {
		memcpy(buf, b->mem + b->pos, want);
		got = want;
	}
	while (got < want && b->mem == NULL) {
		n = pread(b->fd, buf + got, want - got,
		    (off_t)(b->off + b->pos + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)	/* the file shrank or cannot be read */
			return CURL_READFUNC_ABORT;
		got += (size_t)n;
	}
	if (b->sha != NULL)
		EVP_DigestUpdate(b->sha, buf, got);
	b->pos += got;
	/*
	 * A retry (or curl rewinding) sends the body again from the start:
	 * count each of the file's bytes once, not once per try.
	 */
	if (b->mem == NULL && b->pos > b->counted) {
		__atomic_fetch_add(&remote_bytes_sent, b->pos - b->counted,
		    __ATOMIC_RELAXED);
		b->counted = b->pos;
	}
	return got;
}

/* curl's seek callback: only back to the start (redirects, auth). */
static int
xreq_seek(void *arg, curl_off_t off, int origin)
{
	struct xreq	*rq = arg;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > rq->body.len)
		return CURL_SEEKFUNC_CANTSEEK;
	if (rq->body.sha != NULL) {
		if (off != 0)
			return CURL_SEEKFUNC_CANTSEEK;
		EVP_DigestInit_ex(rq->body.sha, EVP_sha256(), NULL);
	}
	rq->body.pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

/* curl's write callback: keep the start of the body (XML), drop the rest. */
static size_t
xreq_write(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xreq	*rq = arg;
	size_t		 n = size * nitems, keep = n;

	if (rq->recv.sha != NULL) {
		EVP_DigestUpdate(rq->recv.sha, buf, n);
		rq->recv.len += n;
	}
	if (rq->resplen + keep > RESP_MAX)
		keep = RESP_MAX - rq->resplen;
	if (keep > 0) {
		if (rq->resp == NULL)
			rq->resp = xmalloc(RESP_MAX + 1);
		memcpy(rq->resp + rq->resplen, buf, keep);
		rq->resplen += keep;
		rq->resp[rq->resplen] = '\0';
	}
	return n;
}

/* Copy a header's value (trimmed, quotes dropped) into out. */
static void
header_copy(const char *v, size_t n, char *out, size_t size)
{
	while (n > 0 && (*v == ' ' || *v == '"')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' ' || v[n - 1] == '"'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

/* curl's header callback: the few response headers we use. */
static size_t
xreq_headers(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xreq	*rq = arg;
	size_t		 n = size * nitems;
	char		 v[80];

	if (n > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		rq->etag[0] = rq->meta_sha256[0] = '\0';
		rq->length = rq->retry_after = -1;
	} else if (n > 5 && strncasecmp(buf, "etag:", 5) == 0)
		header_copy(buf + 5, n - 5, rq->etag, sizeof rq->etag);
	else if (n > 18 && strncasecmp(buf, "x-amz-meta-sha256:", 18) == 0)
		header_copy(buf + 18, n - 18, rq->meta_sha256,
		    sizeof rq->meta_sha256);
	else if (n > 15 && strncasecmp(buf, "content-length:", 15) == 0) {
		header_copy(buf + 15, n - 15, v, sizeof v);
		rq->length = strtoll(v, NULL, 10);
	} else if (n > 12 && strncasecmp(buf, "retry-after:", 12) == 0) {
		header_copy(buf + 12, n - 12, v, sizeof v);
		if (isdigit((unsigned char)v[0]))
			rq->retry_after = strtol(v, NULL, 10);
	}
	return n;
}

/* curl's progress callback: stop when the user interrupts. */
static int
xreq_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct xfer	*x = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	return x->remote->interrupted != NULL && *x->remote->interrupted;
}

/* Is this curl error worth another try (network, not configuration)? */
static int
curl_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_SSH:
	case CURLE_AGAIN:
		return 1;
	default:
		return 0;
	}
}

/* Is this HTTP answer worth another try? */
static int
http_transient(const struct xreq *rq)
{
	if (rq->status >= 500 || rq->status == 429 || rq->status == 408)
		return 1;
	/* S3: "Your socket connection to the server was not read from..." */
	return rq->status == 400 && rq->resp != NULL &&
	    strstr(rq->resp, "<Code>RequestTimeout</Code>") != NULL;
}

/* Sleep for attempt n's backoff (or Retry-After); 0, or -1 if interrupted. */
static int
backoff(struct remote *r, int attempt, long retry_after)
{
	struct timespec	 ts;
	double		 d = r->retry_delay;
	long		 ms;
	int		 i;

	for (i = 0; i < attempt && d < 60; i++)
		d *= 2;
	if (d > 60)
		d = 60;
	d = d / 2 + d / 2 * ((double)(random() % 1000) / 1000);	/* jitter */
	if (retry_after > 0)
		d = retry_after > 300 ? 300 : (double)retry_after;
	for (ms = (long)(d * 1000); ms > 0; ms -= 100) {
		if (r->interrupted != NULL && *r->interrupted)
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = (ms < 100 ? ms : 100) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The text between <tag> and </tag> in an XML body, into out. */
static void
xml_text(const char *xml, const char *tag, char *out, size_t size)
{
	char		 open[64], close[64];
	const char	*s, *e;

	out[0] = '\0';
	if (xml == NULL)
		return;
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	if ((s = strstr(xml, open)) == NULL)
		return;
	s += strlen(open);
	if ((e = strstr(s, close)) == NULL)
		return;
	header_copy(s, (size_t)(e - s), out, size);
}

/*
 * Turn an HTTP answer we cannot use into x->error, with the server's error
 * code and message when it sent them and a hint for auth failures. Returns
 * REMOTE_AUTH for 401/403, REMOTE_STOP for other 4xx, else REMOTE_FAIL.
 */
int
xreq_http_error(struct xfer *x, const struct xreq *rq, const char *hint)
{
	char	code[80], msg[200];

	xml_text(rq->resp, "Code", code, sizeof code);
	xml_text(rq->resp, "Message", msg, sizeof msg);
	if (code[0] == '\0')
		snprintf(code, sizeof code, "%s", rq->status == 401 ?
		    "Unauthorized" : rq->status == 403 ? "Forbidden" :
		    rq->status == 404 ? "Not Found" : rq->status == 409 ?
		    "Conflict" : "error");
	xfer_error(x, "%s %ld %s%s%s%s%s", rq->method, rq->status, code,
	    msg[0] ? ": " : "", msg,
	    (rq->status == 401 || rq->status == 403) && hint ? ": " : "",
	    (rq->status == 401 || rq->status == 403) && hint ? hint : "");
	if (rq->status == 401 || rq->status == 403)
		return REMOTE_AUTH;
	if (rq->status >= 400 && rq->status < 500)
		return REMOTE_STOP;
	return REMOTE_FAIL;
}

/* Options every request gets. */
static void
xreq_common(struct xfer *x, struct xreq *rq)
{
	struct remote	*r = x->remote;
	CURL		*c = x->curl;

	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "shoebox/" SHOEBOX_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, r->connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, r->timeout);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,sftp");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	if (r->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
	if (x->speed > 0)
		curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
		    (curl_off_t)x->speed);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xreq_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, xreq_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rq);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, xreq_headers);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rq);
}

/* The method and the body. */
static void
xreq_method(struct xfer *x, struct xreq *rq)
{
	CURL	*c = x->curl;
	uint64_t len = rq->has_body ? rq->body.len : 0;

	if (rq->has_body) {
		curl_easy_setopt(c, CURLOPT_READFUNCTION, xreq_read);
		curl_easy_setopt(c, CURLOPT_READDATA, rq);
		curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, xreq_seek);
		curl_easy_setopt(c, CURLOPT_SEEKDATA, rq);
		if (rq->body.sha != NULL)
			EVP_DigestInit_ex(rq->body.sha, EVP_sha256(), NULL);
	}
	if (strcmp(rq->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
		if (!rq->has_body) {
			curl_easy_setopt(c, CURLOPT_READFUNCTION, xreq_read);
			curl_easy_setopt(c, CURLOPT_READDATA, rq);
		}
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		if (!rq->has_body)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	} else if (strcmp(rq->method, "HEAD") == 0 || rq->nobody)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(rq->method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	/* No "Expect: 100-continue": one round trip, simple proxies. */
	rq->headers = curl_slist_append(rq->headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, rq->headers);
	if (rq->postquote != NULL)
		curl_easy_setopt(c, CURLOPT_POSTQUOTE, rq->postquote);
	if (rq->create_dirs)
		curl_easy_setopt(c, CURLOPT_FTP_CREATE_MISSING_DIRS,
		    (long)CURLFTP_CREATE_DIR_RETRY);
}

/* A curl failure as one line, with a hint where we have one. */
static void
curl_message(struct xfer *x, struct xreq *rq, CURLcode rc,
    const char *errbuf)
{
	const char	*hint = "";

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		hint = x->remote->ops == &remote_sftp_ops ?
		    " (host key not in known_hosts, or changed: check "
		    "known_hosts)" :
		    " (self-signed? set ca_file =, or tls_verify = no)";
		break;
	case CURLE_LOGIN_DENIED:
		hint = " (check user, key_file or password)";
		break;
	default:
		break;
	}
	xfer_error(x, "%s: %s%s", rq->method,
	    errbuf[0] ? errbuf : curl_easy_strerror(rc), hint);
}

/*
 * Run a request: prepare builds its URL and headers (again on each try,
 * so signatures are fresh); transient failures are retried up to
 * r->retries times with backoff. REMOTE_OK when an answer came (see
 * rq->status: 0 for SFTP success, 404 for a missing SFTP file); otherwise
 * REMOTE_FAIL or REMOTE_STOP with x->error set.
 */
int
xreq_perform(struct xfer *x, struct xreq *rq, xreq_prepare prepare,
    void *arg)
{
	struct remote	*r = x->remote;
	char		 errbuf[CURL_ERROR_SIZE];
	CURLcode	 rc;
	int		 attempt;

	for (attempt = 0;; attempt++) {
		xreq_reset(rq);
		curl_easy_reset(x->curl);
		xreq_common(x, rq);
		errbuf[0] = '\0';
		curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, errbuf);
		if (prepare(x, rq, arg) == -1)
			return REMOTE_FAIL;
		xreq_method(x, rq);
		curl_easy_setopt(x->curl, CURLOPT_URL, rq->url);
		rc = curl_easy_perform(x->curl);
		rq->curl_rc = rc;
		if (r->interrupted != NULL && *r->interrupted) {
			xfer_error(x, "interrupted");
			return REMOTE_FAIL;
		}
		if (rc == CURLE_OK) {
			curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
			    &rq->status);
			if (rq->length == -1) {
				curl_off_t	cl = -1;

				curl_easy_getinfo(x->curl,
				    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
				rq->length = cl;
			}
			if (!http_transient(rq))
				return REMOTE_OK;
			xreq_http_error(x, rq, NULL);
		} else if (rc == CURLE_REMOTE_FILE_NOT_FOUND) {
			rq->status = 404;
			return REMOTE_OK;
		} else if (rc == CURLE_ABORTED_BY_CALLBACK ||
		    rc == CURLE_READ_ERROR) {
			xfer_error(x, "%s: the file could not be read (changed "
			    "since import?)", rq->method);
			return REMOTE_FAIL;
		} else {
			curl_message(x, rq, rc, errbuf);
			if (!curl_transient(rc))
				return rc == CURLE_PEER_FAILED_VERIFICATION ||
				    rc == CURLE_LOGIN_DENIED ||
				    rc == CURLE_SSL_CACERT_BADFILE ||
				    rc == CURLE_REMOTE_ACCESS_DENIED ?
				    REMOTE_AUTH : REMOTE_FAIL;
		}
		if (attempt >= r->retries) {
			log_debug("remote %s: giving up after %d tries: %s",
			    r->name, attempt + 1, x->error);
			return REMOTE_FAIL;
		}
		log_debug("remote %s: %s; retrying", r->name, x->error);
		if (backoff(r, attempt, rq->retry_after) == -1) {
			xfer_error(x, "interrupted");
			return REMOTE_FAIL;
		}
	}
}

/*
 * One streaming pass over a file region with a fixed buffer (store_pass):
 * its MD5 and SHA-256 (either output may be NULL). 0, or -1 with errno set.
 */
int
remote_hash_region(int fd, uint64_t off, uint64_t len, unsigned char *md5,
    unsigned char *sha256, volatile int *interrupted)
{
	struct store_pass p;
	char		  err[256];
	int		  rc, e;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.off = off;
	p.len = len;
	p.out = -1;
	p.interrupted = interrupted;
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
	errno = e;
	return rc == 0 ? 0 : -1;
}

/*
 * Open the library file to upload and check that it still is what the
 * catalogue says (size). The descriptor, or -1 with x->error set.
 */
int
remote_open_file(struct xfer *x, const struct upload *up)
{
	struct stat	sb;
	int		fd;

	if ((fd = open(up->path, O_RDONLY | O_CLOEXEC)) == -1) {
		xfer_error(x, "%s", strerror(errno));
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
 * The n-th name for relpath on a remote, as the library names collisions
 * (store_name_candidate): n == 0 relpath itself, else DIR/NAME-n.EXT.
 * New string.
 */
char *
remote_variant(const char *relpath, int n)
{
	size_t	 size = strlen(relpath) + 16;	/* "-" and an int */
	char	*out = xmalloc(size);

	if (store_name_candidate(relpath, n, out, size) == -1)
		fatalx("remote_variant: no room for -%d", n);
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
	if ((rq.recv.sha = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory");
	if ((rc = xreq_perform(x, &rq, prepare, arg)) != REMOTE_OK)
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
	xreq_free(&rq);
	return rc;
}

/* Record the name the file is going to; REMOTE_OK or REMOTE_FAIL. */
static int
remote_target(struct xfer *x, struct upload *up, const char *name)
{
	int	rc;

	if (up->remote_path != NULL && strcmp(up->remote_path, name) == 0)
		return REMOTE_OK;
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
	char			*name, *recorded = NULL, p[4096], q[4096];
	int			 n, races = 0, rc;

	*skipped = 0;
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
		name = remote_variant(up->relpath, 0);
		n = 0;
	}
	for (;;) {
		rc = ops->probe(x, up, name);
		if (rc == REMOTE_SAME) {
			*skipped = 1;
			rc = remote_target(x, up, name);
			break;
		}
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
			    remote_variant(up->relpath, n) : NULL;
		} while (name != NULL && recorded != NULL &&
		    strcmp(name, recorded) == 0);
		if (name == NULL) {
			xfer_error(x, "no free name on the remote");
			rc = REMOTE_FAIL;
			break;
		}
	}
	if (rc == REMOTE_OK && strcmp(name, up->relpath) != 0)
		log_info("remote %s: %s: a different file has that name "
		    "there; %s as %s", x->remote->name, log_path(up->relpath,
		    p, sizeof p), *skipped ? "already there" : "sent",
		    log_path(name, q, sizeof q));
	free(name);
	free(recorded);
	return rc;
}
