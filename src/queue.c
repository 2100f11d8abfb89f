/*
 * queue.c: the durable upload queue in the catalogue. One row in
 * upload_jobs per file and remote (pending, done or failed), written in
 * the importer's transaction so that a crash cannot lose a file's upload;
 * and the state of an S3 multipart upload (UploadId, part size, the ETags
 * of the parts done) so that a killed sync resumes where it stopped.
 * Callers in threads hold the sync's lock around every call.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"
#include "queue.h"

/* Step a statement that returns no rows, then finalize it; 0 or -1. */
static int
queue_step_done(struct catalog *cat, sqlite3_stmt *st, const char *what)
{
	int	rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(cat, what);
	return 0;
}

/* Queue file_id for every configured remote, inside the caller's transaction. */
int
queue_enqueue(struct catalog *cat, const struct config *cfg, int64_t file_id)
{
	sqlite3_stmt	*st;
	const char	**names;
	char		 now[40];
	int		 i, n;

	n = config_sections(cfg, "remote", &names);
	if (n == 0)
		return 0;
	catalog_now(now, sizeof now);
	for (i = 0; i < n; i++) {
		if ((st = catalog_prepare(cat, "INSERT OR IGNORE INTO "
		    "upload_jobs (remote, file_id, queued_at) "
		    "VALUES (?, ?, ?)")) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, file_id);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
		if (queue_step_done(cat, st, "queueing an upload") == -1)
			return -1;
	}
	return 0;
}

/*
 * Queue for remote every catalogued file that has no job for it (files
 * imported before the remote was configured). The number queued, or -1.
 */
int
queue_backfill(struct catalog *cat, const char *remote)
{
	sqlite3_stmt	*st;
	char		 now[40];

	catalog_now(now, sizeof now);
	if ((st = catalog_prepare(cat, "INSERT OR IGNORE INTO upload_jobs "
	    "(remote, file_id, queued_at) SELECT ?1, f.id, ?2 FROM files f "
	    "WHERE NOT EXISTS (SELECT 1 FROM upload_jobs j "
	    "WHERE j.remote = ?1 AND j.file_id = f.id) ORDER BY f.id")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (queue_step_done(cat, st, "queueing earlier files") == -1)
		return -1;
	return sqlite3_changes(cat->db);
}

/* Free what queue_next put in up. */
void
queue_upload_free(struct upload *up)
{
	free(up->path);
	free(up->relpath);
	free(up->mime);
	memset(up, 0, sizeof *up);
}

/*
 * The first job for remote after job id after that is pending or failed
 * (failed jobs are tried again by each sync). 1 and *up filled (free with
 * queue_upload_free), 0 when there is none, -1 on error.
 */
int
queue_next(struct catalog *cat, const char *remote, int64_t after,
    struct upload *up)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	memset(up, 0, sizeof *up);
	if ((st = catalog_prepare(cat, "SELECT j.id, f.path, f.sha256, "
	    "f.size, f.mtime_ns, f.mime FROM upload_jobs j "
	    "JOIN files f ON f.id = j.file_id WHERE j.remote = ? AND j.id > ? "
	    "AND j.status IN ('pending', 'failed') ORDER BY j.id LIMIT 1"))
	    == NULL)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_error(cat, "reading the upload queue");
	}
	up->job_id = sqlite3_column_int64(st, 0);
	up->relpath = xstrdup((const char *)sqlite3_column_text(st, 1));
	s = (const char *)sqlite3_column_text(st, 2);
	strlcpy_sb(up->sha256, s ? s : "", sizeof up->sha256);
	up->size = (uint64_t)sqlite3_column_int64(st, 3);
	up->mtime_ns = sqlite3_column_int64(st, 4);
	s = (const char *)sqlite3_column_text(st, 5);
	up->mime = xstrdup(s && *s ? s : "application/octet-stream");
	xasprintf(&up->path, "%s/%s", cat->library, up->relpath);
	sqlite3_finalize(st);
	return 1;
}

/* Mark a job done (skipped: the remote already had the file). */
int
queue_done(struct catalog *cat, int64_t job_id, int skipped)
{
	sqlite3_stmt	*st;
	char		 now[40];

	catalog_now(now, sizeof now);
	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET status = "
	    "'done', done_at = ?, skipped = ?, last_error = NULL, "
	    "attempts = attempts + 1, upload_id = NULL, part_size = NULL "
	    "WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, skipped);
	sqlite3_bind_int64(st, 3, job_id);
	if (queue_step_done(cat, st, "marking an upload done") == -1)
		return -1;
	return queue_mp_clear(cat, job_id);
}

/*
 * Record why a job did not go: failed (counted as an attempt) or, when the
 * remote itself refused, still pending with the reason.
 */
int
queue_failed(struct catalog *cat, int64_t job_id, const char *error,
    int pending)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, pending ?
	    "UPDATE upload_jobs SET last_error = ? WHERE id = ?" :
	    "UPDATE upload_jobs SET status = 'failed', last_error = ?, "
	    "attempts = attempts + 1 WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, job_id);
	return queue_step_done(cat, st, "marking an upload failed");
}

/*
 * The multipart upload in progress for a job: 1 with *upload_id (new
 * string) and *part_size set, 0 when there is none, -1 on error.
 */
int
queue_mp_get(struct catalog *cat, int64_t job_id, char **upload_id,
    long long *part_size)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc = 0;

	*upload_id = NULL;
	if ((st = catalog_prepare(cat, "SELECT upload_id, part_size FROM "
	    "upload_jobs WHERE id = ? AND upload_id IS NOT NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (s = (const char *)sqlite3_column_text(st, 0)) != NULL) {
		*upload_id = xstrdup(s);
		*part_size = sqlite3_column_int64(st, 1);
		rc = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Remember a new multipart upload for a job. */
int
queue_mp_set(struct catalog *cat, int64_t job_id, const char *upload_id,
    long long part_size)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET upload_id = ?, "
	    "part_size = ? WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, part_size);
	sqlite3_bind_int64(st, 3, job_id);
	return queue_step_done(cat, st, "saving a multipart upload");
}

/* Remember that part (1-based) is uploaded, with its ETag. */
int
queue_mp_part(struct catalog *cat, int64_t job_id, int part,
    const char *etag)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "INSERT OR REPLACE INTO upload_parts "
	    "(job_id, part, etag) VALUES (?, ?, ?)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	sqlite3_bind_int(st, 2, part);
	sqlite3_bind_text(st, 3, etag, -1, SQLITE_TRANSIENT);
	return queue_step_done(cat, st, "saving an uploaded part");
}

/*
 * The ETags of the parts already uploaded: etags[i] for part i + 1, ""
 * when not done. The number found, or -1.
 */
int
queue_mp_parts(struct catalog *cat, int64_t job_id, int nparts,
    char (*etags)[QUEUE_ETAG_MAX])
{
	sqlite3_stmt	*st;
	const char	*e;
	int		 part, n = 0;

	if ((st = catalog_prepare(cat, "SELECT part, etag FROM upload_parts "
	    "WHERE job_id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		part = sqlite3_column_int(st, 0);
		e = (const char *)sqlite3_column_text(st, 1);
		if (part < 1 || part > nparts || e == NULL)
			continue;
		strlcpy_sb(etags[part - 1], e, QUEUE_ETAG_MAX);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

/* Forget a job's multipart upload (completed or aborted). */
int
queue_mp_clear(struct catalog *cat, int64_t job_id)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "DELETE FROM upload_parts "
	    "WHERE job_id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	if (queue_step_done(cat, st, "forgetting uploaded parts") == -1)
		return -1;
	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET upload_id = "
	    "NULL, part_size = NULL WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	return queue_step_done(cat, st, "forgetting a multipart upload");
}
