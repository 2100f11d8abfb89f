/*
 * queue.h: the upload queue's functions beyond queue_enqueue (which the
 * importer uses through catalog.h), for cmd-sync.c, cmd-status.c and the
 * remotes that keep multipart state (remote-s3.c).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include "remote.h"

#define QUEUE_ETAG_MAX	80

int	 queue_backfill(struct catalog *, const char *);
int	 queue_next(struct catalog *, const char *, int64_t,
	    struct upload *);
void	 queue_upload_free(struct upload *);
int	 queue_done(struct catalog *, int64_t, int);
int	 queue_failed(struct catalog *, int64_t, const char *, int);
int	 queue_mp_get(struct catalog *, int64_t, char **, long long *);
int	 queue_mp_set(struct catalog *, int64_t, const char *, long long);
int	 queue_mp_part(struct catalog *, int64_t, int, const char *);
int	 queue_mp_parts(struct catalog *, int64_t, int,
	    char (*)[QUEUE_ETAG_MAX]);
int	 queue_mp_clear(struct catalog *, int64_t);

#endif /* QUEUE_H */
