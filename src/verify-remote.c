/*
 * verify-remote.c: "shoebox verify --remote NAME": check the copy on a
 * remote of each file the catalogue says was uploaded there, at the name
 * it went to. Always its presence and size; its checksum where the server
 * keeps one that it tells without sending the file (S3: our
 * x-amz-meta-sha256, or an ETag that is the MD5 of a single-part upload,
 * compared with the library file's); with --download, every copy read
 * back and hashed. A copy that is there with its size but no checksum to
 * compare (WebDAV, SFTP, dir without --download) is "unverified": not a
 * failure, but not proven either.
 *
 * Each check is recorded on the upload job (upload_jobs.verified_at,
 * verify_status), so --sample takes the copies checked longest ago first
 * and repeated runs go round the whole remote. With --resend, the job of
 * a copy missing or changed is pending again: the next sync sends the
 * file, under its own name if that is free, else beside what holds it
 * (nothing on the remote is replaced). The rows are read BATCH at
 * a time and checked by a few workers at once: memory does not grow with
 * the size of the remote.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"
#include "remote.h"
#include "sigv4.h"
#include "verify-remote.h"

#define BATCH		64	/* rows read, checked and recorded at once */
#define WORKERS_MAX	16

enum vrstate { VR_OK, VR_MISSING, VR_CHANGED, VR_UNVERIFIED, VR_UNREADABLE,
	VR_N };

static const char *const vr_names[VR_N] = {
	"ok", "missing", "changed", "unverified", "unreadable"
};

/* One copy to check, and what was found. */
struct vr_item {
	struct upload		 up;	/* the catalogue's record */
	char			*name;	/* where it is on the remote */
	enum vrstate		 state;
	int			 rc;	/* the stat's REMOTE_* */
	char			 why[512];
};

struct vr {
	const struct vr_opts	*o;
	struct sb_ctx		*ctx;
	struct catalog		*cat;
	struct remote		*r;
	struct meter		 meter;
	int64_t			 start;		/* this run's first record */
	struct vr_item		 items[BATCH];
	size_t			 nitems;
	size_t			 next;		/* the next item a worker takes */
	pthread_mutex_t		 lock;
	struct xfer		 x[WORKERS_MAX];
	int			 nworkers;
	int			 stopped;	/* the remote refused, or is gone */
	char			 stop_why[600];
	unsigned long		 count[VR_N];
	uint64_t		 bytes;		/* read back */
	uint64_t		 checked;
	uint64_t		 resent;	/* --resend: queued again */
	int			 resend;	/* --resend, and allowed */
};

/*
 * Now, in microseconds since the epoch (upload_jobs.verified_at), so that
 * a run tells the copies it checked from those a run a moment before did.
 */
static int64_t
vr_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The library file's MD5 (hex) if it still has its catalogued SHA-256. */
static int
vr_local_md5(struct xfer *x, const struct upload *up, char *hex)
{
	unsigned char	md5[16], sha[32];
	char		shahex[65];
	int		fd, rc;

	if ((fd = remote_open_file(x, up)) == -1)
		return -1;
	rc = remote_hash_region(fd, 0, up->size, md5, sha,
	    x->remote->interrupted);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (rc == -1)
		return -1;
	sigv4_hex(sha, sizeof sha, shahex);
	if (strcmp(shahex, up->sha256) != 0)
		return -1;
	sigv4_hex(md5, sizeof md5, hex);
	return 0;
}

/* What a copy's checksums say, its size being right. */
static enum vrstate
vr_judge_sums(struct xfer *x, struct vr_item *it, const struct remote_stat *st)
{
	const struct upload	*up = &it->up;
	char			 md5[33];

	if (st->read == REMOTE_SAME)
		return VR_OK;
	if (st->read == REMOTE_OTHER) {
		snprintf(it->why, sizeof it->why, "content read back differs "
		    "from the catalogue's SHA-256");
		return VR_CHANGED;
	}
	if (st->sha256[0] != '\0') {
		if (strcasecmp(st->sha256, up->sha256) == 0)
			return VR_OK;
		snprintf(it->why, sizeof it->why, "the remote's SHA-256 is %s, "
		    "catalogued %s", st->sha256, up->sha256);
		return VR_CHANGED;
	}
	if (st->md5[0] != '\0') {
		if (vr_local_md5(x, up, md5) == -1) {
			snprintf(it->why, sizeof it->why, "only an MD5 on the "
			    "remote, and the library file to compare it with "
			    "is gone or changed; --download reads it back");
			return VR_UNVERIFIED;
		}
		if (strcasecmp(st->md5, md5) == 0)
			return VR_OK;
		snprintf(it->why, sizeof it->why, "the remote's MD5 (ETag) is "
		    "%s, the library file's %s (unless the bucket encrypts "
		    "with SSE-KMS or SSE-C)", st->md5, md5);
		return VR_CHANGED;
	}
	if (st->mtime >= 0 && st->mtime != up->mtime_ns / 1000000000)
		snprintf(it->why, sizeof it->why, "right size, but modified "
		    "since the upload; --download reads it back");
	else
		snprintf(it->why, sizeof it->why, "right size; the remote keeps "
		    "no checksum: --download reads it back");
	return VR_UNVERIFIED;
}

/* Check one copy: fill it->state and it->why. */
static void
vr_check(struct vr *v, struct xfer *x, struct vr_item *it)
{
	struct remote_stat	st;

	memset(&st, 0, sizeof st);
	st.size = st.mtime = -1;
	x->error[0] = '\0';
	it->rc = v->r->ops->stat(x, &it->up, it->name, v->o->full, &st);
	if (it->rc == REMOTE_ABSENT) {
		it->state = VR_MISSING;
		return;
	}
	if (it->rc == REMOTE_OTHER) {
		it->state = VR_CHANGED;
		snprintf(it->why, sizeof it->why, "not a file any more");
		return;
	}
	if (it->rc != REMOTE_OK && stop_requested) {
		it->rc = REMOTE_STOP;	/* not checked: not recorded */
		snprintf(it->why, sizeof it->why, "interrupted");
		return;
	}
	if (it->rc != REMOTE_OK) {
		it->state = VR_UNREADABLE;
		snprintf(it->why, sizeof it->why, "%s", x->error[0] ? x->error :
		    "the remote did not answer");
		return;
	}
	if (st.read != 0)
		__atomic_add_fetch(&v->bytes, it->up.size, __ATOMIC_RELAXED);
	if (st.size >= 0 && (uint64_t)st.size != it->up.size) {
		it->state = VR_CHANGED;
		snprintf(it->why, sizeof it->why, "%lld bytes, catalogued with "
		    "%llu", st.size, (unsigned long long)it->up.size);
		return;
	}
	it->state = vr_judge_sums(x, it, &st);
}

/* What a worker gets: the run, and its own connection. */
struct vr_worker {
	struct vr	*v;
	struct xfer	*x;
};

/* A worker: check the batch's items until none is left. */
static void *
vr_work(void *arg)
{
	struct vr_worker	*w = arg;
	struct vr		*v = w->v;
	struct vr_item		*it;

	for (;;) {
		pthread_mutex_lock(&v->lock);
		it = v->next < v->nitems && !v->stopped && !stop_requested ?
		    &v->items[v->next++] : NULL;
		pthread_mutex_unlock(&v->lock);
		if (it == NULL)
			break;
		vr_check(v, w->x, it);
		if ((it->rc == REMOTE_STOP || it->rc == REMOTE_AUTH ||
		    it->rc == REMOTE_UNREACHABLE) && !stop_requested) {
			pthread_mutex_lock(&v->lock);
			if (!v->stopped)
				snprintf(v->stop_why, sizeof v->stop_why, "%s",
				    it->why);
			v->stopped = 1;
			pthread_mutex_unlock(&v->lock);
		}
	}
	return NULL;
}

/* Check the batch read, with the workers (at most one per item). */
static void
vr_check_batch(struct vr *v)
{
	pthread_t		tids[WORKERS_MAX];
	struct vr_worker	w[WORKERS_MAX];
	int			i, n;

	v->next = 0;
	n = v->nworkers < (int)v->nitems ? v->nworkers : (int)v->nitems;
	if (n <= 1) {
		w[0].v = v;
		w[0].x = &v->x[0];
		vr_work(&w[0]);
		return;
	}
	for (i = 0; i < n; i++) {
		w[i].v = v;
		w[i].x = &v->x[i];
		if (pthread_create(&tids[i], NULL, vr_work, &w[i]) != 0)
			fatalx("cannot start a thread");
	}
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
}

/* A new copy of column i, or NULL. */
static char *
vr_column(sqlite3_stmt *st, int i)
{
	const char	*s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? xstrdup(s) : NULL;
}

/* Free the batch's items. */
static void
vr_free_batch(struct vr *v)
{
	size_t	i;

	for (i = 0; i < v->nitems; i++) {
		free(v->items[i].up.path);
		free(v->items[i].up.relpath);
		free(v->items[i].up.mime);
		free(v->items[i].name);
	}
	memset(v->items, 0, sizeof v->items);
	v->nitems = 0;
}

/*
 * The copies on the remote not checked in this run yet, checked longest
 * ago first (never first of all), up to limit of them. 0 or -1.
 */
static int
vr_read_batch(struct vr *v, int64_t limit)
{
	sqlite3_stmt	*st;
	struct vr_item	*it;
	int		 rc;

	if ((st = catalog_prepare(v->cat, "SELECT j.id, f.path, f.sha256,"
	    " f.size, f.mtime_ns, t.mime, coalesce(j.remote_path, f.path)"
	    " FROM upload_jobs j JOIN files f ON f.id = j.file_id"
	    " LEFT JOIN types t ON t.id = f.type_id"
	    " WHERE j.remote_id = " CATALOG_REMOTE("?1")
	    " AND j.status = 'done'"
	    " AND (?2 IS NULL OR " CATALOG_UTC_TEXT("f.imported_at") " >= ?2)"
	    " AND (j.verified_at IS NULL OR j.verified_at < ?3)"
	    " ORDER BY j.verified_at, j.id LIMIT ?4")) == NULL)
		return -1;
	catalog_bind_text(st, 1, v->r->name);
	catalog_bind_text(st, 2, v->o->since);
	sqlite3_bind_int64(st, 3, v->start);
	sqlite3_bind_int64(st, 4, limit < BATCH ? limit : BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it = &v->items[v->nitems++];
		it->up.job_id = sqlite3_column_int64(st, 0);
		it->up.relpath = vr_column(st, 1);
		xasprintf(&it->up.path, "%s/%s", v->ctx->library,
		    it->up.relpath);
		catalog_column_sha(st, 2, it->up.sha256,
		    sizeof it->up.sha256);
		it->up.size = (uint64_t)sqlite3_column_int64(st, 3);
		it->up.mtime_ns = sqlite3_column_int64(st, 4);
		it->up.mime = vr_column(st, 5);
		it->name = vr_column(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(v->cat, "choosing copies to verify");
	return 0;
}

/* Say what was found of a copy not intact (and, with -v, of any). */
static void
vr_report(struct vr *v, const struct vr_item *it)
{
	struct json_object	*o;
	const char		*why;
	char			 p[8192], w[8192];

	v->count[it->state]++;
	why = it->why[0] != '\0' ? it->why : NULL;
	if ((it->state == VR_OK || it->state == VR_UNVERIFIED) &&
	    log_verbose == 0)
		return;
	meter_clear(&v->meter);
	if (v->ctx->json) {
		o = json_object_new_object();
		json_add_str(o, "path", it->up.relpath);
		json_add_str(o, "remote", v->r->name);
		json_add_str(o, "remote_path", it->name);
		json_add_str(o, "status", vr_names[it->state]);
		json_add_str(o, "sha256", it->up.sha256);
		json_object_object_add(o, "size",
		    json_object_new_int64((int64_t)it->up.size));
		json_add_str(o, "error", why);
		json_print(o);
	} else
		printf("%-10s %s%s%s\n", vr_names[it->state],
		    log_path(it->name, p, sizeof p), why != NULL ? ": " : "",
		    why != NULL ? log_escape(why, w, sizeof w, 0) : "");
}

/*
 * --resend: the job of a copy found missing or changed pending again, as
 * if never sent (the name it goes to chosen again, no multipart upload
 * to resume), if it is still done; 0 or -1. The jobs of its sidecars
 * there (sc) too: a file whose copy changed goes up beside it, as
 * NAME-1.EXT, and its sidecars must go beside it as NAME-1.XMP to pair
 * with it by name (restore --rebuild); one already at the name its main
 * file's gives it is found there, and not sent again.
 */
static int
vr_resend(struct vr *v, sqlite3_stmt *st, sqlite3_stmt *sc,
    const struct vr_item *it)
{
	sqlite3_bind_text(st, 1, vr_names[it->state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, it->up.job_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return catalog_error(v->cat, "queueing a copy again");
	v->resent += (uint64_t)sqlite3_changes(v->cat->db);
	sqlite3_reset(st);
	sqlite3_bind_int64(sc, 1, it->up.job_id);
	if (sqlite3_step(sc) != SQLITE_DONE)
		return catalog_error(v->cat, "queueing a copy again");
	v->resent += (uint64_t)sqlite3_changes(v->cat->db);
	sqlite3_reset(sc);
	return 0;
}

/*
 * A done job pending again, as if never sent: the name it goes to chosen
 * again, no multipart upload to resume (its last_error and WHERE follow).
 */
#define VR_REQUEUE	"UPDATE upload_jobs SET status = 'pending'," \
	" attempts = 0, skipped = 0, done_at = NULL, remote_path = NULL," \
	" upload_id = NULL, part_size = NULL, tmp_path = NULL,"

/* Report and record the batch checked; 0 or -1. */
static int
vr_record_batch(struct vr *v)
{
	sqlite3_stmt	*st, *rs = NULL, *sc = NULL;
	struct vr_item	*it;
	int64_t		 now;
	size_t		 i;
	int		 rc = 0;

	if ((st = catalog_prepare(v->cat, "UPDATE upload_jobs SET"
	    " verified_at = ?1, verify_status = ?2 WHERE id = ?3")) == NULL)
		return -1;
	if (v->resend && (rs = catalog_prepare(v->cat, VR_REQUEUE
	    " last_error = 'the copy on the remote was ' || ?1 || ' (verify"
	    " --resend)' WHERE id = ?2 AND status = 'done'")) == NULL) {
		sqlite3_finalize(st);
		return -1;
	}
	if (rs != NULL && (sc = catalog_prepare(v->cat, VR_REQUEUE
	    " last_error = 'its main file is sent again (verify --resend)'"
	    " WHERE status = 'done' AND remote_id = (SELECT remote_id FROM"
	    " upload_jobs WHERE id = ?1) AND file_id IN (SELECT s.id FROM"
	    " files s JOIN upload_jobs mj ON s.main_id = mj.file_id WHERE"
	    " mj.id = ?1)")) == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(rs);
		return -1;
	}
	if (catalog_begin(v->cat) == -1) {
		sqlite3_finalize(st);
		sqlite3_finalize(rs);
		sqlite3_finalize(sc);
		return -1;
	}
	now = vr_now();
	for (i = 0; i < v->next && rc == 0; i++) {
		it = &v->items[i];
		/* a remote that refused or is gone tells nothing of it */
		if (it->rc == REMOTE_STOP || it->rc == REMOTE_AUTH ||
		    it->rc == REMOTE_UNREACHABLE)
			continue;
		v->checked++;
		vr_report(v, it);
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_text(st, 2, vr_names[it->state], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, it->up.job_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = catalog_error(v->cat, "recording a verification");
		sqlite3_reset(st);
		if (rc == 0 && rs != NULL && (it->state == VR_MISSING ||
		    it->state == VR_CHANGED))
			rc = vr_resend(v, rs, sc, it);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(rs);
	sqlite3_finalize(sc);
	if (rc == -1) {
		catalog_rollback(v->cat);
		return -1;
	}
	return catalog_commit(v->cat);
}

/* How many copies the run is to check (all, or the sample); or -1. */
static int64_t
vr_count(struct vr *v)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if ((st = catalog_prepare(v->cat, "SELECT count(*) FROM upload_jobs j"
	    " JOIN files f ON f.id = j.file_id WHERE j.remote_id = "
	    CATALOG_REMOTE("?1") " AND"
	    " j.status = 'done' AND (?2 IS NULL OR "
	    CATALOG_UTC_TEXT("f.imported_at") " >= ?2)")) == NULL)
		return -1;
	catalog_bind_text(st, 1, v->r->name);
	catalog_bind_text(st, 2, v->o->since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		catalog_error(v->cat, "counting uploads");
	sqlite3_finalize(st);
	if (n > 0 && v->o->sample)
		n = (int64_t)ceil((double)n * v->o->pct / 100);
	return n;
}

/* Check up to total copies, a batch at a time; 0 or -1. */
static int
vr_run(struct vr *v, int64_t total)
{
	int64_t	left = total;

	while (left > 0 && !v->stopped && !stop_requested) {
		if (vr_read_batch(v, left) == -1)
			return -1;
		if (v->nitems == 0)
			break;
		vr_check_batch(v);
		if (vr_record_batch(v) == -1)
			return -1;
		left -= (int64_t)v->nitems;
		vr_free_batch(v);
		meter_show(&v->meter, v->checked, v->bytes, 0);
	}
	vr_free_batch(v);
	meter_show(&v->meter, v->checked, v->bytes, 1);
	meter_clear(&v->meter);
	return 0;
}

/*
 * A verify's summary as JSON, for the library (remote NULL) and for a
 * remote: how many were checked, the count of each state (names[0], ok,
 * is "intact"), the bytes read, the seconds taken and, unless -1, how many
 * copies were queued again (--resend) and how many of the library's
 * folders could not be read (the walk for untracked files).
 */
void
verify_json_summary(const char *remote, uint64_t checked,
    const char *const *names, const unsigned long *count, int n,
    uint64_t bytes, double seconds, int64_t resent, int64_t folders)
{
	struct json_object	*o, *s;
	int			 i;

	o = json_object_new_object();
	s = json_object_new_object();
	if (remote != NULL)
		json_add_str(s, "remote", remote);
	json_object_object_add(s, "checked",
	    json_object_new_int64((int64_t)checked));
	for (i = 0; i < n; i++)
		json_object_object_add(s, i == 0 ? "intact" : names[i],
		    json_object_new_int64((int64_t)count[i]));
	json_object_object_add(s, "bytes", json_object_new_int64(
	    (int64_t)bytes));
	json_object_object_add(s, "seconds", json_object_new_double(seconds));
	if (resent >= 0)
		json_object_object_add(s, "queued_again",
		    json_object_new_int64(resent));
	if (folders >= 0)
		json_object_object_add(s, "unreadable_folders",
		    json_object_new_int64(folders));
	json_object_object_add(o, "summary", s);
	json_print(o);
}

static void
vr_summary(struct vr *v)
{
	char	b[32];

	if (v->ctx->json) {
		verify_json_summary(v->r->name, v->checked, vr_names, v->count,
		    VR_N, v->bytes, meter_elapsed(&v->meter), v->o->resend ?
		    (int64_t)v->resent : -1, -1);
		return;
	}
	if (log_quiet)
		return;
	fmt_size(v->bytes, b, sizeof b);
	printf("%llu copies on %s verified", (unsigned long long)v->checked,
	    v->r->name);
	if (v->o->sample)
		printf(" (a %g%% sample, those verified longest ago%s%s)",
		    v->o->pct, v->o->since ? ", catalogued since " : "",
		    v->o->since ? v->o->since : "");
	else if (v->o->since != NULL)
		printf(" (catalogued since %s)", v->o->since);
	printf(": %lu intact, %lu changed, %lu missing, %lu unreadable, "
	    "%lu unverified (size only)", v->count[VR_OK],
	    v->count[VR_CHANGED], v->count[VR_MISSING],
	    v->count[VR_UNREADABLE], v->count[VR_UNVERIFIED]);
	if (v->o->full)
		printf(" (%s read back in %.1f s)", b,
		    meter_elapsed(&v->meter));
	else
		printf(" in %.1f s", meter_elapsed(&v->meter));
	if (v->o->resend)
		printf("; %llu queued again for the next sync",
		    (unsigned long long)v->resent);
	printf("\n");
}

/* Open the remote, and a connection per worker; 0 or -1. */
static int
vr_open(struct vr *v)
{
	long long	  n;
	int		  i;

	if (remote_configured(v->ctx->cfg, v->o->remote, "verify") == -1)
		return -1;
	if ((v->r = remote_open(v->ctx->cfg, v->o->remote)) == NULL)
		return -1;
	if (v->r->ops->stat == NULL) {
		log_warnx("verify: remote %s: a %s remote cannot be checked",
		    v->r->name, v->r->ops->type);
		return -1;
	}
	v->r->interrupted = (volatile int *)&stop_requested;
	n = config_get_size(v->ctx->cfg, "", "transfers", 4);
	if (n < 1 || n > 64) {
		log_warnx("config: transfers must be 1 to 64");
		return -1;
	}
	v->nworkers = n > WORKERS_MAX ? WORKERS_MAX : (int)n;
	v->r->transfers = v->nworkers;
	for (i = 0; i < v->nworkers; i++)
		xfer_init(&v->x[i], v->r);
	return 0;
}

/*
 * shoebox verify --remote: the exit status (0 every copy checked is
 * intact or unverified, 1 some are not, 2 usage, 3 the remote could not
 * be reached or refused).
 */
int
verify_remote(struct sb_ctx *ctx, const struct vr_opts *o)
{
	struct vr	*v;
	int64_t		 total;
	int		 i, rc = EXIT_USAGE;

	/* Never create a library or catalogue only to find it empty. */
	if (catalog_present(ctx->library, "verify") == -1)
		return EXIT_USAGE;
	v = xcalloc(1, sizeof *v);
	v->o = o;
	v->ctx = ctx;
	pthread_mutex_init(&v->lock, NULL);
	/* Rows a page at a time: a small page cache, as sync's. */
	if ((v->cat = catalog_open(ctx->library, 0)) == NULL ||
	    catalog_cache_small(v->cat) == -1)
		goto out;
	if (vr_open(v) == -1)
		goto out;
	if ((total = vr_count(v)) == -1)
		goto out;
	v->resend = o->resend;
	if (total > 0 && remote_emptied(v->r, "verify") && v->resend &&
	    v->r->ops->unmounted != NULL && v->r->ops->unmounted(v->r)) {
		/*
		 * Each file is missing; queued again, the next sync would
		 * fill the mount point of a disk that is only unplugged.
		 */
		log_warnx("verify: remote %s: its folder is empty and no disk "
		    "is mounted there: nothing is queued again. Plug the "
		    "backup disk in; or, if that empty folder itself is the "
		    "backup, put a file in it and run verify --resend again",
		    v->r->name);
		v->resend = 0;
	}
	v->start = vr_now();
	stop_catch();
	meter_start(&v->meter, o->progress == -1 ? isatty(STDERR_FILENO) &&
	    !ctx->json && !log_quiet : o->progress, (uint64_t)total, 0);
	rc = EXIT_SOMEFAILED;
	if (vr_run(v, total) == -1)
		goto out;
	if (v->stopped) {
		log_warnx("verify: remote %s: %s; what was checked is "
		    "recorded", v->r->name, v->stop_why);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	if (stop_requested) {
		log_warnx("verify interrupted; what was checked is recorded");
		goto out;
	}
	vr_summary(v);
	rc = v->count[VR_MISSING] + v->count[VR_CHANGED] +
	    v->count[VR_UNREADABLE] > 0 ? EXIT_SOMEFAILED : EXIT_ALLGOOD;
out:
	meter_clear(&v->meter);
	for (i = 0; i < v->nworkers; i++)
		xfer_free(&v->x[i]);
	remote_close(v->r);
	catalog_close(v->cat);
	pthread_mutex_destroy(&v->lock);
	free(v);
	return rc;
}
