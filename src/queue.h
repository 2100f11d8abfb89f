/*
 * queue.h: the upload queue's functions beyond queue_enqueue (which the
 * importer uses through catalog.h), for cmd-sync.c, cmd-status.c, remote.c
 * and the remotes that keep multipart state (remote-s3.c).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include "remote.h"

#define QUEUE_ETAG_MAX	80
#define QUEUE_LEASE	120	/* seconds a claimed job is held for */
#define QUEUE_RENEW	20	/* seconds between renewals while it runs */

const char *queue_owner(void);
int	 queue_init(struct catalog *);
int	 queue_backfill(struct catalog *, const char *);
int	 queue_claim(struct catalog *, const char *, int64_t,
	    struct upload *);
int	 queue_renew(struct catalog *);
int	 queue_release(struct catalog *);
void	 queue_upload_free(struct upload *);
int	 queue_done(struct catalog *, int64_t, int, const char *);
int	 queue_failed(struct catalog *, int64_t, const char *, int);
int	 queue_target(struct catalog *, int64_t, const char *);
int	 queue_tmp(struct catalog *, int64_t, const char *);
int	 queue_mp_get(struct catalog *, int64_t, char **, long long *);
int	 queue_mp_set(struct catalog *, int64_t, const char *, long long);
int	 queue_mp_part(struct catalog *, int64_t, int, const char *);
int	 queue_mp_parts(struct catalog *, int64_t, int,
	    char (*)[QUEUE_ETAG_MAX]);
int	 queue_mp_clear(struct catalog *, int64_t);

#endif /* QUEUE_H */
