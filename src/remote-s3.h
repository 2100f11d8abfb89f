/*
 * remote-s3.h: what remote-s3.c and remote-s3-multipart.c share: the
 * remote's settings, one signed call, and the helpers every upload uses.
 */
#ifndef REMOTE_S3_H
#define REMOTE_S3_H

#include <stddef.h>
#include <stdint.h>

#include "remote.h"
#include "sigv4.h"

#define MIB		(1024LL * 1024)
#define AUTH_HINT	"check access_key_id and secret_access_key " \
			"(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"

/* A remote of type s3, as its config section says. */
struct s3_priv {
	char		*scheme;	/* http or https */
	char		*authority;	/* host[:port] of the endpoint */
	char		*bucket;
	char		*region;
	char		*prefix;
	int		 virtual_host;
	char		*access_key;
	char		*secret_key;
	char		*token;
	const char	*storage_class;
	long long	 threshold;
	long long	 part_size;
	int		 concurrency;
	int		 no_condition;	/* If-None-Match: * not implemented */
};

/* One S3 call: what s3_prepare signs on each try. */
struct s3_call {
	struct s3_priv	*s;
	char		*path;		/* encoded key, with a leading '/' */
	struct sigv4_kv	 query[4];
	size_t		 nquery;
	struct sigv4_kv	 hdr[10];
	size_t		 nhdr;
	const char	*payload_hash;
};

/* remote-s3.c */
void	 s3_call_init(struct s3_call *c, struct s3_priv *s,
	    const char *relpath);
void	 s3_call_free(struct s3_call *c);
void	 s3_call_header(struct s3_call *c, const char *name,
	    const char *value);
int	 s3_prepare(struct xfer *x, struct xreq *rq, void *arg);
int	 s3_condition(struct xfer *x, struct xreq *rq, int *rc);
void	 s3_object_headers(struct s3_call *c, const struct upload *up,
	    char *mtime, size_t size);
int	 s3_etag_ok(const char *etag, const char *md5hex);
int	 s3_body_refused(const struct xreq *rq, int rc);

/* remote-s3-list.c: each object of a listing page (alt: see there). */
typedef int (*s3_list_each)(void *arg, const char *key, const char *alt,
	    uint64_t size);
int	 s3_xml_unescape(const char *in, size_t n, char *out);
int	 s3_list_parse(const char *xml, size_t len, s3_list_each each,
	    void *arg, int *truncated, char **last);

/* remote-s3-multipart.c */
int	 s3_put_multipart(struct xfer *x, const struct upload *up,
	    const char *name, int fd);
int	 s3_abort(struct xfer *x, const char *name, const char *upload_id);

#endif /* REMOTE_S3_H */
