/*
 * queue.h: the durable upload queue (queue.c), for the importer (which
 * queues each file it catalogues), cmd-sync.c, cmd-status.c, remote.c and
 * the remotes that keep multipart state (remote-s3.c).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include "remote.h"

struct config;

#define QUEUE_ETAG_MAX	80
#define QUEUE_LEASE	120	/* seconds a claimed job is held for */
#define QUEUE_SIDECAR_WAITS 3	/* its main file's failed tries a sidecar
				   waits out before it goes alone */
#define QUEUE_RENEW	20	/* seconds between renewals while it runs */

int	 queue_enqueue(struct catalog *cat, const struct config *cfg,
	    int64_t file_id);
const char *queue_owner(void);
int	 queue_init(struct catalog *cat);
int	 queue_backfill(struct catalog *cat, const char *remote);
int	 queue_claim(struct catalog *cat, const char *remote, int64_t after,
	    struct upload *up);
int	 queue_sidecar_after(struct catalog *cat, struct upload *up);
char	*queue_sidecar_base(const char *relpath, const char *main,
	    const char *there);
int	 queue_renew(struct catalog *cat);
int	 queue_release(struct catalog *cat);
void	 queue_upload_free(struct upload *up);
int	 queue_done(struct catalog *cat, int64_t job_id, int skipped,
	    const char *remote_path);
int	 queue_failed(struct catalog *cat, int64_t job_id, const char *error,
	    int pending);
int	 queue_target(struct catalog *cat, int64_t job_id,
	    const char *remote_path);
int	 queue_tmp(struct catalog *cat, int64_t job_id, const char *tmp);
int	 queue_changed(struct catalog *cat, int64_t job_id);
int	 queue_mp_get(struct catalog *cat, int64_t job_id, char **upload_id,
	    long long *part_size);
int	 queue_mp_set(struct catalog *cat, int64_t job_id,
	    const char *upload_id, long long part_size);
int	 queue_mp_part(struct catalog *cat, int64_t job_id, int part,
	    const char *etag);
int	 queue_mp_parts(struct catalog *cat, int64_t job_id, int nparts,
	    char (*etags)[QUEUE_ETAG_MAX]);
int	 queue_mp_clear(struct catalog *cat, int64_t job_id);

#endif /* QUEUE_H */
