/*
 * remote.h: the small interface every kind of remote implements
 * (remote-s3.c, remote-webdav.c, remote-sftp.c, remote-dir.c), what they
 * share in remote.c (config, secrets, the upload of one file under a name
 * that replaces nothing) and the HTTP/SFTP machinery in xreq.c (streaming
 * bodies, retries, timeouts, TLS), which cmd-sync.c drives.
 */
#ifndef REMOTE_H
#define REMOTE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

struct catalog;
struct remote;

/* What a remote operation returns. */
#define REMOTE_OK	0	/* done */
#define REMOTE_FAIL	(-1)	/* this file failed; go on with the next */
#define REMOTE_STOP	(-2)	/* the remote refuses (auth, 4xx, config) */
#define REMOTE_AUTH	(-3)	/* REMOTE_STOP because of credentials or
				   settings (a bucket, a host key) */
#define REMOTE_EXISTS	(-4)	/* put: the name was taken meanwhile, and
				   nothing was replaced */
#define REMOTE_UNREACHABLE (-5)	/* no connection, or no answer: the file
				   was not tried; see remote.unreachable */

/* Connection failures in a row after which a remote is given up on for
   the run; a file's retries wait at most RETRY_WAIT_MAX seconds each
   (Retry-After included) and RETRY_BUDGET seconds in all. */
#define UNREACHABLE_AFTER	3
#define RETRY_WAIT_MAX		60
#define RETRY_BUDGET		300

/* What probe found under a name on the remote (not REMOTE_OK's 0). */
#define REMOTE_SAME	1	/* this file's content, proven */
#define REMOTE_OTHER	2	/* anything not proven to be this file */
#define REMOTE_ABSENT	3	/* nothing */

/*
 * What stat found at a name (verify --remote), from what the server says
 * of it without sending it (a HEAD, a PROPFIND, an SFTP or local stat):
 * -1 or "" where it says nothing. With full, the kind also reads the file
 * back and hashes it: read is then REMOTE_SAME or REMOTE_OTHER (the
 * catalogue's SHA-256 and size, or not), else 0.
 */
struct remote_stat {
	long long	 size;
	long long	 mtime;		/* seconds */
	char		 sha256[65];	/* a SHA-256 the server keeps */
	char		 md5[33];	/* an MD5 it keeps (a single-part ETag) */
	int		 read;
};

/* One file to upload, as the catalogue knows it. */
struct upload {
	int64_t		 job_id;
	char		*path;		/* absolute, in the library */
	char		*relpath;	/* relative: YYYY/mm/dd/NAME */
	char		 sha256[65];
	uint64_t	 size;
	int64_t		 mtime_ns;
	char		*mime;
	char		*remote_path;	/* where it is going, or NULL */
	char		*base;		/* the name to try first there, when
					   not relpath: a sidecar whose main
					   went up under another name */
	char		*main_there;	/* a sidecar: its main file's name
					   there, once sent; or NULL */
	int64_t		 main_job;	/* a sidecar: its main file's job
					   there, claimed by this sync and
					   not done yet; or 0 */
	int		 reread;	/* queued again (verify --resend)
					   after its copy there was found
					   changed: what a remote keeps of
					   a checksum proves nothing, only
					   the bytes read back */
	char		*tmp_path;	/* a temporary a killed run left */
	struct upload	*sidecars;	/* a main file's (path, relpath,
					   sha256, size, mtime_ns): their
					   names beside its must be free */
	int		 nsidecars;
	struct catalog	*cat;		/* for the job's state, under lock */
	pthread_mutex_t	*lock;
};

/* One worker's connection state: a curl handle, reused across requests. */
struct xfer {
	CURL		*curl;
	struct remote	*remote;
	long long	 speed;		/* CURLOPT_MAX_SEND_SPEED_LARGE, or 0 */
	char		 error[512];	/* why the last call failed */
	double		 waited;	/* seconds of retry delays, this file */
	char		 note[160];	/* a kind's callback on the last try:
					   what the server showed */
	int		 full;		/* XFER_FULL or XFER_NOFIT, or 0 */
	/* the request's progress as last seen, and since when (ms) */
	long long	 moved_dn, moved_un, moved_at;
	int		 stalled;	/* stopped: nothing moved */
};

/* struct xfer's full: why the last upload failed for want of room. */
#define XFER_FULL	1	/* the remote ran out of room (REMOTE_STOP) */
#define XFER_NOFIT	2	/* this file is bigger than what is free
				   (REMOTE_FAIL): smaller ones may fit */

/* A request body streamed from a file region, hashed as it goes. */
struct xbody {
	int		 fd;
	uint64_t	 off;
	uint64_t	 len;
	uint64_t	 pos;
	uint64_t	 counted;	/* of a file's bytes, in remote_bytes_sent:
					   the most any try got to */
	const char	*mem;		/* or a small body in memory */
	void		*sha;		/* EVP_MD_CTX *, or NULL */
};

/* A response body hashed as it comes (reading a remote file back). */
struct xrecv {
	void		*sha;		/* EVP_MD_CTX *, or NULL */
	uint64_t	 len;		/* bytes received */
	int		 fd;		/* written here too (a download), or -1:
					   emptied again before each try */
	int		 werr;		/* errno of a failed write to fd, or 0 */
	int64_t		 max;		/* a download's bytes, at most (the
					   file's size), or -1: any */
	int		 over;		/* more than max came, or a
					   Content-Length said so: stopped */
};

/* A request and what came back. */
struct xreq {
	const char	*method;
	char		*url;
	struct curl_slist *headers;
	struct xbody	 body;
	struct xrecv	 recv;
	int		 has_body;
	int		 nobody;	/* HEAD */
	struct curl_slist *postquote;	/* SFTP commands after the upload */
	int		 create_dirs;	/* SFTP: create missing directories */
	/* response */
	long		 status;
	long		 hstatus;	/* the last status line's, as headers
					   come (0: none yet, or SFTP) */
	char		*resp;		/* first RESP_MAX bytes of the body */
	size_t		 resplen;
	char		 etag[80];
	char		 meta_sha256[80];
	char		 meta_mtime[40];	/* x-amz-meta-mtime, or "" */
	long long	 length;	/* Content-Length, or -1 */
	long		 retry_after;	/* seconds, or -1 */
	long long	 server_time;	/* its Date:, epoch seconds, or -1 */
	CURLcode	 curl_rc;	/* of the last try */
	size_t		 resp_cap;	/* keep this much of the body in resp
					   (a listing), or 0: RESP_MAX */
	int		 resp_cut;	/* the body past resp_cap not read */
	int		 filetime;	/* ask for the file's time ... */
	long long	 mtime;		/* ... Last-Modified, SFTP's mtime
					   (seconds), or -1 */
	/* SFTP's statvfs command: what is free (as statvfs(3)), or -1 */
	long long	 vfs_bavail, vfs_frsize, vfs_favail;
};

#define RESP_MAX	(64 * 1024)

/* Builds (or rebuilds, on each retry) a request's URL and headers. */
typedef int (*xreq_prepare)(struct xfer *x, struct xreq *rq, void *arg);

/* What a download brought (remote_ops.get). */
struct remote_got {
	uint64_t	 size;		/* bytes written to the file */
	char		 sha256[65];	/* their SHA-256, hex */
	char		 meta_sha256[80];	/* the one the remote keeps
					   (S3 x-amz-meta-sha256), or "" */
	int64_t		 mtime_ns;	/* the one the remote keeps ... */
	int		 has_mtime;	/* ... if it keeps one */
	int		 over;		/* get failed: the remote sent (or
					   would send) more than max bytes */
};

/* One file a remote lists (remote_ops.list). */
struct remote_entry {
	const char	*name;		/* relative to the remote's prefix */
	const char	*alt;		/* another reading of the name (s3rver
					   escapes keys twice), or NULL */
	uint64_t	 size;
	const char	*error;		/* a folder that could not be listed
					   (name), and why; NULL for a file */
};

/* A folder of a listing that is not listed: each is told, and goes on. */
#define REMOTE_UNLISTED(each, arg, folder, why) \
	((each)((arg), &(const struct remote_entry){ (folder), NULL, 0, \
	    (why) }))

/* Called for each file listed: 0 to go on, -1 to stop the listing. */
typedef int (*remote_each)(void *arg, const struct remote_entry *e);

/*
 * A kind of remote. probe says what is under a name (relative to the
 * remote's prefix): REMOTE_ABSENT, REMOTE_SAME (this file's content,
 * proven by a checksum the remote keeps or by reading it back) or
 * REMOTE_OTHER. put sends the file to a name probe found absent, never
 * replacing anything: REMOTE_EXISTS when the name was taken meanwhile.
 * discard removes a temporary file a killed upload left (its name as put
 * recorded it through remote_note_tmp). stat (verify --remote) says what
 * the server tells of a name without sending the file, and with full
 * reads it back too (struct remote_stat).
 */
struct remote_ops {
	const char	*type;
	int		(*open)(struct remote *r);
	int		(*probe)(struct xfer *x, const struct upload *up,
			    const char *name);
	int		(*put)(struct xfer *x, const struct upload *up,
			    const char *name);
	int		(*discard)(struct xfer *x, const char *tmp);
	void		(*close)(struct remote *r);
	int		(*stat)(struct xfer *x, const struct upload *up,
			    const char *name, int full, struct remote_stat *st);
	/*
	 * get downloads name into fd (empty, at offset 0), hashing it as it
	 * arrives, never holding it in memory: REMOTE_OK (got says what
	 * came), REMOTE_ABSENT, or an error with x->error set. A file of
	 * more than max bytes (the size expected) is not the file: refused
	 * as soon as that is known (a Content-Length, or the byte after
	 * max), REMOTE_FAIL with got->over set and no more than max bytes
	 * written.
	 */
	int		(*get)(struct xfer *x, const char *name, int fd,
			    uint64_t max, struct remote_got *got);
	/*
	 * list calls each for every file under the remote's prefix, a page
	 * or a folder at a time (memory does not grow with the remote):
	 * REMOTE_OK, REMOTE_FAIL when each stopped it, or an error with
	 * x->error set. NULL where the kind cannot list yet.
	 */
	int		(*list)(struct xfer *x, remote_each each, void *arg);
	/*
	 * empty says whether the remote's folder holds nothing at all (or is
	 * not there): a backup disk not mounted, or wiped. NULL where a
	 * remote cannot be empty that way.
	 */
	int		(*empty)(struct remote *r);
	/*
	 * unmounted says whether nothing is mounted where the remote's
	 * folder is (an empty one is then most likely an unplugged disk's
	 * mount point, not a new disk). NULL where that cannot be.
	 */
	int		(*unmounted)(struct remote *r);
	/*
	 * abort ends the multipart upload upload_id begun at name (S3), so
	 * that its parts stop costing storage: REMOTE_OK (it is gone,
	 * or was already), or an error with x->error set. NULL where a
	 * kind leaves nothing half-sent behind on the remote.
	 */
	int		(*abort)(struct xfer *x, const char *name,
			    const char *upload_id);
};

struct remote {
	char			*name;
	char			*section;	/* "remote NAME" */
	const struct config	*cfg;
	const struct remote_ops	*ops;
	void			*priv;
	int			 retries;
	double			 retry_delay;	/* seconds before the 1st retry */
	long			 timeout;	/* stall limit, seconds */
	long			 connect_timeout;
	int			 tls_verify;
	const char		*ca_file;
	int			 transfers;	/* workers sharing bwlimit */
	long long		 bwlimit;	/* bytes/s for the whole sync */
	int			 stopped;	/* a REMOTE_STOP was seen */
	volatile int		*interrupted;
	int			 anonymous;	/* requests carry no credentials */
	/* what the kind says when the host key is refused, the SSH key
	   exchange fails, or the login is refused (NULL: the default) */
	const char		*hint_hostkey;
	const char		*hint_kex;
	const char		*hint_login;
	/* connection failures in a row, from all workers (atomic); at
	   UNREACHABLE_AFTER, unreachable is set (1 while why is written,
	   then 2) and every request of the remote ends at once */
	int			 unreach_streak;
	long long		 unreach_since;	/* ms, monotonic: 1st of them */
	int			 unreachable;
	char			 unreach_why[640];
};

/* remote.c */
extern uint64_t	 remote_bytes_sent;	/* by every worker, for progress */
int		 remote_configured(const struct config *, const char *,
		    const char *);
struct remote	*remote_open(const struct config *cfg, const char *name);
extern int	 remote_open_absent;	/* why it failed: no disk */
void		 remote_close(struct remote *r);
int		 remote_emptied(struct remote *r, const char *who);
int		 remote_dir_in_library(struct remote *r, const char *library);
int		 remote_dir_holds(const struct config *cfg, const char *name,
		    const char *dir);
int		 remote_dir_shared(struct remote *r,
		    const struct config *cfg);
char		*remote_dir_folder(const struct config *cfg, const char *name);
const char	*remote_get(const struct remote *r, const char *key);
int		 remote_secret(struct remote *r, const char *key,
		    const char *env, char **out);
char		*remote_join(const char *a, const char *b);
void		 remote_timespec(int64_t ns, struct timespec *ts);
void		 remote_mtime_str(int64_t ns, char *buf, size_t size);
int		 remote_hash_region(int fd, uint64_t off, uint64_t len,
		    unsigned char *md5, unsigned char *sha256,
		    volatile int *interrupted);
int		 remote_hash_part(int fd, uint64_t off, uint64_t len,
		    unsigned char *md5, unsigned char *sha256, void *whole,
		    volatile int *interrupted);
void		 remote_base64(const unsigned char *p, size_t n, char *out);
int		 remote_open_file(struct xfer *x, const struct upload *up);
char		*remote_variant(const char *relpath, const char *main, int n);
char		*remote_tmp_name(const char *path);
int		 remote_note_tmp(struct xfer *x, const struct upload *up,
		    const char *tmp);
int		 remote_read_back(struct xfer *x, const struct upload *up,
		    xreq_prepare prepare, void *arg);
int		 remote_upload(struct xfer *x, struct upload *up, int *skipped);
int		 remote_stat_read(struct xfer *x, const struct upload *up,
		    xreq_prepare prepare, void *arg, struct remote_stat *st);
int		 remote_probe_stat(struct xfer *x, const struct upload *up,
		    const char *name);
int		 remote_fetch(struct xfer *x, xreq_prepare prepare, void *arg,
		    int fd, uint64_t max, struct remote_got *got);
int		 remote_mtime_parse(const char *s, int64_t *ns);
int		 remote_is_tmp(const char *name);

/* xreq.c */
void		 xfer_init(struct xfer *x, struct remote *r);
void		 xfer_free(struct xfer *x);
void		 xfer_error(struct xfer *x, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 xreq_init(struct xreq *rq, const char *method);
void		 xreq_free(struct xreq *rq);
void		 xreq_header(struct xreq *rq, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 xreq_header_line(struct xreq *rq, const char *buf, size_t n);
int		 xreq_perform(struct xfer *x, struct xreq *rq,
		    xreq_prepare prepare, void *arg);
int		 xreq_http_error(struct xfer *x, const struct xreq *rq,
		    const char *hint);
int		 remote_unreachable(struct remote *r);

/* The kinds of remote. */
extern const struct remote_ops remote_s3_ops;
extern const struct remote_ops remote_webdav_ops;
extern const struct remote_ops remote_sftp_ops;
extern const struct remote_ops remote_dir_ops;

#endif /* REMOTE_H */
