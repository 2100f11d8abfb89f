/*
 * xreq.c: requests to remotes through libcurl, for every kind that talks
 * HTTP or SFTP: bodies streamed from the file through curl's own buffer
 * (never a whole file or part in memory), retries with exponential
 * backoff and jitter for 5xx, 429, timeouts and dropped connections, stall
 * and connect timeouts, TLS verification, and errors turned into one line
 * that never holds a secret. An xfer is a worker's connection (its curl
 * handle, reused); an xreq one request and what came back.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "remote.h"

/*
 * A worker's connection state. Its curl handle is made by the first
 * request (xreq_perform): a kind that never asks for one (dir) never
 * loads libcurl's TLS and SSH machinery, about 2 MB of memory.
 */
void
xfer_init(struct xfer *x, struct remote *r)
{
	memset(x, 0, sizeof *x);
	x->remote = r;
}

/* Let go of the connection. */
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

/* A new request with method, nothing built yet. */
void
xreq_init(struct xreq *rq, const char *method)
{
	memset(rq, 0, sizeof *rq);
	rq->method = method;
	rq->body.fd = -1;
	rq->recv.fd = -1;
	rq->recv.max = -1;
	rq->mtime = -1;
	rq->length = -1;
	rq->retry_after = -1;
	rq->server_time = -1;
	rq->vfs_bavail = rq->vfs_frsize = rq->vfs_favail = -1;
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
	rq->status = rq->hstatus = 0;
	rq->etag[0] = rq->meta_sha256[0] = rq->meta_mtime[0] = '\0';
	rq->length = -1;
	rq->retry_after = -1;
	rq->server_time = -1;
	rq->curl_rc = CURLE_OK;
	rq->body.pos = 0;
	rq->recv.len = 0;
	rq->recv.werr = 0;
	rq->recv.over = 0;
	rq->resp_cut = 0;
	rq->mtime = -1;
	if (rq->recv.sha != NULL)
		EVP_DigestInit_ex(rq->recv.sha, EVP_sha256(), NULL);
	/* a retry downloads again from the start */
	if (rq->recv.fd != -1 && ftruncate(rq->recv.fd, 0) == -1)
		rq->recv.werr = errno;
}

/* Free what the request holds. */
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

/* Write a piece of a download to recv->fd at its place; 0 or -1. */
static int
xreq_write_fd(struct xrecv *rv, const char *buf, size_t n)
{
	ssize_t	w;
	size_t	done = 0;

	if (rv->werr != 0)
		return -1;
	while (done < n) {
		w = pwrite(rv->fd, buf + done, n - done,
		    (off_t)(rv->len + done));
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			rv->werr = w == -1 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

/*
 * Is the answer the bytes of a file a request counts (a download written
 * to its file, or a copy read back and hashed): a 2xx, or SFTP's (no
 * status line)? Anything else (an error page) is only kept.
 */
static int
xreq_counted_body(const struct xreq *rq)
{
	return (rq->recv.fd != -1 || rq->recv.sha != NULL) &&
	    (rq->hstatus == 0 || (rq->hstatus >= 200 && rq->hstatus < 300));
}

/* Is it a download's, to be written to its file (xreq_counted_body)? */
static int
xreq_file_body(const struct xreq *rq)
{
	return rq->recv.fd != -1 && xreq_counted_body(rq);
}

/*
 * curl's write callback: a download's bytes to its file, max at most
 * (the byte after stops the transfer: recv.over); keep the start of the
 * body (XML, an error page), drop the rest.
 */
static size_t
xreq_write(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xreq	*rq = arg;
	size_t		 n = size * nitems, keep = n;
	size_t		 cap = rq->resp_cap ? rq->resp_cap : RESP_MAX;

	/*
	 * A body only kept (an error page, a listing), not hashed or
	 * written: once its cap is kept, the rest is not read. A server
	 * sending one without end would hold the run for good.
	 */
	if (!xreq_counted_body(rq) && rq->resplen >= cap) {
		rq->resp_cut = 1;
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	}
	if (xreq_counted_body(rq) && rq->recv.max >= 0 &&
	    n > (uint64_t)rq->recv.max - rq->recv.len) {
		rq->recv.over = 1;
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	}
	if (xreq_file_body(rq) && xreq_write_fd(&rq->recv, buf, n) == -1)
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	if (rq->recv.fd == -1 || xreq_file_body(rq)) {
		if (rq->recv.sha != NULL)
			EVP_DigestUpdate(rq->recv.sha, buf, n);
		if (rq->recv.sha != NULL || rq->recv.fd != -1)
			rq->recv.len += n;
	}
	if (rq->resplen + keep > cap)
		keep = cap - rq->resplen;
	if (keep > 0) {
		if (rq->resp == NULL)
			rq->resp = xmalloc(cap + 1);
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

/*
 * What curl's SFTP statvfs command wrote as header data ("statvfs:", then
 * a "f_NAME: NUMBER" line for each field; in one piece or a line at a
 * time): the fields a remote's free room is read from, into rq.
 */
static void
xreq_statvfs(struct xreq *rq, const char *buf, size_t n)
{
	static const char *const names[] = {
		"f_bavail: ", "f_frsize: ", "f_favail: "
	};
	long long	*to[] = { &rq->vfs_bavail, &rq->vfs_frsize,
			    &rq->vfs_favail };
	const char	*p = buf, *end = buf + n, *eol;
	long long	 v;
	size_t		 i, len;

	for (; p < end; p = eol < end ? eol + 1 : end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			len = strlen(names[i]);
			if ((size_t)(eol - p) <= len ||
			    memcmp(p, names[i], len) != 0)
				continue;
			/* digits to the line's end, and not too many */
			for (v = 0, p += len; p < eol && isdigit((unsigned
			    char)*p) && v <= LLONG_MAX / 10 - 10; p++)
				v = v * 10 + (*p - '0');
			if (p == eol || *p == '\r')
				*to[i] = v;
			break;
		}
	}
}

/*
 * A UTC time in text (an HTTP Date:, S3's ISO 8601 ServerTime) in format
 * fmt, then nothing, or a "Z", "GMT" or fraction: epoch seconds, or -1.
 */
static long long
utc_time(const char *text, const char *fmt)
{
	struct tm	 tm;
	const char	*end;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(text, fmt, &tm)) == NULL || (*end != '\0' &&
	    *end != 'Z' && *end != '.' && strcmp(end, " GMT") != 0) ||
	    (t = timegm(&tm)) == (time_t)-1)
		return -1;
	return (long long)t;
}

/*
 * One header line of n bytes at buf (not NUL-terminated), or the block
 * curl's SFTP statvfs command writes, into what rq keeps of the answer:
 * the few response headers we use.
 */
void
xreq_header_line(struct xreq *rq, const char *buf, size_t n)
{
	char	v[80];

	if (n > 2 && strncmp(buf, "f_", 2) == 0)
		xreq_statvfs(rq, buf, n);
	else if (n > 8 && strncmp(buf, "statvfs:", 8) == 0)
		xreq_statvfs(rq, buf + 8, n - 8);
	else if (n > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		rq->etag[0] = rq->meta_sha256[0] = rq->meta_mtime[0] = '\0';
		rq->length = rq->retry_after = -1;
		rq->server_time = -1;
		/* "HTTP/1.1 200 OK", "HTTP/2 200" */
		header_copy(buf, n, v, sizeof v);
		rq->hstatus = strchr(v, ' ') != NULL ?
		    strtol(strchr(v, ' ') + 1, NULL, 10) : 0;
	} else if (n > 5 && strncasecmp(buf, "date:", 5) == 0) {
		header_copy(buf + 5, n - 5, v, sizeof v);
		rq->server_time = utc_time(v, "%a, %d %b %Y %H:%M:%S");
	} else if (n > 5 && strncasecmp(buf, "etag:", 5) == 0)
		header_copy(buf + 5, n - 5, rq->etag, sizeof rq->etag);
	else if (n > 18 && strncasecmp(buf, "x-amz-meta-sha256:", 18) == 0)
		header_copy(buf + 18, n - 18, rq->meta_sha256,
		    sizeof rq->meta_sha256);
	else if (n > 17 && strncasecmp(buf, "x-amz-meta-mtime:", 17) == 0)
		header_copy(buf + 17, n - 17, rq->meta_mtime,
		    sizeof rq->meta_mtime);
	else if (n > 15 && strncasecmp(buf, "content-length:", 15) == 0) {
		header_copy(buf + 15, n - 15, v, sizeof v);
		rq->length = strtoll(v, NULL, 10);
		/* a download bigger than the file: refused before it comes */
		if (xreq_counted_body(rq) && rq->recv.max >= 0 &&
		    rq->length > rq->recv.max)
			rq->recv.over = 1;
	} else if (n > 12 && strncasecmp(buf, "retry-after:", 12) == 0) {
		header_copy(buf + 12, n - 12, v, sizeof v);
		if (isdigit((unsigned char)v[0]))
			rq->retry_after = strtol(v, NULL, 10);
	}
}

/*
 * curl's header callback: xreq_header_line; a download whose length is
 * over its bound (recv.over) is stopped here (CURLE_WRITE_ERROR).
 */
static size_t
xreq_headers(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xreq	*rq = arg;

	xreq_header_line(rq, buf, size * nitems);
	return rq->recv.over ? 0 : size * nitems;
}

/* Has the remote been given up on for this run (remote.unreachable)? */
int
remote_unreachable(struct remote *r)
{
	return __atomic_load_n(&r->unreachable, __ATOMIC_ACQUIRE) == 2;
}

/*
 * curl's progress callback: stop when the user interrupts, or when the
 * remote has been given up on (a request to a host that accepted the
 * connection and then went silent ends now, not after its timeout), or
 * when nothing has moved for the connection's time and timeout: curl's
 * low-speed limit does not watch an SFTP command (a STAT, a rename), and
 * a server whose SFTP subsystem died with the session left open had the
 * sync wait for its answer for good.
 */
static int
xreq_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct xfer	*x = arg;
	struct remote	*r = x->remote;
	long long	 now = mono_ms();

	(void)dt; (void)ut;
	if (dn != x->moved_dn || un != x->moved_un) {
		x->moved_dn = dn;
		x->moved_un = un;
		x->moved_at = now;
	} else if (now - x->moved_at > (r->connect_timeout + r->timeout) *
	    1000LL)
		x->stalled = 1;
	return (r->interrupted != NULL && *r->interrupted) ||
	    remote_unreachable(r) || x->stalled;
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
	/* 423: WebDAV's Locked, by another request on the same name */
	if ((rq->status >= 500 && rq->status != 507) || rq->status == 429 ||
	    rq->status == 408 || rq->status == 423)
		return 1;
	/* S3: "Your socket connection to the server was not read from..." */
	return rq->status == 400 && rq->resp != NULL &&
	    strstr(rq->resp, "<Code>RequestTimeout</Code>") != NULL;
}

/*
 * The wait before the try after attempt n: exponential backoff from
 * retry_delay with jitter, or the server's Retry-After; at most
 * RETRY_WAIT_MAX seconds either way.
 */
static double
backoff_delay(struct remote *r, int attempt, long retry_after)
{
	double	d = r->retry_delay;
	int	i;

	for (i = 0; i < attempt && d < RETRY_WAIT_MAX; i++)
		d *= 2;
	if (d > RETRY_WAIT_MAX)
		d = RETRY_WAIT_MAX;
	d = d / 2 + d / 2 * ((double)(random() % 1000) / 1000);	/* jitter */
	if (retry_after > 0)
		d = retry_after > RETRY_WAIT_MAX ? RETRY_WAIT_MAX :
		    (double)retry_after;
	return d;
}

/* Sleep d seconds; 0, or -1 when interrupted or the remote given up on. */
static int
backoff_sleep(struct remote *r, double d)
{
	struct timespec	 ts;
	long		 ms;

	for (ms = (long)(d * 1000); ms > 0; ms -= 100) {
		if ((r->interrupted != NULL && *r->interrupted) ||
		    remote_unreachable(r))
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = (ms < 100 ? ms : 100) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * Text a server sent, fit for a one-line message, into out: markup
 * dropped when it starts with '<' (an HTML error page), runs of white
 * space made one space, a NUL made '?', cut to fit out (then "..."). Its
 * control characters and bytes that are not UTF-8 stay as they are: every
 * place that prints it (messages, status, JSON) escapes them, once.
 */
static void
remote_text(const char *in, size_t n, char *out, size_t size)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 o = 0, l;
	int			 tags, intag = 0, space = 0;

	while (n > 0 && isspace(*p)) {
		p++;
		n--;
	}
	tags = n > 0 && *p == '<';
	for (; n > 0 && o + 8 < size; p += l, n -= l) {
		l = 1;
		if (tags && (intag || *p == '<')) {
			intag = *p != '>';
			space = o > 0;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = *p == '\0' ? '?' : (char)*p;
	}
	if (n > 0 && size >= 4) {
		if (o + 4 > size)
			o = size - 4;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
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
 * What to say of a request S3 refused for the time it was signed at:
 * how far this machine's clock is off from the server's (there, epoch
 * seconds), and what to do.
 */
static void
clock_skew(long long there, char *out, size_t size)
{
	long long	d = (long long)time(NULL) - there;
	time_t		t = (time_t)there;
	struct tm	tm;
	char		when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, size, "this machine's clock is %lld h %02lld min %s "
	    "the remote's (%s UTC there): set it right (NTP, "
	    "systemd-timesyncd) and sync again; the files stay queued",
	    (d < 0 ? -d : d) / 3600, (d < 0 ? -d : d) / 60 % 60,
	    d < 0 ? "behind" : "ahead of", when);
}

/* Is there (epoch seconds, -1 unknown) over 15 minutes off our clock? */
static int
clock_off(long long there)
{
	long long	d = (long long)time(NULL) - there;

	return there != -1 && (d > 900 || d < -900);
}

/*
 * Turn an HTTP answer we cannot use into x->error: the status, the
 * server's error code and message (or the start of its body), shortened
 * and escaped, and what to check. By meaning: 401 or 403 to a request
 * that carried credentials is REMOTE_AUTH (hint names the settings); 401
 * without any is REMOTE_AUTH too (a login is needed), 403 without any
 * REMOTE_STOP (a permission, not a password), as is a 403 from S3 for
 * a request signed by a clock over 15 minutes off; a missing bucket is
 * REMOTE_AUTH (a setting); other 4xx REMOTE_STOP, and 507 (Insufficient
 * Storage: the remote is full; x->full says so); 5xx, and 408, 423
 * (WebDAV's Locked) and 429 after their retries, REMOTE_FAIL.
 */
int
xreq_http_error(struct xfer *x, const struct xreq *rq, const char *hint)
{
	struct remote	*r = x->remote;
	const char	*file, *bucket, *what = NULL;
	char		 raw[200], code[80], msg[200], more[300];
	long long	 there;
	int		 rc;

	xml_text(rq->resp, "Code", raw, sizeof raw);
	remote_text(raw, strlen(raw), code, sizeof code);
	xml_text(rq->resp, "Message", raw, sizeof raw);
	if (raw[0] != '\0')
		remote_text(raw, strlen(raw), msg, sizeof msg);
	else if (code[0] == '\0' && rq->resp != NULL)
		remote_text(rq->resp, rq->resplen, msg, 120);
	else
		msg[0] = '\0';
	if (code[0] == '\0')
		snprintf(code, sizeof code, "%s", rq->status == 401 ?
		    "Unauthorized" : rq->status == 403 ? "Forbidden" :
		    rq->status == 404 ? "Not Found" : rq->status == 409 ?
		    "Conflict" : rq->status == 507 ? "Insufficient Storage" :
		    "error");
	more[0] = '\0';
	there = -1;
	if (rq->status == 403) {
		/* The server's time: its ServerTime, else its Date:. */
		xml_text(rq->resp, "ServerTime", raw, sizeof raw);
		if ((there = utc_time(raw, "%Y-%m-%dT%H:%M:%S")) == -1)
			there = rq->server_time;
	}
	if (rq->status == 403 && (strcmp(code, "RequestTimeTooSkewed") == 0 ||
	    (strcmp(code, "Forbidden") == 0 && r->ops == &remote_s3_ops &&
	    clock_off(there)))) {
		/*
		 * Not the keys: this machine's clock (a NAS booted without
		 * NTP). S3 says so in the body, and to a HEAD (no body) its
		 * Date: header tells.
		 */
		if (there != -1)
			clock_skew(there, more, sizeof more);
		else
			snprintf(more, sizeof more, "this machine's clock is "
			    "more than 15 minutes off the remote's: set it "
			    "right (NTP, systemd-timesyncd) and sync again; "
			    "the files stay queued");
		what = more;
		msg[0] = '\0';
		rc = REMOTE_STOP;
	} else if (rq->status == 401 || rq->status == 403) {
		rc = REMOTE_AUTH;
		if (r->anonymous && rq->status == 401)
			what = "the server wants a login: set user = and "
			    "password =";
		else if (r->anonymous) {
			what = "the server refuses it to anyone (no "
			    "credentials are sent): check its permissions";
			rc = REMOTE_STOP;
		} else if (hint != NULL) {
			file = remote_get(r, "secret_file");
			snprintf(more, sizeof more, "%s%s%s", hint,
			    file ? ", in secret_file " : "", file ? file : "");
			what = more;
		}
	} else if (rq->status == 404 && strcmp(code, "NoSuchBucket") == 0) {
		bucket = remote_get(r, "bucket");
		snprintf(more, sizeof more, "bucket %s does not exist: check "
		    "bucket =, endpoint = and region =", bucket ? bucket : "?");
		what = more;
		msg[0] = '\0';
		rc = REMOTE_AUTH;
	} else if (rq->status == 507) {
		what = "the remote has no room left: make room there; the "
		    "files left stay queued";
		x->full = XFER_FULL;
		rc = REMOTE_STOP;
	} else if (rq->status >= 400 && rq->status < 500 &&
	    rq->status != 423 && rq->status != 429 && rq->status != 408)
		rc = REMOTE_STOP;
	else
		rc = REMOTE_FAIL;
	xfer_error(x, "%s %ld %s%s%s%s%s", rq->method, rq->status, code,
	    msg[0] ? ": " : "", msg, what ? ": " : "", what ? what : "");
	return rc;
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
	if (rq->filetime)
		curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
	/* No "Expect: 100-continue": one round trip, simple proxies. */
	rq->headers = curl_slist_append(rq->headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, rq->headers);
	if (rq->postquote != NULL)
		curl_easy_setopt(c, CURLOPT_POSTQUOTE, rq->postquote);
	if (rq->create_dirs)
		curl_easy_setopt(c, CURLOPT_FTP_CREATE_MISSING_DIRS,
		    (long)CURLFTP_CREATE_DIR_RETRY);
}

/*
 * What an SSH session that could not be set up means: libssh2's error
 * code in curl's "Failure establishing ssh session: -5, ..." (any rc).
 * 1 the key exchange failed (no host key type in common: a setting), 2
 * the server did not talk SSH (no banner, the socket dropped or timed
 * out: as if unreachable), 0 not that.
 */
static int
ssh_session_failure(const char *errbuf)
{
	static const char	 pfx[] = "Failure establishing ssh session: ";

	if (strncmp(errbuf, pfx, sizeof pfx - 1) != 0)
		return 0;
	switch (atoi(errbuf + sizeof pfx - 1)) {
	case -5:	/* LIBSSH2_ERROR_KEX_FAILURE */
	case -8:	/* LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE */
	case -10:	/* LIBSSH2_ERROR_HOSTKEY_INIT */
	case -11:	/* LIBSSH2_ERROR_HOSTKEY_SIGN */
		return 1;
	default:
		return 2;
	}
}

/*
 * Did this try fail before the server said anything: no name, no
 * connection, no TLS or SSH handshake; or a request without a body that
 * timed out or was dropped with nothing sent back (a host that accepts
 * connections and never answers, a port forwarder with nothing behind
 * it)? Those count towards giving the remote up; an HTTP answer of any
 * status, or an upload cut off by a live server, do not.
 */
static int
curl_unreached(struct xfer *x, const struct xreq *rq, CURLcode rc,
    const char *errbuf)
{
	long	hdr = 0;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		curl_easy_getinfo(x->curl, CURLINFO_HEADER_SIZE, &hdr);
		return hdr == 0 && rq->resplen == 0 && rq->recv.len == 0 &&
		    rq->body.pos == 0;
	default:
		return ssh_session_failure(errbuf) == 2;
	}
}

/* A curl failure as one line, with a hint where we have one. */
static void
curl_message(struct xfer *x, struct xreq *rq, CURLcode rc,
    const char *errbuf)
{
	struct remote	*r = x->remote;
	const char	*hint = NULL;

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		/* A certificate not valid yet: a clock set back (no NTP). */
		hint = r->hint_hostkey != NULL ? r->hint_hostkey :
		    strstr(errbuf, "not yet valid") != NULL ? "is this "
		    "machine's clock right? set it (NTP, systemd-timesyncd)" :
		    strstr(errbuf, "has expired") != NULL ? "the server's "
		    "certificate has expired, or this machine's clock is "
		    "ahead" : "self-signed? set ca_file =, or tls_verify = no";
		break;
	case CURLE_LOGIN_DENIED:
		hint = r->hint_login != NULL ? r->hint_login :
		    "check user, key_file or password";
		break;
	default:
		if (ssh_session_failure(errbuf) == 1)
			hint = r->hint_kex;
		break;
	}
	xfer_error(x, "%s: %s%s%s%s%s%s", rq->method,
	    errbuf[0] ? errbuf : curl_easy_strerror(rc),
	    hint || x->note[0] ? " (" : "", x->note,
	    hint && x->note[0] ? "; " : "", hint ? hint : "",
	    hint || x->note[0] ? ")" : "");
}

/*
 * Count a try (begun at started, in ms) that failed before the server said
 * anything. At UNREACHABLE_AFTER in a row (from any worker), the remote is
 * given up on for the run, with why (this failure, how many tries over how
 * long) in r->unreach_why. 1 when it is now given up on, else 0.
 */
static int
remote_unreached(struct xfer *x, long long started)
{
	struct remote	*r = x->remote;
	long long	 now = mono_ms(), since;
	int		 n, zero = 0;

	if ((n = __atomic_add_fetch(&r->unreach_streak, 1,
	    __ATOMIC_ACQ_REL)) == 1)
		__atomic_store_n(&r->unreach_since, started,
		    __ATOMIC_RELEASE);
	if (n < UNREACHABLE_AFTER)
		return 0;
	if (!__atomic_compare_exchange_n(&r->unreachable, &zero, 1, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return remote_unreachable(r);
	since = __atomic_load_n(&r->unreach_since, __ATOMIC_ACQUIRE);
	snprintf(r->unreach_why, sizeof r->unreach_why, "%s; %d tries in "
	    "%.0f s", x->error, n, since > 0 && now > since ?
	    (double)(now - since) / 1000 : 0.0);
	__atomic_store_n(&r->unreachable, 2, __ATOMIC_RELEASE);
	return 1;
}

/*
 * Run a request: prepare builds its URL and headers (again on each try,
 * so signatures are fresh); transient failures are retried up to
 * r->retries times with backoff, waiting RETRY_BUDGET seconds at most in
 * all for the file (x->waited). REMOTE_OK when an answer came (see
 * rq->status: 0 for SFTP success, 404 for a missing SFTP file);
 * REMOTE_UNREACHABLE when the last try got no connection or no answer,
 * or the remote has been given up on; otherwise REMOTE_FAIL, REMOTE_STOP
 * or REMOTE_AUTH, with x->error set.
 */
int
xreq_perform(struct xfer *x, struct xreq *rq, xreq_prepare prepare,
    void *arg)
{
	struct remote	*r = x->remote;
	char		 errbuf[CURL_ERROR_SIZE];
	CURLcode	 rc;
	double		 d;
	long long	 started;
	int		 attempt, unreached;

	for (attempt = 0;; attempt++) {
		if (remote_unreachable(r)) {
			xfer_error(x, "not tried: the remote is unreachable");
			return REMOTE_UNREACHABLE;
		}
		xreq_reset(rq);
		if (x->curl == NULL && (x->curl = curl_easy_init()) == NULL)
			fatalx("curl_easy_init failed");
		curl_easy_reset(x->curl);
		xreq_common(x, rq);
		errbuf[0] = x->note[0] = '\0';
		curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, errbuf);
		if (prepare(x, rq, arg) == -1)
			return REMOTE_FAIL;
		xreq_method(x, rq);
		curl_easy_setopt(x->curl, CURLOPT_URL, rq->url);
		started = x->moved_at = mono_ms();
		x->moved_dn = x->moved_un = 0;
		x->stalled = 0;
		rc = curl_easy_perform(x->curl);
		if (rc == CURLE_WRITE_ERROR && rq->resp_cut)
			rc = CURLE_OK;	/* all that is kept came: its status */
		if (rc == CURLE_ABORTED_BY_CALLBACK && x->stalled) {
			rc = CURLE_OPERATION_TIMEDOUT;	/* as curl's */
			snprintf(errbuf, sizeof errbuf, "no answer for %ld s",
			    r->connect_timeout + r->timeout);
		}
		rq->curl_rc = rc;
		if (r->interrupted != NULL && *r->interrupted) {
			xfer_error(x, "interrupted");
			return REMOTE_FAIL;
		}
		unreached = 0;
		if (rc == CURLE_OK) {
			__atomic_store_n(&r->unreach_streak, 0,
			    __ATOMIC_RELEASE);
			curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
			    &rq->status);
			if (rq->filetime) {
				curl_off_t	ft = -1;

				curl_easy_getinfo(x->curl,
				    CURLINFO_FILETIME_T, &ft);
				rq->mtime = ft;
			}
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
			__atomic_store_n(&r->unreach_streak, 0,
			    __ATOMIC_RELEASE);
			rq->status = 404;
			return REMOTE_OK;
		} else if (rc == CURLE_ABORTED_BY_CALLBACK &&
		    remote_unreachable(r)) {
			xfer_error(x, "stopped: the remote is unreachable");
			return REMOTE_UNREACHABLE;
		} else if (rc == CURLE_ABORTED_BY_CALLBACK ||
		    rc == CURLE_READ_ERROR) {
			xfer_error(x, "%s: the file could not be read (changed "
			    "since import?)", rq->method);
			return REMOTE_FAIL;
		} else if (curl_unreached(x, rq, rc, errbuf)) {
			curl_message(x, rq, rc, errbuf);
			if (remote_unreached(x, started))
				return REMOTE_UNREACHABLE;
			unreached = 1;
		} else {
			if (!curl_transient(rc))
				__atomic_store_n(&r->unreach_streak, 0,
				    __ATOMIC_RELEASE);
			curl_message(x, rq, rc, errbuf);
			if (!curl_transient(rc))
				return rc == CURLE_PEER_FAILED_VERIFICATION ||
				    rc == CURLE_LOGIN_DENIED ||
				    rc == CURLE_SSL_CACERT_BADFILE ||
				    rc == CURLE_REMOTE_ACCESS_DENIED ||
				    ssh_session_failure(errbuf) == 1 ?
				    REMOTE_AUTH : REMOTE_FAIL;
		}
		d = backoff_delay(r, attempt, rq->retry_after);
		if (attempt >= r->retries || x->waited + d > RETRY_BUDGET) {
			log_debug("remote %s: giving up after %d tries%s: %s",
			    r->name, attempt + 1, attempt < r->retries ?
			    " (the retry budget is spent)" : "", x->error);
			return unreached ? REMOTE_UNREACHABLE : REMOTE_FAIL;
		}
		if (rq->retry_after > RETRY_WAIT_MAX)
			log_debug("remote %s: the server asks to wait %ld s; "
			    "waiting %d", r->name, rq->retry_after,
			    RETRY_WAIT_MAX);
		log_debug("remote %s: %s; retrying in %.1f s", r->name,
		    x->error, d);
		x->waited += d;
		if (backoff_sleep(r, d) == -1) {
			if (remote_unreachable(r)) {
				xfer_error(x, "stopped: the remote is "
				    "unreachable");
				return REMOTE_UNREACHABLE;
			}
			xfer_error(x, "interrupted");
			return REMOTE_FAIL;
		}
	}
}
