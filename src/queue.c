/*
 * queue.c: the durable upload queue in the catalogue. One row in
 * upload_jobs per file and remote (pending, done or failed), written in
 * the importer's transaction so that a crash cannot lose a file's upload;
 * and the state of an S3 multipart upload (UploadId, part size, the ETags
 * of the parts done) so that a killed sync resumes where it stopped.
 *
 * Any number of syncs, in any number of processes, may drain the queue at
 * once: a sync claims a job in one UPDATE (claimed_by, lease_until) that
 * only takes a job nobody holds, renews its leases while it works, and
 * gives them back when the job is done or failed. A lease whose sync was
 * killed is taken over when it expires, or at once when its process, on
 * this machine, is gone. Callers in threads hold the sync's lock around
 * every call.
 */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	int		 i, n;

	n = config_sections(cfg, "remote", &names);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (catalog_add_remote(cat, names[i]) == -1 ||
		    (st = catalog_prepare(cat, "INSERT OR IGNORE INTO "
		    "upload_jobs (remote_id, file_id, queued_at) "
		    "VALUES (" CATALOG_REMOTE("?1") ", ?2, ?3)")) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, file_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
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

	if (catalog_add_remote(cat, remote) == -1 ||
	    (st = catalog_prepare(cat, "INSERT OR IGNORE INTO upload_jobs "
	    "(remote_id, file_id, queued_at) SELECT r.id, f.id, ?2 FROM "
	    "remotes r, files f WHERE r.name = ?1 AND NOT EXISTS (SELECT 1 "
	    "FROM upload_jobs j WHERE j.remote_id = r.id AND j.file_id = f.id) "
	    "ORDER BY f.id")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if (queue_step_done(cat, st, "queueing earlier files") == -1)
		return -1;
	return sqlite3_changes(cat->db);
}

/*
 * This process, as claimed_by records it: host, boot, pid and the pid's
 * start time, so that another sync on this machine can tell that the
 * holder of a lease is gone (killed, or the machine restarted).
 */
static char	queue_me[256];

/* Field 22 of /proc/PID/stat: when the process started; 0 if unknown. */
static unsigned long long
queue_proc_start(long pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 start = 0;
	FILE			*f;
	size_t			 n;
	int			 i;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (i = 2; i < 22 && p != NULL; i++)	/* field 2 ends at ')' */
		p = strchr(p + 1, ' ');
	if (p != NULL)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/* The kernel's boot id, or "-". */
static void
queue_boot_id(char *buf, size_t size)
{
	FILE	*f;

	snprintf(buf, size, "-");
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return;
	if (fgets(buf, (int)size, f) == NULL)
		snprintf(buf, size, "-");
	buf[strcspn(buf, "\n ")] = '\0';
	fclose(f);
}

/* Who this process is, for claimed_by: "HOST BOOT PID START". */
const char *
queue_owner(void)
{
	char	host[128], boot[64];

	if (queue_me[0] != '\0')
		return queue_me;
	if (gethostname(host, sizeof host) == -1 || host[0] == '\0')
		snprintf(host, sizeof host, "-");
	host[sizeof host - 1] = '\0';
	host[strcspn(host, " ")] = '\0';
	queue_boot_id(boot, sizeof boot);
	snprintf(queue_me, sizeof queue_me, "%s %s %ld %llu", host, boot,
	    (long)getpid(), queue_proc_start((long)getpid()));
	return queue_me;
}

/*
 * SQL shoebox_owner_gone(claimed_by): 1 when that sync is known to be no
 * more (same machine, and another boot, or its pid gone or reused); 0
 * when it may be running (here, or on another machine: its lease decides).
 */
static void
queue_owner_gone(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char		*owner;
	char			 host[128], boot[64], mhost[128], mboot[64];
	long			 pid, mpid;
	unsigned long long	 start, mstart;
	int			 gone = 0;

	(void)argc;
	owner = (const char *)sqlite3_value_text(argv[0]);
	if (owner != NULL && sscanf(owner, "%127s %63s %ld %llu", host, boot,
	    &pid, &start) == 4 && sscanf(queue_owner(), "%127s %63s %ld %llu",
	    mhost, mboot, &mpid, &mstart) == 4 && strcmp(host, mhost) == 0) {
		if (strcmp(boot, mboot) != 0)
			gone = strcmp(boot, "-") != 0;
		else if (pid == mpid)
			gone = start != mstart;
		else if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			gone = 1;
		else if (start != 0)
			gone = queue_proc_start(pid) != start;
	}
	sqlite3_result_int(ctx, gone);
}

/* Ready the catalogue for claiming jobs; 0 or -1. */
int
queue_init(struct catalog *cat)
{
	queue_owner();
	if (sqlite3_create_function(cat->db, "shoebox_owner_gone", 1,
	    SQLITE_UTF8, NULL, queue_owner_gone, NULL, NULL) != SQLITE_OK)
		return catalog_error(cat, "registering a function");
	return 0;
}

/* Free what queue_claim put in up. */
void
queue_upload_free(struct upload *up)
{
	free(up->path);
	free(up->relpath);
	free(up->mime);
	free(up->remote_path);
	free(up->base);
	free(up->main_there);
	free(up->tmp_path);
	while (up->nsidecars > 0)
		queue_upload_free(&up->sidecars[--up->nsidecars]);
	free(up->sidecars);
	memset(up, 0, sizeof *up);
}

/*
 * A main file's sidecars (up->sidecars), for remote_upload to keep their
 * names beside its free. 0, or -1 on an error.
 */
static int
queue_sidecars(struct catalog *cat, struct upload *up)
{
	sqlite3_stmt	*st;
	struct upload	*sc;
	int		 rc;

	if ((st = catalog_prepare(cat, "SELECT s.path, s.sha256, s.size, "
	    "s.mtime_ns FROM upload_jobs j JOIN files s ON s.main_id = "
	    "j.file_id WHERE j.id = ?1 ORDER BY s.id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, up->job_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		up->sidecars = xreallocarray(up->sidecars,
		    (size_t)up->nsidecars + 1, sizeof *up->sidecars);
		sc = &up->sidecars[up->nsidecars++];
		memset(sc, 0, sizeof *sc);
		sc->relpath = xstrdup((const char *)sqlite3_column_text(st,
		    0));
		xasprintf(&sc->path, "%s/%s", cat->library, sc->relpath);
		catalog_column_sha(st, 1, sc->sha256, sizeof sc->sha256);
		sc->size = (uint64_t)sqlite3_column_int64(st, 2);
		sc->mtime_ns = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : catalog_error(cat,
	    "reading a file's sidecars");
}

/*
 * The name a sidecar (relpath) should have on a remote where its main
 * file (main, in the library) went up as there (main itself, or NULL,
 * under its own name): the main's folder there, and the sidecar's name
 * renamed as the main's was, so the two still pair by name (restore
 * --rebuild). NULL when that is relpath itself.
 */
char *
queue_sidecar_base(const char *relpath, const char *main, const char *there)
{
	const char	*sc = strrchr(relpath, '/'), *mn, *tn;
	char		 name[NAME_MAX * 4 + 1], *base;

	if (main == NULL || there == NULL)
		return NULL;
	sc = sc != NULL ? sc + 1 : relpath;
	mn = strrchr(main, '/');
	mn = mn != NULL ? mn + 1 : main;
	tn = strrchr(there, '/');
	tn = tn != NULL ? tn + 1 : there;
	sidecar_rename(sc, mn, tn, name, sizeof name);
	xasprintf(&base, "%.*s%s", (int)(tn - there), there, name);
	if (strcmp(base, relpath) == 0) {
		free(base);
		return NULL;
	}
	return base;
}

/* A new copy of column i, or NULL. */
static char *
queue_column(sqlite3_stmt *st, int i)
{
	const char	*s = (const char *)sqlite3_column_text(st, i);

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/*
 * Claim the first job for remote after job id after that is pending or
 * failed (failed jobs are tried again by each sync) and that no live sync
 * holds: one UPDATE, so that two syncs never take the same job. 1 and *up
 * filled (free with queue_upload_free), 0 when there is none, -1 on error.
 */
int
queue_claim(struct catalog *cat, const char *remote, int64_t after,
    struct upload *up)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	memset(up, 0, sizeof *up);
	/*
	 * A sidecar whose main file another live sync is sending is not
	 * taken: where that file lands (NAME-1.EXT?) names the sidecar, and
	 * only that sync learns it in time. It takes the sidecar after, or
	 * the next sync does. Nor is one whose main file is not there yet
	 * and not given up on (fewer than QUEUE_SIDECAR_WAITS tries, none
	 * this sync's own): sent first, it would take its own name beside
	 * whatever holds the main file's there. A main file left pending for
	 * a reason not its own (too big for what is free there) holds none.
	 */
	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET "
	    "claimed_by = ?1, lease_until = ?2 + ?3 WHERE id = (SELECT j.id "
	    "FROM upload_jobs j WHERE j.remote_id = " CATALOG_REMOTE("?4")
	    " AND j.id > ?5 AND "
	    "j.status IN ('pending', 'failed') AND (j.lease_until IS NULL OR "
	    "j.lease_until <= ?2 OR shoebox_owner_gone(j.claimed_by)) "
	    "AND NOT EXISTS (SELECT 1 FROM files f JOIN upload_jobs mj ON "
	    "mj.file_id = f.main_id WHERE f.id = j.file_id AND mj.remote_id = "
	    "j.remote_id AND mj.status <> 'done' AND mj.claimed_by IS NOT ?1 "
	    "AND ((mj.lease_until > ?2 AND NOT shoebox_owner_gone("
	    "mj.claimed_by)) OR (mj.attempts < ?6 AND NOT (mj.status = "
	    "'pending' AND mj.last_error IS NOT NULL)))) "
	    "ORDER BY j.id LIMIT 1) RETURNING id, remote_path, tmp_path")) ==
	    NULL)
		return -1;
	sqlite3_bind_text(st, 1, queue_owner(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	sqlite3_bind_int(st, 3, QUEUE_LEASE);
	sqlite3_bind_text(st, 4, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, after);
	sqlite3_bind_int(st, 6, QUEUE_SIDECAR_WAITS);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		up->job_id = sqlite3_column_int64(st, 0);
		up->remote_path = queue_column(st, 1);
		up->tmp_path = queue_column(st, 2);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		queue_upload_free(up);
		return catalog_error(cat, "claiming an upload");
	}
	if (up->job_id == 0)
		return 0;

	/*
	 * A sidecar: its main file's path, its name there once sent (a
	 * done job keeps only a name that differs from the file's own), and
	 * its job there if this sync holds it, not done yet. And whether
	 * verify --remote found its copy there changed (--resend).
	 */
	if ((st = catalog_prepare(cat, "SELECT f.path, f.sha256, f.size, "
	    "f.mtime_ns, t.mime, m.path, (SELECT coalesce(mj.remote_path, "
	    "m.path) FROM upload_jobs mj WHERE mj.file_id = f.main_id AND "
	    "mj.remote_id = j.remote_id AND mj.status = 'done'), (SELECT "
	    "mj.id FROM upload_jobs mj WHERE mj.file_id = f.main_id AND "
	    "mj.remote_id = j.remote_id AND mj.status <> 'done' AND "
	    "mj.claimed_by = ?2), j.verify_status = 'changed' "
	    "FROM upload_jobs j JOIN files f ON f.id = j.file_id LEFT JOIN "
	    "types t ON t.id = f.type_id LEFT JOIN files m ON m.id = "
	    "f.main_id WHERE j.id = ?1")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, up->job_id);
	sqlite3_bind_text(st, 2, queue_owner(), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		catalog_error(cat, "reading the upload queue");
		goto fail;
	}
	up->relpath = xstrdup((const char *)sqlite3_column_text(st, 0));
	catalog_column_sha(st, 1, up->sha256, sizeof up->sha256);
	up->size = (uint64_t)sqlite3_column_int64(st, 2);
	up->mtime_ns = sqlite3_column_int64(st, 3);
	s = (const char *)sqlite3_column_text(st, 4);
	up->mime = xstrdup(s && *s ? s : "application/octet-stream");
	xasprintf(&up->path, "%s/%s", cat->library, up->relpath);
	up->base = queue_sidecar_base(up->relpath,
	    (const char *)sqlite3_column_text(st, 5),
	    (const char *)sqlite3_column_text(st, 6));
	up->main_there = queue_column(st, 6);
	up->main_job = sqlite3_column_int64(st, 7);
	up->reread = sqlite3_column_int(st, 8);
	rc = sqlite3_column_type(st, 5) == SQLITE_NULL;	/* a main file */
	sqlite3_finalize(st);
	if (rc && queue_sidecars(cat, up) == -1)
		goto fail;
	return 1;
fail:
	queue_failed(cat, up->job_id, "cannot read the job", 1);
	queue_upload_free(up);
	return -1;
}

/*
 * A sidecar's main file (its job up->main_job) was being sent by this
 * sync when the sidecar was claimed, and is not now: where it went decides
 * the sidecar's name (up->base). 0, or -1 on an error.
 */
int
queue_sidecar_after(struct catalog *cat, struct upload *up)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "SELECT m.path, coalesce("
	    "mj.remote_path, m.path) FROM upload_jobs mj JOIN files m ON "
	    "m.id = mj.file_id WHERE mj.id = ? AND mj.status = 'done'")) ==
	    NULL)
		return -1;
	sqlite3_bind_int64(st, 1, up->main_job);
	if (sqlite3_step(st) == SQLITE_ROW) {
		free(up->base);
		up->base = queue_sidecar_base(up->relpath,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
		free(up->main_there);
		up->main_there = queue_column(st, 1);
	}
	sqlite3_finalize(st);
	up->main_job = 0;
	return 0;
}

/* Extend the leases this process holds; 0 or -1. */
int
queue_renew(struct catalog *cat)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET lease_until = "
	    "?2 WHERE claimed_by = ?1 AND lease_until IS NOT NULL")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, queue_owner(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL) + QUEUE_LEASE);
	return queue_step_done(cat, st, "renewing upload leases");
}

/* Give back every lease this process still holds; 0 or -1. */
int
queue_release(struct catalog *cat)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET claimed_by = "
	    "NULL, lease_until = NULL WHERE claimed_by = ?")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, queue_owner(), -1, SQLITE_STATIC);
	return queue_step_done(cat, st, "releasing upload leases");
}

/*
 * Mark a job done (skipped: the remote already had the file), at
 * remote_path on the remote, and give its lease back. A job whose lease
 * this process lost (it expired) is left to the sync that took it.
 */
int
queue_done(struct catalog *cat, int64_t job_id, int skipped,
    const char *remote_path)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET status = "
	    "'done', done_at = ?, skipped = ?, last_error = NULL, "
	    "attempts = attempts + 1, upload_id = NULL, part_size = NULL, "
	    "remote_path = ?, tmp_path = NULL, claimed_by = NULL, "
	    "lease_until = NULL, verified_at = NULL, verify_status = NULL "
	    "WHERE id = ? AND claimed_by = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 2, skipped);
	sqlite3_bind_text(st, 3, remote_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, job_id);
	sqlite3_bind_text(st, 5, queue_owner(), -1, SQLITE_STATIC);
	if (queue_step_done(cat, st, "marking an upload done") == -1)
		return -1;
	if (sqlite3_changes(cat->db) == 0) {
		log_debug("upload job %lld: lease lost; left to the sync that "
		    "holds it", (long long)job_id);
		return 0;
	}
	return queue_mp_clear(cat, job_id);
}

/*
 * Record why a job did not go, and give its lease back: failed (counted as
 * an attempt) or, when the remote itself refused or the sync was
 * interrupted, still pending with the reason.
 */
int
queue_failed(struct catalog *cat, int64_t job_id, const char *error,
    int pending)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, pending ?
	    "UPDATE upload_jobs SET last_error = ?1, claimed_by = NULL, "
	    "lease_until = NULL WHERE id = ?2 AND claimed_by = ?3" :
	    "UPDATE upload_jobs SET status = 'failed', last_error = ?1, "
	    "attempts = attempts + 1, claimed_by = NULL, lease_until = NULL "
	    "WHERE id = ?2 AND claimed_by = ?3")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, job_id);
	sqlite3_bind_text(st, 3, queue_owner(), -1, SQLITE_STATIC);
	return queue_step_done(cat, st, "marking an upload failed");
}

/*
 * Record the name a job's file is going to on the remote, before it is
 * sent (a resumed S3 multipart upload must go on under the same key). A
 * multipart upload begun under another name is forgotten.
 */
int
queue_target(struct catalog *cat, int64_t job_id, const char *remote_path)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET remote_path "
	    "= ?1 WHERE id = ?2 AND remote_path IS NOT ?1")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, remote_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, job_id);
	if (queue_step_done(cat, st, "recording an upload's name") == -1)
		return -1;
	changed = sqlite3_changes(cat->db);
	return changed ? queue_mp_clear(cat, job_id) : 0;
}

/*
 * Record the temporary file a job is about to create on the remote (NULL
 * once it is renamed or removed), so that the next sync removes it if
 * this one is killed first.
 */
int
queue_tmp(struct catalog *cat, int64_t job_id, const char *tmp)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET tmp_path = ? "
	    "WHERE id = ?")) == NULL)
		return -1;
	if (tmp != NULL)
		sqlite3_bind_text(st, 1, tmp, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, job_id);
	return queue_step_done(cat, st, "recording a temporary file");
}

/*
 * The copy at the job's name was found not to be the file's (verify
 * --remote), or may not be: the next sync proves "already there" by
 * reading it back, not by what the remote says of it. 0 or -1.
 */
int
queue_changed(struct catalog *cat, int64_t job_id)
{
	sqlite3_stmt	*st;

	if ((st = catalog_prepare(cat, "UPDATE upload_jobs SET verify_status "
	    "= 'changed' WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, job_id);
	return queue_step_done(cat, st, "recording a changed copy");
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
