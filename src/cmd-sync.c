/*
 * cmd-sync.c: "shoebox sync [REMOTE...]" drains the upload queue: every
 * pending (or earlier failed) job of each remote goes up through that
 * remote's kind, with --transfers workers sharing --bwlimit. Each job is
 * claimed in the catalogue first (queue.c), so that syncs running at once
 * never send a file twice. Files the remote already has are marked done
 * without a transfer; nothing on a remote is replaced (remote_upload). A
 * remote that refuses (auth, other 4xx), or that cannot be reached, is
 * stopped with one message; the others go on. import --sync and auto_sync
 * call sync_run() too.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "shoebox.h"
#include "catalog.h"
#include "queue.h"
#include "remote.h"

/* Options of the sync command (import --sync gets the defaults). */
static struct {
	int		 transfers;	/* 0: config or 4 */
	long long	 bwlimit;	/* -1: config or none */
	int		 progress;	/* -1: when stderr is a terminal */
} sync_opts = { 0, -1, -1 };

struct sync_remote {
	struct remote	*r;
	int64_t		 cursor;	/* last job id taken */
	int		 exhausted;
	int		 total;		/* jobs waiting when the sync began */
	int		 uploaded, skipped, failed;
	uint64_t	 bytes;
	int		 refused;	/* REMOTE_STOP or REMOTE_AUTH seen, or
					   given up on as unreachable */
	int		 unreached;	/* a file got no connection */
	int		 unreachable;	/* given up on for this run */
	int		 auth;		/* refused our credentials or settings */
	int		 full;		/* ran out of room (XFER_FULL) */
	int		 emptied;	/* its folder is empty: sync_emptied */
	int		 nofit;		/* files bigger than what was free */
	uint64_t	 nofit_bytes;
	int		 proven;	/* a job went through: credentials work */
	int		 probing;	/* its first job is under way */
};

struct sync {
	struct sb_ctx		*ctx;
	struct catalog		*cat;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct sync_remote	*remotes;
	int			 nremotes;
	int			 running;	/* workers still going */
	int			 claim_failed;	/* the catalogue could not */
	int			 unrecorded;	/* outcomes it did not take */
	int			 files_total, files_done;
	uint64_t		 bytes_total;
	int64_t			 flying[64];	/* the jobs being sent now */
	int			 nflying;
	int			 absent;	/* remotes not there */
};

/* Is job id being sent by a worker now? Called with the lock held. */
static int
sync_flying(const struct sync *s, int64_t id)
{
	int	i;

	for (i = 0; i < s->nflying; i++)
		if (s->flying[i] == id)
			return 1;
	return 0;
}

/* Job id is sent (landed or not). Called with the lock held. */
static void
sync_landed(struct sync *s, int64_t id)
{
	int	i;

	for (i = 0; i < s->nflying; i++)
		if (s->flying[i] == id) {
			s->flying[i] = s->flying[--s->nflying];
			return;
		}
}

static volatile sig_atomic_t sync_interrupted;

static void
sync_signal(int sig)
{
	(void)sig;
	sync_interrupted = 1;
}

/*
 * Take the next job of the first remote that has one; 1, 0 none, -1, or 2
 * when the only jobs left wait for a remote's first job to prove that its
 * credentials work (so a wrong secret costs one request, not one per
 * worker).
 */
static int
sync_take(struct sync *s, struct sync_remote **srp, struct upload *up)
{
	struct sync_remote	*sr;
	int			 i, rc, wait = 0;

	for (i = 0; i < s->nremotes; i++) {
		sr = &s->remotes[i];
		if (sr->exhausted || sr->refused || sync_interrupted)
			continue;
		if (!sr->proven && sr->probing) {
			wait = 1;
			continue;
		}
		rc = queue_claim(s->cat, sr->r->name, sr->cursor, up);
		if (rc == -1)
			return -1;
		if (rc == 0) {
			sr->exhausted = 1;
			continue;
		}
		sr->cursor = up->job_id;
		if (s->nflying < (int)(sizeof s->flying / sizeof s->flying[0]))
			s->flying[s->nflying++] = up->job_id;
		if (!sr->proven)
			sr->probing = 1;
		*srp = sr;
		up->cat = s->cat;
		up->lock = &s->lock;
		return 1;
	}
	return wait ? 2 : 0;
}

/* One result, as a JSON object on stdout. Called with the lock held. */
static void
sync_json(struct sync_remote *sr, const struct upload *up,
    const char *status, const char *error)
{
	struct json_object	*o = json_object_new_object();

	json_add_str(o, "remote", sr->r->name);
	json_add_str(o, "path", up->relpath);
	json_add_str(o, "status", status);
	json_object_object_add(o, "size", json_object_new_int64(
	    (int64_t)up->size));
	if (up->remote_path != NULL && strcmp(up->remote_path, up->relpath) !=
	    0 && error == NULL)
		json_add_str(o, "remote_path", up->remote_path);
	if (error != NULL)
		json_add_str(o, "error", error);
	json_print(o);
	fflush(stdout);
}

/* How many jobs of remote are still to do (pending or failed). */
static int
sync_left(struct sync *s, const char *remote)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	if ((st = catalog_prepare(s->cat, "SELECT count(*) FROM upload_jobs "
	    "WHERE remote_id = " CATALOG_REMOTE("?") " AND "
	    "status IN ('pending', 'failed')")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Upload one file (unless already there) and record what happened. */
static void
sync_one(struct sync *s, struct xfer *x, struct sync_remote *sr,
    struct upload *up)
{
	struct remote	*r = sr->r;
	int		 rc, skipped;
	char		 p[4096];

	x->remote = r;
	x->error[0] = '\0';
	x->full = 0;
	x->speed = r->bwlimit > 0 ? r->bwlimit / r->transfers : 0;
	if (x->speed > 0 && x->speed < 1024)
		x->speed = 1024;
	rc = remote_upload(x, up, &skipped);
	if (rc == REMOTE_OK && skipped)
		rc = 1;

	pthread_mutex_lock(&s->lock);
	s->files_done++;
	sync_landed(s, up->job_id);
	if (rc != REMOTE_STOP && rc != REMOTE_AUTH && rc != REMOTE_UNREACHABLE)
		sr->proven = 1;
	sr->probing = 0;
	pthread_cond_broadcast(&s->cond);
	if (rc == 1 || rc == REMOTE_OK) {
		if (rc == 1)
			sr->skipped++;
		else {
			sr->uploaded++;
			sr->bytes += up->size;
		}
		if (queue_done(s->cat, up->job_id, rc == 1,
		    up->remote_path) == -1)
			s->unrecorded++;
		log_debug("remote %s: %s: %s", r->name, log_path(up->relpath,
		    p, sizeof p), rc == 1 ? "already there" : "uploaded");
		if (s->ctx->json)
			sync_json(sr, up, rc == 1 ? "skipped" : "uploaded",
			    NULL);
	} else if (rc == REMOTE_STOP || rc == REMOTE_AUTH) {
		if (queue_failed(s->cat, up->job_id, x->error, 1) == -1)
			s->unrecorded++;
		if (!sr->refused && !sync_interrupted)
			log_warnx("remote %s: %s", r->name, x->error);
		sr->refused = 1;
		sr->full |= x->full == XFER_FULL;
		sr->auth |= rc == REMOTE_AUTH;
		if (s->ctx->json)
			sync_json(sr, up, "pending", x->error);
	} else if (rc == REMOTE_UNREACHABLE) {
		/* not the file's fault: it stays pending, no attempt counted */
		if (queue_failed(s->cat, up->job_id, x->error, 1) == -1)
			s->unrecorded++;
		sr->unreached = 1;
		if (remote_unreachable(r) && !sr->unreachable) {
			sr->unreachable = sr->refused = 1;
			if (!sync_interrupted)
				log_warnx("remote %s: unreachable (%s): %d "
				    "files left queued; the next sync tries "
				    "again", r->name, r->unreach_why,
				    sync_left(s, r->name));
		} else if (!remote_unreachable(r) && !sync_interrupted)
			log_warnx("remote %s: %s: %s; left queued", r->name,
			    log_path(up->relpath, p, sizeof p), x->error);
		if (s->ctx->json)
			sync_json(sr, up, "pending", x->error);
	} else if (sync_interrupted) {
		if (queue_failed(s->cat, up->job_id, "interrupted", 1) == -1)
			s->unrecorded++;
	} else if (x->full == XFER_NOFIT) {
		/* not the file's fault: pending, said once (sync_nofit) */
		if (queue_failed(s->cat, up->job_id, x->error, 1) == -1)
			s->unrecorded++;
		sr->nofit++;
		sr->nofit_bytes += up->size;
		log_debug("remote %s: %s: %s", r->name, log_path(up->relpath,
		    p, sizeof p), x->error);
		if (s->ctx->json)
			sync_json(sr, up, "pending", x->error);
	} else {
		sr->failed++;
		if (queue_failed(s->cat, up->job_id, x->error, 0) == -1)
			s->unrecorded++;
		log_warnx("remote %s: %s: %s", r->name, log_path(up->relpath,
		    p, sizeof p), x->error);
		if (s->ctx->json)
			sync_json(sr, up, "failed", x->error);
	}
	pthread_mutex_unlock(&s->lock);
}

/* A worker: jobs until there are none, on its own curl handle. */
static void *
sync_worker(void *arg)
{
	struct sync		*s = arg;
	struct sync_remote	*sr;
	struct upload		 up;
	struct xfer		 x;
	int			 rc;

	xfer_init(&x, NULL);
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while ((rc = sync_take(s, &sr, &up)) == 2)
			pthread_cond_wait(&s->cond, &s->lock);
		if (rc == -1)
			s->claim_failed = 1;	/* said by catalog_error */
		if (rc == 1 && up.main_job != 0) {
			/*
			 * A sidecar whose photo another worker is sending:
			 * where the photo lands (NAME-1.EXT?) names it.
			 */
			while (sync_flying(s, up.main_job))
				pthread_cond_wait(&s->cond, &s->lock);
			queue_sidecar_after(s->cat, &up);
		}
		pthread_mutex_unlock(&s->lock);
		if (rc != 1)
			break;
		sync_one(s, &x, sr, &up);
		queue_upload_free(&up);
	}
	xfer_free(&x);
	pthread_mutex_lock(&s->lock);
	s->running--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The progress line, redrawn in place on stderr: files, bytes, rate, time left. */
static void
sync_progress(struct sync *s, const struct timespec *start, int last)
{
	char		 done[32], total[32], rate[32], left[32];
	uint64_t	 sent = __atomic_load_n(&remote_bytes_sent,
			    __ATOMIC_RELAXED);
	struct timespec	 now;
	double		 el, r;

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
	r = el > 0.5 ? (double)sent / el : 0;
	fmt_size(sent, done, sizeof done);
	fmt_size(s->bytes_total, total, sizeof total);
	fmt_size((uint64_t)r, rate, sizeof rate);
	if (last)
		snprintf(left, sizeof left, "done");
	else
		meter_left(r > 0 && s->bytes_total > sent ?
		    (double)(s->bytes_total - sent) / r : -1, left,
		    sizeof left);
	fprintf(stderr, "\rsync: %d/%d files  %s/%s  %s/s  %s\033[K%s",
	    s->files_done, s->files_total, done, total, rate, left,
	    last ? "\n" : "");
	fflush(stderr);
}

/*
 * A remote whose folder is empty (a dir remote's backup disk not mounted,
 * or wiped) though the catalogue says files were sent there: not written
 * to, or an unmounted disk's mount point would fill the disk beneath it.
 * Said once, with what to do; its files stay queued.
 */
static void
sync_emptied(struct sync *s, struct sync_remote *sr)
{
	sqlite3_stmt	*st;
	int64_t		 done = 0;

	if (sr->total == 0 || sr->r->ops->empty == NULL ||
	    !sr->r->ops->empty(sr->r))
		return;
	if ((st = catalog_prepare(s->cat, "SELECT count(*) FROM upload_jobs "
	    "WHERE remote_id = " CATALOG_REMOTE("?") " AND status = 'done'"))
	    == NULL)
		return;
	catalog_bind_text(st, 1, sr->r->name);
	if (sqlite3_step(st) == SQLITE_ROW)
		done = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (done == 0)
		return;
	log_warnx("remote %s: %lld file%s went there before, and its folder "
	    "is empty now: is the disk mounted? Nothing sent. If it is a new "
	    "or wiped disk, 'shoebox verify --remote %s --resend' queues "
	    "them again", sr->r->name, (long long)done, done == 1 ? "" : "s",
	    sr->r->name);
	sr->refused = sr->emptied = 1;
}

/* How much the queue holds for the remotes being synced. */
static void
sync_count(struct sync *s)
{
	sqlite3_stmt	*st;
	int		 i;

	for (i = 0; i < s->nremotes; i++) {
		if ((st = catalog_prepare(s->cat, "SELECT count(*), "
		    "coalesce(sum(f.size), 0) FROM upload_jobs j JOIN files f "
		    "ON f.id = j.file_id WHERE j.remote_id = "
		    CATALOG_REMOTE("?") " AND "
		    "j.status IN ('pending', 'failed')")) == NULL)
			return;
		sqlite3_bind_text(st, 1, s->remotes[i].r->name, -1,
		    SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			s->remotes[i].total = sqlite3_column_int(st, 0);
			s->files_total += sqlite3_column_int(st, 0);
			s->bytes_total += (uint64_t)sqlite3_column_int64(st,
			    1);
		}
		sqlite3_finalize(st);
	}
}

/*
 * The closing summary on stdout, where import puts its own: JSON, or a
 * line per remote accounting for every file that was waiting, then what
 * was sent. -q leaves the lines out.
 */
static void
sync_summary(struct sync *s, double seconds)
{
	struct json_object	*o, *arr, *ro;
	struct sync_remote	*sr;
	char			 b[32], r[32];
	int			 i, up = 0, sk = 0, fa = 0, left;
	uint64_t		 bytes = 0;

	arr = json_object_new_array();
	for (i = 0; i < s->nremotes; i++) {
		sr = &s->remotes[i];
		up += sr->uploaded;
		sk += sr->skipped;
		fa += sr->failed;
		bytes += sr->bytes;
		left = sr->total - sr->uploaded - sr->skipped - sr->failed -
		    sr->nofit;
		if (left < 0)
			left = 0;
		if (s->ctx->json) {
			ro = json_object_new_object();
			json_add_str(ro, "remote", sr->r->name);
			json_object_object_add(ro, "uploaded",
			    json_object_new_int(sr->uploaded));
			json_object_object_add(ro, "bytes",
			    json_object_new_int64((int64_t)sr->bytes));
			json_object_object_add(ro, "skipped",
			    json_object_new_int(sr->skipped));
			json_object_object_add(ro, "failed",
			    json_object_new_int(sr->failed));
			json_object_object_add(ro, "not_attempted",
			    json_object_new_int(left));
			json_object_object_add(ro, "did_not_fit",
			    json_object_new_int(sr->nofit));
			json_object_object_add(ro, "stopped",
			    json_object_new_boolean(sr->refused));
			json_object_array_add(arr, ro);
			continue;
		}
		if (log_quiet)
			continue;
		fmt_size(sr->bytes, b, sizeof b);
		printf("remote %s: %d file%s: %d uploaded (%s), %d already "
		    "there, %d failed", log_esc(sr->r->name), sr->total,
		    sr->total == 1 ? "" : "s", sr->uploaded, b, sr->skipped,
		    sr->failed);
		if (sr->nofit > 0)
			printf(", %d too big for what is free there",
			    sr->nofit);
		if (left > 0)
			printf(", %d not attempted (%s)", left, sr->full ?
			    "the remote is full" : sr->emptied ?
			    "its folder is empty" : sr->refused ?
			    "the remote refused" : sync_interrupted ?
			    "interrupted" : "taken by another sync, or sidecars "
			    "waiting for their main file");
		printf("\n");
	}
	if (!s->ctx->json) {
		json_object_put(arr);
		if (!log_quiet) {
			fmt_size(bytes, b, sizeof b);
			fmt_size(seconds > 0 ? (uint64_t)((double)bytes /
			    seconds) : 0, r, sizeof r);
			printf("%s sent in %.1f s (%s/s)\n", b, seconds, r);
		}
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "summary", json_object_new_boolean(1));
	json_object_object_add(o, "uploaded", json_object_new_int(up));
	json_object_object_add(o, "bytes", json_object_new_int64(
	    (int64_t)bytes));
	json_object_object_add(o, "skipped", json_object_new_int(sk));
	json_object_object_add(o, "failed", json_object_new_int(fa));
	json_object_object_add(o, "interrupted",
	    json_object_new_boolean(sync_interrupted));
	json_object_object_add(o, "remotes", arr);
	json_print(o);
}

/* Open the named remotes (every configured one when n == 0). */
static int
sync_open_remotes(struct sync *s, char **names, int n)
{
	const char	**all;
	const char	 *v;
	struct remote	 *r;
	int		  i, j, k, nall, transfers;
	long long	  bwlimit = sync_opts.bwlimit;

	nall = config_sections(s->ctx->cfg, "remote", &all);
	if (n == 0 && nall == 0) {
		log_warnx("sync: no remotes configured (add a [remote NAME] "
		    "section; see shoebox.conf(5))");
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < nall; j++)
			if (strcmp(names[i], all[j]) == 0)
				break;
		if (j == nall) {
			log_warnx("sync: no remote called %s in the config",
			    names[i]);
			return -1;
		}
	}
	/*
	 * A remote named twice is synced once: twice, its files were
	 * counted twice, and its second line said those the first sent were
	 * "taken by another sync".
	 */
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0) {
				memmove(&names[i], &names[i + 1],
				    (size_t)(n - i - 1) * sizeof *names);
				n--;
				i--;
				break;
			}
	if ((transfers = sync_opts.transfers) == 0) {
		transfers = (int)config_get_size(s->ctx->cfg, "", "transfers",
		    4);
		if (transfers < 1 || transfers > 64) {
			log_warnx("config: transfers must be 1 to 64");
			return -1;
		}
	}
	if (bwlimit < 0 && (v = config_get(s->ctx->cfg, "", "bwlimit")) !=
	    NULL && (bwlimit = config_parse_rate(v)) < 0) {
		log_warnx("config: bwlimit '%s' not understood", v);
		return -1;
	}
	s->nremotes = n ? n : nall;
	s->remotes = xcalloc((size_t)s->nremotes, sizeof *s->remotes);
	/* config_sections' names are scratch: copy before opening. */
	{
		char	**want = xcalloc((size_t)s->nremotes, sizeof *want);

		for (i = 0; i < s->nremotes; i++)
			want[i] = xstrdup(n ? names[i] : all[i]);
		/*
		 * A backup disk not there (unplugged, taken offsite) is said
		 * and left out: the other remotes still get their files.
		 */
		for (i = j = 0; i < s->nremotes; i++) {
			if ((r = remote_open(s->ctx->cfg, want[i])) == NULL &&
			    remote_open_absent) {
				s->absent++;
				continue;
			}
			if (r == NULL)
				break;
			s->remotes[j].r = r;
			r->transfers = transfers;
			r->bwlimit = bwlimit > 0 ? bwlimit : 0;
			r->interrupted = (volatile int *)&sync_interrupted;
			j++;
		}
		for (k = 0; k < s->nremotes; k++)
			free(want[k]);
		free(want);
		if (i < s->nremotes || j == 0)
			return -1;
		s->nremotes = j;
	}
	return transfers;
}

/*
 * Drain the upload queue for the named remotes (all when n == 0). Returns
 * the exit status: 0 all went, 1 some failed (or interrupted), 2 usage,
 * config, or a remote refused (its credentials, another 4xx), 3 nothing
 * but a remote that could not be reached (its files stay queued).
 */
int
sync_run(struct sb_ctx *ctx, char **names, int n)
{
	struct sigaction	 sa, oint, oterm;
	struct sync		 s;
	struct timespec		 ts;
	pthread_t		*tids;
	struct timespec		 t0, t1;
	time_t			 renewed;
	int			 i, transfers, progress, rc = EXIT_ALLGOOD;

	memset(&s, 0, sizeof s);
	s.ctx = ctx;
	if ((transfers = sync_open_remotes(&s, names, n)) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* sync looks jobs up one at a time by key: a small page cache */
	if ((s.cat = catalog_open(ctx->library, 0)) == NULL ||
	    catalog_cache_small(s.cat) == -1 ||
	    queue_init(s.cat) == -1) {
		rc = catalog_open_damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < s.nremotes; i++)
		if (queue_backfill(s.cat, s.remotes[i].r->name) == -1) {
			rc = EXIT_SOMEFAILED;
			goto out;
		}
	sync_count(&s);
	for (i = 0; i < s.nremotes; i++)
		if (remote_dir_in_library(s.remotes[i].r, ctx->library) ||
		    remote_dir_shared(s.remotes[i].r, ctx->cfg))
			s.remotes[i].refused = 1;
		else
			sync_emptied(&s, &s.remotes[i]);
	if (transfers > s.files_total && s.files_total > 0)
		transfers = s.files_total;
	progress = sync_opts.progress == -1 ? isatty(STDERR_FILENO) &&
	    !log_quiet && !ctx->json : sync_opts.progress;

	sync_interrupted = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sync_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	__atomic_store_n(&remote_bytes_sent, 0, __ATOMIC_RELAXED);
	renewed = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tids = xcalloc((size_t)transfers, sizeof *tids);
	s.running = transfers;
	for (i = 0; i < transfers; i++)
		if (pthread_create(&tids[i], NULL, sync_worker, &s) != 0)
			fatalx("cannot start a transfer thread");
	pthread_mutex_lock(&s.lock);
	while (s.running > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s.cond, &s.lock, &ts);
		if (progress)
			sync_progress(&s, &t0, 0);
		/* hold on to the jobs being sent, however long they take */
		if (time(NULL) - renewed >= QUEUE_RENEW) {
			queue_renew(s.cat);
			renewed = time(NULL);
		}
	}
	pthread_mutex_unlock(&s.lock);
	for (i = 0; i < transfers; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	queue_release(s.cat);
	if (progress)
		sync_progress(&s, &t0, 1);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);

	for (i = 0; i < s.nremotes; i++)
		if (s.remotes[i].nofit > 0) {
			char	b[32];

			fmt_size(s.remotes[i].nofit_bytes, b, sizeof b);
			log_warnx("remote %s: %d file%s (%s) bigger than what "
			    "is free on its disk (-v names them): make room "
			    "there; they stay queued",
			    s.remotes[i].r->name, s.remotes[i].nofit,
			    s.remotes[i].nofit == 1 ? "" : "s", b);
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sync_summary(&s, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/*
	 * 1: files failed, or a remote refused them (a 4xx that is not about
	 * us); 2: a remote refused our credentials or settings; 3 (below):
	 * only a remote that could not be reached.
	 */
	for (i = 0; i < s.nremotes; i++)
		if (s.remotes[i].failed > 0 || s.remotes[i].nofit > 0 ||
		    (s.remotes[i].refused && !s.remotes[i].unreachable))
			rc = EXIT_SOMEFAILED;
	if (s.absent > 0 && rc == EXIT_ALLGOOD)
		rc = EXIT_SOMEFAILED;	/* its files wait: not all went */
	for (i = 0; i < s.nremotes; i++)
		if (s.remotes[i].auth)
			rc = EXIT_USAGE;
	if (sync_interrupted) {
		log_warnx("sync: interrupted; run it again to finish");
		rc = EXIT_SOMEFAILED;
	} else if (s.claim_failed || s.cat->damaged) {
		log_warnx("sync: stopped: the catalogue could not give the "
		    "next uploads (see above)");
		rc = EXIT_SOMEFAILED;
	}
	if (s.unrecorded > 0) {
		log_warnx("sync: the catalogue could not record what became "
		    "of %d upload%s (see above); the next sync asks the "
		    "remote again", s.unrecorded, s.unrecorded == 1 ? "" :
		    "s");
		rc = rc == EXIT_ALLGOOD || rc == EXIT_UNREACHABLE ?
		    EXIT_SOMEFAILED : rc;
	}
	for (i = 0; i < s.nremotes && rc == EXIT_ALLGOOD; i++)
		if (s.remotes[i].unreached)
			rc = EXIT_UNREACHABLE;
out:
	for (i = 0; i < s.nremotes; i++)
		remote_close(s.remotes[i].r);
	free(s.remotes);
	catalog_close(s.cat);
	return rc;
}

static int
cmd_sync(struct sb_ctx *ctx, struct cmd_args *args)
{
	const char	*v;
	char		*end;
	long		 l;

	if ((v = cmd_get(args, "transfers")) != NULL) {
		l = strtol(v, &end, 10);
		if (*end != '\0' || end == v || l < 1 || l > 64) {
			log_warnx("sync: --transfers must be 1 to 64");
			return EXIT_USAGE;
		}
		sync_opts.transfers = (int)l;
	}
	if ((v = cmd_get(args, "bwlimit")) != NULL &&
	    (sync_opts.bwlimit = config_parse_rate(v)) < 0) {
		log_warnx("sync: --bwlimit '%s' not understood (such as 512k, "
		    "10M or 1G: bytes per second)", log_esc(v));
		return EXIT_USAGE;
	}
	sync_opts.progress = cmd_flag(args, "progress", "no-progress", -1);
	return sync_run(ctx, args->argv, args->argc);
}

static const struct cmd_option sync_options[] = {
	{ "transfers", 't', "N",
	    "files sent at once, 1 to 64 (default: transfers =, else 4)" },
	{ "bwlimit", 'b', "RATE",
	    "bytes per second for the whole sync, such as 10M (binary units)" },
	{ "progress", 0, NULL,
	    "show the progress line (default: when stderr is a terminal)" },
	{ "no-progress", 0, NULL, "do not show the progress line" },
	{ "json", 'j', NULL, "one JSON object per file, then a summary object" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_sync_entry = {
	"sync", "[REMOTE...]", 0, -1,
	"upload new files to the remotes (all, or those named)",
	sync_options, CMD_LIBRARY, cmd_sync
};
