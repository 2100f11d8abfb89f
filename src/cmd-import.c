/*
 * cmd-import.c: "shoebox import SOURCE...": walk the sources, date each
 * media file, file a verified copy under LIBRARY/PATTERN/NAME with its
 * sidecars beside it, and record everything in the catalogue. Files seen by
 * an earlier run (same device, inode, size, mtime and ctime, or same path,
 * size, mtime and ctime) are not read again. Files still arriving (changed
 * within the settle time) are left for a later run. With --move a source is
 * removed only once its group is filed, committed and found unchanged
 * (source_remove), and a duplicate's or an already imported file's source
 * only once its library copy is proven present and intact.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
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
#include "scan.h"
#include "store.h"

#define TXN_FILES	256	/* commit the catalogue at least this often */
#define TXN_SECONDS	2
#define BATCH_FILES	256	/* copies made durable together ... */
#define BATCH_BYTES	(256 * 1024 * 1024)	/* ... up to this much */
#define BATCH_SECONDS	2
#define DIRCACHE	32	/* library directories kept open */
#define CATALOG_ROOM	(512 * 1024)	/* free space kept for the catalogue */
#define REHASH_MAX	(64LL * 1024 * 1024)	/* library copies re-read */
#ifndef SETTLE_DEFAULT
#define SETTLE_DEFAULT	30	/* seconds a file must be left unchanged */
#endif

/* What happened to one source file. */
enum outcome {
	OUT_IMPORTED,
	OUT_DUPLICATE,
	OUT_SIDECAR,
	OUT_ALREADY,
	OUT_SKIPPED,
	OUT_WAITING,	/* still arriving or changed: left for a later run */
	OUT_FAILED,
	OUT_PENDING	/* copied, to be filed by batch_flush(): not counted */
};

static const char *outcome_names[] = {
	"imported", "duplicate", "sidecar", "already", "skipped", "waiting",
	"failed"
};

/*
 * A source to remove once the transaction is committed (--move): the file
 * as it was when read and verified, and the hash of what was read.
 */
struct move {
	const struct scan_entry	*e;
	struct stat		 id;
	char			 sha256[65];
};

/* A copy this run linked into the library, not yet committed. */
struct filed {
	char		*src;		/* the source, as found */
	char		*rel;		/* the copy, relative to the library */
	enum outcome	 o;		/* as reported */
};

/* Where a main file went: its sidecars follow it there. */
struct placed {
	int64_t		 id;		/* files.id, or 0 */
	char		 dir[PATH_MAX];	/* relative to the library */
	char		 name[STORE_NAME_MAX];
	char		 orig[STORE_NAME_MAX];	/* its name on the source */
	struct meta	 meta;
};

/*
 * A copy made but not yet filed: batch_flush() fsyncs a batch of these
 * together, then links and catalogues each, fsyncs each directory once and
 * commits. Until then it is an unnamed file, so a crash leaves nothing.
 */
struct pending {
	const struct scan_entry *e;	/* the source, as scanned */
	char		*path;
	char		*abspath;
	struct stat	 sb;
	struct meta	 meta;
	char		*dir;		/* relative to the library */
	char		*name;		/* the name it wants */
	int		 dirfd;		/* borrowed from the directory cache */
	struct store_file f;
	int64_t		 main_id;
	int		 sidecar;
};

/* An open library directory, and whether links in it await an fsync. */
struct libdir {
	char		*dir;
	int		 fd;
	int		 dirty;
};

struct import {
	struct sb_ctx	*ctx;
	struct scan	*sc;
	struct catalog	*cat;		/* NULL in a dry run without one */
	const char	*library;
	int		 libfd;
	int		 lockfd;
	char		*tmpdir;
	const char	*pattern;
	int		 dry_run;
	int		 move;
	int		 json;
	int		 progress;
	int		 verify;
	int		 sync;
	double		 settle;	/* seconds unchanged before taken */

	uint8_t		*head;
	char		 cwd[PATH_MAX];

	int		 in_txn;
	unsigned	 txn_files;
	time_t		 txn_start;
	struct move	*moves;		/* sources to delete after commit */
	size_t		 nmoves;
	size_t		 capmoves;
	struct move	*gmoves;	/* the group's, held until it is whole */
	size_t		 ngmoves;
	size_t		 capgmoves;
	int		 group_hold;
	struct filed	*filed;		/* copies linked in this transaction */
	size_t		 nfiled;
	size_t		 capfiled;

	struct pending	**pending;	/* the batch in flight */
	size_t		 npending;
	uint64_t	 pending_bytes;
	struct timespec	 batch_start;
	struct libdir	 dirs[DIRCACHE];
	size_t		 ndirs;

	char		**planned;	/* dry run: hashes and names seen, */
	size_t		 nplanned;	/* an open-addressing set */
	size_t		 capplanned;

	unsigned long	 count[OUT_FAILED + 1];
	unsigned long	 warnings;
	unsigned long	 total;
	uint64_t	 bytes_total;
	uint64_t	 bytes_done;
	uint64_t	 bytes_copied;
	struct timespec	 started;
	struct timespec	 last_progress;
	int		 progress_shown;
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double
elapsed(const struct timespec *since)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* The progress line on stderr: files, bytes, rate, time left. */
static void
progress(struct import *imp, int force)
{
	unsigned long	done = 0;
	double		t, rate;
	char		b1[32], b2[32], b3[32], left[32];
	int		i;

	if (!imp->progress)
		return;
	if (!force && imp->progress_shown && elapsed(&imp->last_progress) < 0.2)
		return;
	clock_gettime(CLOCK_MONOTONIC, &imp->last_progress);
	for (i = 0; i <= OUT_FAILED; i++)
		done += imp->count[i];
	t = elapsed(&imp->started);
	rate = t > 0 ? (double)imp->bytes_done / t : 0;
	fmt_size(imp->bytes_done, b1, sizeof b1);
	fmt_size(imp->bytes_total, b2, sizeof b2);
	fmt_size((uint64_t)rate, b3, sizeof b3);
	if (rate > 0 && imp->bytes_total > imp->bytes_done) {
		long s = (long)((double)(imp->bytes_total - imp->bytes_done) /
		    rate);
		snprintf(left, sizeof left, "%ld:%02ld left", s / 60, s % 60);
	} else
		snprintf(left, sizeof left, "--:-- left");
	fprintf(stderr, "\r%lu/%lu files  %s/%s  %s/s  %s\033[K", done,
	    imp->total, b1, b2, b3, left);
	imp->progress_shown = 1;
}

static void
progress_clear(struct import *imp)
{
	if (imp->progress && imp->progress_shown)
		fprintf(stderr, "\r\033[K");
	imp->progress_shown = 0;
}

/* A per-file message on stderr, clear of the progress line. */
static void
say(struct import *imp, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct import *imp, const char *path, const char *fmt, ...)
{
	va_list	ap;
	char	p[PATH_MAX * 2], msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	progress_clear(imp);
	log_warnx("%s: %s", log_path(path, p, sizeof p), msg);
}

/* Record and report the outcome of one source file. */
static void
report(struct import *imp, const char *src, enum outcome o,
    const char *dest, const struct meta *m, const char *sha,
    const char *error)
{
	struct json_object	*obj;
	char			 p[PATH_MAX * 2], d[PATH_MAX * 2], taken[64];

	imp->count[o]++;
	if (imp->json) {
		obj = m != NULL ? meta_json(src, m) : json_object_new_object();
		if (m == NULL)
			json_add_str(obj, "path", log_path(src, p, sizeof p));
		json_add_str(obj, "status", outcome_names[o]);
		json_add_str(obj, "dest", dest != NULL ? log_path(dest, d,
		    sizeof d) : NULL);
		json_add_str(obj, "sha256", sha);
		json_add_str(obj, "error", error);
		if (imp->dry_run)
			json_object_object_add(obj, "dry_run",
			    json_object_new_boolean(1));
		progress_clear(imp);
		json_print(obj);
	} else if (imp->dry_run || log_verbose > 0) {
		progress_clear(imp);
		if (m != NULL)
			date_format(&m->taken, taken, sizeof taken);
		else
			taken[0] = '\0';
		printf("%s%-9s %s%s%s%s%s%s%s%s\n",
		    imp->dry_run ? "would: " : "", outcome_names[o],
		    log_path(src, p, sizeof p), dest != NULL ? " -> " : "",
		    dest != NULL ? log_path(dest, d, sizeof d) : "",
		    taken[0] ? " (" : "", taken, taken[0] ? ", " : "",
		    taken[0] ? m->date_source : "", taken[0] ? ")" : "");
	}
	progress(imp, 0);
}

/* The source's path as recorded: absolute, without "./". */
static void
abs_path(struct import *imp, const char *path, char *out, size_t size)
{
	if (path[0] == '/')
		snprintf(out, size, "%s", path);
	else {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		snprintf(out, size, "%s/%s", imp->cwd, path);
	}
}

/*
 * Is the library copy f (as catalogued) there and intact? Its size, and its
 * SHA-256 read again when that is cheap (else its mtime, set from the
 * source's). 0 intact, 1 missing, -1 there but not what was catalogued.
 */
static int
lib_check(struct import *imp, const struct cat_file *f)
{
	struct stat	 sb;
	char		 hex[65], err[256];
	int		 fd, rc;

	if (fstatat(imp->libfd, f->path, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 1 : -1;
	if (!S_ISREG(sb.st_mode) || sb.st_size != f->size)
		return -1;
	if (sb.st_size > REHASH_MAX)
		return catalog_ns(&sb.st_mtim) == f->mtime_ns ? 0 : -1;
	if ((fd = openat(imp->libfd, f->path, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	rc = store_hash_fd(fd, (uint64_t)f->size, hex, err, sizeof err) == 0 &&
	    strcmp(hex, f->sha256) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * After the transaction ended (rc 0 committed, -1 lost): on a loss remove
 * the copies it linked and report them failed, else delete moved sources.
 */
static int
txn_settle(struct import *imp, int rc)
{
	size_t	i;

	/*
	 * A commit that failed (a full disk) lost the rows of the copies this
	 * transaction linked: remove those copies, so the library holds
	 * nothing the catalogue does not, and report them failed. Their
	 * sources stay (the moves below are skipped); a re-run files them.
	 */
	for (i = 0; i < imp->nfiled; i++) {
		struct filed	*fl = &imp->filed[i];

		if (rc == -1) {
			unlinkat(imp->libfd, fl->rel, 0);
			imp->count[fl->o]--;
			say(imp, fl->src, "copied, but the catalogue could not "
			    "record it; copy removed, source kept");
			report(imp, fl->src, OUT_FAILED, NULL, NULL, NULL,
			    "the catalogue could not record it");
		}
		free(fl->src);
		free(fl->rel);
	}
	imp->nfiled = 0;
	for (i = 0; rc == 0 && i < imp->nmoves; i++) {
		struct move	*mv = &imp->moves[i];
		char		 err[512];

		if (source_remove(imp->sc, mv->e, &mv->id, mv->sha256, err,
		    sizeof err) == -1) {
			say(imp, mv->e->path, "filed, but not removed from the "
			    "source: %s", err);
			imp->warnings++;
		}
	}
	imp->nmoves = 0;
	return rc;
}

/* Commit what the open transaction holds, then delete moved sources. */
static int
txn_commit(struct import *imp)
{
	int	rc = 0;

	if (imp->in_txn) {
		if (catalog_commit(imp->cat) == -1) {
			/* sqlite may have rolled back already (SQLITE_FULL) */
			if (!sqlite3_get_autocommit(imp->cat->db))
				catalog_rollback(imp->cat);
			rc = -1;
		}
		imp->in_txn = 0;
	}
	return txn_settle(imp, rc);
}

/*
 * Make sure a transaction is open; with may_commit, commit and reopen it
 * when it grew old (never while a batch's links await their directory fsync).
 */
static int
txn_need(struct import *imp, int may_commit)
{
	if (may_commit && imp->in_txn && (imp->txn_files >= TXN_FILES ||
	    time(NULL) - imp->txn_start >= TXN_SECONDS))
		if (txn_commit(imp) == -1)
			return -1;
	if (!imp->in_txn) {
		if (catalog_begin(imp->cat) == -1)
			return -1;
		imp->in_txn = 1;
		imp->txn_files = 0;
		imp->txn_start = time(NULL);
	}
	imp->txn_files++;
	return 0;
}

/* Remember a copy linked in the open transaction (see txn_commit). */
static void
filed_later(struct import *imp, const char *src, const char *rel,
    enum outcome o)
{
	if (imp->nfiled == imp->capfiled) {
		imp->capfiled = imp->capfiled ? imp->capfiled * 2 : 64;
		imp->filed = xreallocarray(imp->filed, imp->capfiled,
		    sizeof *imp->filed);
	}
	imp->filed[imp->nfiled].src = xstrdup(src);
	imp->filed[imp->nfiled].rel = xstrdup(rel);
	imp->filed[imp->nfiled++].o = o;
}

/* Append a move to a list. */
static void
move_push(struct move **list, size_t *n, size_t *cap, const struct move *mv)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*n)++] = *mv;
}

/*
 * Remove the source e (as id, read with hash sha) once the transaction in
 * flight is committed (--move); within a group, once the whole group is
 * filed (group_end).
 */
static void
move_later(struct import *imp, const struct scan_entry *e,
    const struct stat *id, const char *sha)
{
	struct move	mv;

	if (!imp->move || imp->dry_run)
		return;
	mv.e = e;
	mv.id = *id;
	strlcpy_sb(mv.sha256, sha, sizeof mv.sha256);
	if (imp->group_hold)
		move_push(&imp->gmoves, &imp->ngmoves, &imp->capgmoves, &mv);
	else
		move_push(&imp->moves, &imp->nmoves, &imp->capmoves, &mv);
}

/*
 * The name a file is filed under: its own, with bytes that are not UTF-8
 * and control characters replaced by '_'. Returns 1 if it had to change.
 */
static int
clean_name(const char *name, char *out, size_t size)
{
	char	buf[NAME_MAX * 4 + 1];
	size_t	i, o = 0;
	int	changed = 0;

	log_path(name, buf, sizeof buf);
	/* log_path escaped the bad bytes as \xNN; file them as '_'. */
	for (i = 0; buf[i] != '\0' && o + 1 < size; i++) {
		if (buf[i] == '\\' && buf[i + 1] == 'x' && buf[i + 2] &&
		    buf[i + 3]) {
			out[o++] = '_';
			i += 3;
			changed = 1;
		} else if (buf[i] == '\\' && buf[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else
			out[o++] = buf[i];
	}
	out[o] = '\0';
	return changed;
}

/* The library directory for a capture time: PATTERN through strftime. */
static int
dest_dir(const char *pattern, const struct sb_time *t, char *out,
    size_t size)
{
	struct tm	 tm;
	char		*p, *comp_end;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	tm.tm_wday = (int)((date_days_from_civil(t->year, t->mon, t->day) %
	    7 + 11) % 7);
	tm.tm_yday = (int)(date_days_from_civil(t->year, t->mon, t->day) -
	    date_days_from_civil(t->year, 1, 1));
	if (strftime(out, size, pattern, &tm) == 0)
		return -1;
	if (out[0] == '/')
		return -1;
	/*
	 * No component may be empty, "." or "..", or start with a dot: the
	 * library's own .shoebox (tmp, catalogue) is emptied and rewritten
	 * by every run, and hidden folders are what scans leave alone.
	 */
	for (p = out; *p != '\0'; p = *comp_end ? comp_end + 1 : comp_end) {
		comp_end = strchr(p, '/');
		if (comp_end == NULL)
			comp_end = p + strlen(p);
		if (comp_end == p || *p == '.')
			return -1;
	}
	for (p = out; *p != '\0'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	return 0;
}

/*
 * The name of a sidecar filed beside its main file, renamed as the main
 * file was (IMG_0001-1.JPG takes IMG_0001-1.XMP; a duplicate filed as
 * IMG_5555.JPG takes IMG_5555.XMP): the main file's new stem replaces the
 * old one at the start of the sidecar's name.
 */
static void
sidecar_name(const char *sc, const struct placed *mp, char *out, size_t size)
{
	const char	*odot = strrchr(mp->orig, '.');
	const char	*ndot = strrchr(mp->name, '.');
	size_t		 ostem, nstem, olen = strlen(mp->orig);

	if (strcmp(mp->orig, mp->name) == 0 || odot == NULL || ndot == NULL) {
		strlcpy_sb(out, sc, size);
		return;
	}
	ostem = (size_t)(odot - mp->orig);
	nstem = (size_t)(ndot - mp->name);
	if (strncasecmp(sc, mp->orig, olen) == 0 && sc[olen] == '.')
		snprintf(out, size, "%.900s%.100s", mp->name, sc + olen);
	else if (strlen(sc) > ostem)
		snprintf(out, size, "%.*s%.100s", (int)nstem, mp->name,
		    sc + ostem);
	else
		strlcpy_sb(out, sc, size);
}

/* Dry run: was this content or library name already planned? */
static int
planned(struct import *imp, const char *key, int add)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*k;
	size_t		 i, j, cap;
	char		**old;

	for (k = key; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	for (i = imp->capplanned ? h % imp->capplanned : 0;
	    imp->capplanned && imp->planned[i] != NULL;
	    i = (i + 1) % imp->capplanned)
		if (strcmp(imp->planned[i], key) == 0)
			return 1;
	if (!add)
		return 0;
	if ((imp->nplanned + 1) * 2 > imp->capplanned) {
		/* Grow to keep it at most half full, and put back what was. */
		old = imp->planned;
		cap = imp->capplanned;
		imp->capplanned = cap ? cap * 2 : 256;
		imp->planned = xcalloc(imp->capplanned, sizeof *imp->planned);
		imp->nplanned = 0;
		for (j = 0; j < cap; j++)
			if (old[j] != NULL) {
				planned(imp, old[j], 1);
				free(old[j]);
			}
		free(old);
	}
	for (i = h % imp->capplanned; imp->planned[i] != NULL;
	    i = (i + 1) % imp->capplanned)
		;
	imp->planned[i] = xstrdup(key);
	imp->nplanned++;
	return 0;
}

/* Dry run: the name the file would get in dir, taking collisions. */
static void
plan_name(struct import *imp, const char *dir, const char *name, char *out,
    size_t size)
{
	char	rel[PATH_MAX * 2];
	int	i;

	for (i = 0; i < STORE_NAMES; i++) {
		if (store_name_candidate(name, i, out, size) == -1)
			break;
		snprintf(rel, sizeof rel, "%s/%s", dir, out);
		if ((imp->libfd == -1 || faccessat(imp->libfd, rel, F_OK,
		    AT_SYMLINK_NOFOLLOW) == -1) && !planned(imp, rel, 0)) {
			planned(imp, rel, 1);
			return;
		}
	}
}

/*
 * Drop what the open transaction holds: its copies are removed and
 * reported failed, and its --move deletions forgotten (txn_settle).
 */
static void
txn_abort(struct import *imp)
{
	if (imp->in_txn)
		catalog_rollback(imp->cat);
	imp->in_txn = 0;
	txn_settle(imp, -1);
}

static void
pending_free(struct pending *p)
{
	store_discard(&p->f);
	free(p->path);
	free(p->abspath);
	free(p->dir);
	free(p->name);
	free(p);
}

static void batch_flush(struct import *);

/* Close every cached library directory (none may be dirty). */
static void
lib_dirs_close(struct import *imp)
{
	size_t	i;

	for (i = 0; i < imp->ndirs; i++) {
		close(imp->dirs[i].fd);
		free(imp->dirs[i].dir);
	}
	imp->ndirs = 0;
}

/*
 * The library directory dir (relative), created if need be and kept open
 * for the rest of the run. Returns its fd (owned by the cache), or -1 with
 * err set.
 */
static int
lib_dir(struct import *imp, const char *dir, char *err, size_t errlen)
{
	struct libdir	*d;
	size_t		 i;
	int		 fd;

	for (i = imp->ndirs; i > 0; i--)
		if (strcmp(imp->dirs[i - 1].dir, dir) == 0)
			return imp->dirs[i - 1].fd;
	if (imp->ndirs == DIRCACHE) {
		batch_flush(imp);	/* pending copies borrow these fds */
		lib_dirs_close(imp);
	}
	if (store_mkdirs(imp->libfd, dir, err, errlen) == -1)
		return -1;
	if ((fd = openat(imp->libfd, dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open library directory %.200s: "
		    "%s", dir, strerror(errno));
		return -1;
	}
	d = &imp->dirs[imp->ndirs++];
	d->dir = xstrdup(dir);
	d->fd = fd;
	d->dirty = 0;
	return fd;
}

/* Fill out (if not NULL) with the library file rel and its id. */
static void
placed_at(struct placed *out, int64_t id, const char *rel)
{
	const char	*slash = strrchr(rel, '/');

	if (out == NULL)
		return;
	out->id = id;
	strlcpy_sb(out->name, slash ? slash + 1 : rel, sizeof out->name);
	snprintf(out->dir, sizeof out->dir, "%.*s",
	    slash ? (int)(slash - rel) : 0, rel);
}

/*
 * The copy p has the content of the catalogued file dup. If that file is
 * missing from the library, put this copy in its place (the catalogue
 * already describes it). Returns 0 when the library holds it intact (the
 * source may go), -1 when it does not (the source stays; said why).
 */
static int
dup_check(struct import *imp, struct pending *p, const struct cat_file *dup)
{
	struct store_dest d = { -1, NULL, 0, 1 };
	char		  dir[PATH_MAX], err[512];
	char		 *slash;
	int		  rc = lib_check(imp, dup);

	if (rc == 0)
		return 0;
	if (rc == -1) {
		say(imp, p->path, "duplicate of %s, but that library copy does "
		    "not match the catalogue (damaged or replaced?); source "
		    "kept", dup->path);
		imp->warnings++;
		return -1;
	}
	/* Rare: its own directory fd, synced at once (not the cache's). */
	strlcpy_sb(dir, dup->path, sizeof dir);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (store_mkdirs(imp->libfd, slash != NULL ? dir : ".", err,
	    sizeof err) == 0) {
		if ((d.dirfd = openat(imp->libfd, slash != NULL ? dir : ".",
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			snprintf(err, sizeof err, "%s", strerror(errno));
		else if (store_link_at(&p->f, &d, slash != NULL ? slash + 1 :
		    dup->path, err, sizeof err) == -1) {
			close(d.dirfd);
			d.dirfd = -1;
		}
	}
	if (d.dirfd == -1) {
		say(imp, p->path, "duplicate of %s, which is missing from the "
		    "library and could not be restored (%s); source kept",
		    dup->path, err);
		imp->warnings++;
		return -1;
	}
	close(d.dirfd);
	say(imp, p->path, "duplicate of %s, which was missing from the "
	    "library: restored from this copy", dup->path);
	return 0;
}

/*
 * File a durable copy: the same content already catalogued makes it a
 * duplicate; otherwise link it under its name and catalogue it. With
 * dirsync the directory is fsync'ed now (and the transaction may be
 * committed); without, batch_flush() does both once for the batch. Fills
 * out (if not NULL) with where it went. Returns the outcome, reported.
 */
static enum outcome
import_finish(struct import *imp, struct pending *p, int dirsync,
    struct placed *out)
{
	struct store_dest d = { -1, NULL, 0, 0 };
	struct cat_file	 dup;
	char		 rel[PATH_MAX * 2], err[512];
	int64_t		 id;
	size_t		 i;
	int		 rc, linked = 0;
	enum outcome	 o;

	if (txn_need(imp, dirsync) == -1) {
		store_discard(&p->f);
		goto failed_catalog;
	}
	/* The same content is already in the library: remember the source. */
	if ((rc = catalog_find_sha(imp->cat, p->f.sha256, p->f.size, &dup)) ==
	    -1) {
		store_discard(&p->f);
		goto failed_catalog;
	}
	if (rc == 1) {
		int	intact = dup_check(imp, p, &dup) == 0;

		store_discard(&p->f);
		if (catalog_add_source(imp->cat, p->abspath, &p->sb, dup.id,
		    "duplicate") == -1)
			goto failed_catalog;
		placed_at(out, dup.id, dup.path);
		if (intact)
			move_later(imp, p->e, &p->sb, p->f.sha256);
		report(imp, p->path, OUT_DUPLICATE, dup.path, &p->meta,
		    p->f.sha256, NULL);
		return OUT_DUPLICATE;
	}

	/* STORE_EXISTS: an interrupted run filed it; adopt that copy. */
	d.dirfd = p->dirfd;
	d.dirsync = dirsync;
	if ((rc = store_link_sync(&p->f, &d, p->name, err, sizeof err)) == -1)
		goto failed;
	linked = rc == STORE_LINKED;
	for (i = 0; !dirsync && i < imp->ndirs; i++)
		if (imp->dirs[i].fd == p->dirfd)
			imp->dirs[i].dirty = 1;
	snprintf(rel, sizeof rel, "%s/%s", p->dir, p->f.name);
	if (out != NULL)
		strlcpy_sb(out->name, p->f.name, sizeof out->name);
	if ((id = catalog_add_file(imp->cat, rel, p->f.sha256, p->f.size,
	    catalog_ns(&p->sb.st_mtim), &p->meta, p->main_id)) == -1 ||
	    catalog_add_source(imp->cat, p->abspath, &p->sb, id, p->sidecar ?
	    "sidecar" : "imported") == -1 ||
	    queue_enqueue(imp->cat, imp->ctx->cfg, id) == -1)
		goto failed_catalog;
	if (out != NULL)
		out->id = id;
	move_later(imp, p->e, &p->sb, p->f.sha256);
	o = p->sidecar ? OUT_SIDECAR : OUT_IMPORTED;
	if (linked)
		filed_later(imp, p->path, rel, o);
	report(imp, p->path, o, rel, &p->meta, p->f.sha256, NULL);
	return o;

failed_catalog:
	snprintf(err, sizeof err, "could not be recorded in the catalogue");
	/* A copy the catalogue does not know is not left in the library. */
	if (linked && unlinkat(imp->libfd, rel, 0) == 0)
		snprintf(err, sizeof err, "could not be recorded in the "
		    "catalogue; copy removed");
failed:
	say(imp, p->path, "%s", err);
	report(imp, p->path, OUT_FAILED, NULL, NULL, NULL, err);
	return OUT_FAILED;
}

/*
 * File the batch of copies in flight: fsync each (writeback was started
 * as they were written, so the first fsync's journal commit covers nearly
 * all of them), read each back, link and catalogue each, fsync each
 * directory that gained names once, then commit the catalogue (and only
 * then delete --move sources).
 */
static void
batch_flush(struct import *imp)
{
	struct pending	*p;
	char		 err[512];
	size_t		 i;
	int		 synced, dirs_ok = 1;

	if (imp->npending == 0)
		return;
	/*
	 * One syncfs() makes the whole batch durable (and reports any
	 * writeback error on the filesystem since the library was opened);
	 * if it fails, fsync each copy to find the ones that did not make it.
	 */
	synced = imp->npending > 1 && syncfs(imp->libfd) == 0;
	for (i = 0; i < imp->npending; i++) {
		p = imp->pending[i];
		if ((synced ? store_copy_check(&p->f, err, sizeof err) :
		    store_copy_finish(&p->f, err, sizeof err)) == -1) {
			say(imp, p->path, "%s", err);
			report(imp, p->path, OUT_FAILED, NULL, NULL, NULL, err);
			pending_free(p);
			imp->pending[i] = NULL;
		}
	}
	for (i = 0; i < imp->npending; i++)
		if ((p = imp->pending[i]) != NULL) {
			import_finish(imp, p, 0, NULL);
			pending_free(p);
		}
	/* The new names: one syncfs() again, or each directory's fsync. */
	synced = synced && syncfs(imp->libfd) == 0;
	for (i = 0; i < imp->ndirs; i++) {
		if (!imp->dirs[i].dirty)
			continue;
		imp->dirs[i].dirty = 0;
		if (!synced && fsync(imp->dirs[i].fd) == -1 &&
		    errno != EINVAL) {
			progress_clear(imp);
			log_warn("fsync of library directory %s",
			    imp->dirs[i].dir);
			dirs_ok = 0;
		}
	}
	if (!dirs_ok) {
		/* Names may not last: catalogue none of them, delete nothing. */
		txn_abort(imp);
	} else
		txn_commit(imp);
	imp->npending = 0;
	imp->pending_bytes = 0;
}

/* Add a copy to the batch; file the batch when it is big or old enough. */
static void
batch_push(struct import *imp, struct pending *p)
{
	if (imp->npending == 0) {
		imp->pending = xreallocarray(imp->pending, BATCH_FILES,
		    sizeof *imp->pending);
		clock_gettime(CLOCK_MONOTONIC, &imp->batch_start);
	}
	imp->pending[imp->npending++] = p;
	imp->pending_bytes += p->f.size;
	if (imp->npending >= BATCH_FILES || imp->pending_bytes >= BATCH_BYTES ||
	    elapsed(&imp->batch_start) >= BATCH_SECONDS)
		batch_flush(imp);
}

/*
 * Is e still arriving: changed (mtime or ctime) less than the settle time
 * ago? A time far in the future (a camera's clock) does not count.
 */
static int
unsettled(struct import *imp, const struct scan_entry *e, double *age)
{
	const struct timespec	*t[2] = { &e->mtime, &e->ctime };
	struct timespec		 now;
	double			 a;
	int			 i;

	if (imp->settle <= 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < 2; i++) {
		a = (double)(now.tv_sec - t[i]->tv_sec) +
		    (double)(now.tv_nsec - t[i]->tv_nsec) / 1e9;
		if (a > -2 && a < imp->settle) {
			*age = a < 0 ? 0 : a;
			return 1;
		}
	}
	return 0;
}

/*
 * A source an earlier run recorded (seen): without --move it is not read
 * again. With --move, it goes only if it still holds the catalogued
 * content and the library copy is there and intact; a source that holds
 * something else (a new file on a reused inode) is imported as new
 * (returns OUT_PENDING), and one whose library copy is missing is copied
 * again to restore it (OUT_PENDING too). Otherwise returns the outcome.
 */
static enum outcome
import_seen(struct import *imp, const struct scan_entry *e,
    const struct cat_seen *seen, struct placed *out)
{
	struct stat	 sb;
	char		 hex[65], err[512];
	enum outcome	 o;
	int		 fd, rc;

	if (seen->file.id == 0 || seen->file.path[0] == '\0') {
		report(imp, e->path, OUT_ALREADY, NULL, NULL, NULL, NULL);
		return OUT_ALREADY;
	}
	if (!imp->move || imp->dry_run) {
		placed_at(out, seen->file.id, seen->file.path);
		report(imp, e->path, OUT_ALREADY, seen->file.path, NULL, NULL,
		    NULL);
		return OUT_ALREADY;
	}
	if ((fd = source_open(imp->sc, e, &sb, err, sizeof err)) < 0) {
		o = fd == -2 ? OUT_WAITING : OUT_FAILED;
		say(imp, e->path, "%s", err);
		report(imp, e->path, o, NULL, NULL, NULL, err);
		return o;
	}
	rc = store_hash_fd(fd, (uint64_t)sb.st_size, hex, err, sizeof err);
	close(fd);
	if (rc == -1 || strcmp(hex, seen->file.sha256) != 0)
		return OUT_PENDING;	/* not what was imported: read it */
	if ((rc = lib_check(imp, &seen->file)) == 1)
		return OUT_PENDING;	/* the library lost it: copy again */
	placed_at(out, seen->file.id, seen->file.path);
	if (rc == 0)
		move_later(imp, e, &sb, hex);
	else {
		say(imp, e->path, "imported earlier as %s, but that library "
		    "copy does not match the catalogue (damaged or "
		    "replaced?); source kept", seen->file.path);
		imp->warnings++;
	}
	report(imp, e->path, OUT_ALREADY, seen->file.path, NULL, NULL, NULL);
	return OUT_ALREADY;
}

/* Dry run: report where the file would go, or that it is a duplicate. */
static enum outcome
import_plan(struct import *imp, const struct scan_entry *e, int fd,
    const struct stat *sb, const struct meta *m, const char *name,
    struct placed *out, int sidecar)
{
	struct cat_file	 dup;
	char		 sha[65], err[512], rel[PATH_MAX * 2];
	char		 final[STORE_NAME_MAX];
	enum outcome	 o;

	if (store_hash_fd(fd, (uint64_t)sb->st_size, sha, err,
	    sizeof err) == -1) {
		say(imp, e->path, "%s", err);
		report(imp, e->path, OUT_FAILED, NULL, NULL, NULL, err);
		return OUT_FAILED;
	}
	if ((imp->cat != NULL && catalog_find_sha(imp->cat, sha,
	    (uint64_t)sb->st_size, &dup) == 1) || planned(imp, sha, 1)) {
		report(imp, e->path, OUT_DUPLICATE, NULL, m, sha, NULL);
		return OUT_DUPLICATE;
	}
	plan_name(imp, out->dir, name, final, sizeof final);
	snprintf(rel, sizeof rel, "%s/%s", out->dir, final);
	strlcpy_sb(out->name, final, sizeof out->name);
	o = sidecar ? OUT_SIDECAR : OUT_IMPORTED;
	report(imp, e->path, o, rel, m, sha, NULL);
	return o;
}

/*
 * Import one file (a main file, or a sidecar when mp is its main file's
 * placement). On success fills placed (for a main file). Returns its
 * outcome.
 */
static enum outcome
import_file(struct import *imp, const struct scan_entry *e,
    struct placed *mp, struct placed *out, int defer)
{
	struct pending		*p;
	struct store_dest	 dest = { -1, NULL, 0, 0 };
	struct store_file	 f;
	struct sb_src		 s;
	struct meta		 m;
	struct stat		 sb;
	struct cat_seen		 seen;
	char			 abspath[PATH_MAX * 2];
	char			 err[512], name[NAME_MAX * 4 + 1];
	struct statvfs		 vfs;
	enum outcome		 o;
	double			 age;
	int			 fd = -1, rc, dirfd = -1;

	memset(out, 0, sizeof *out);
	abs_path(imp, e->path, abspath, sizeof abspath);
	strlcpy_sb(out->orig, e->name, sizeof out->orig);

	/* Seen by an earlier run: no content is read again. */
	scan_entry_stat(e, &sb);
	rc = imp->cat == NULL ? 0 : catalog_seen(imp->cat, abspath, &sb,
	    &seen);
	if (rc == -1)
		goto failed_catalog;
	/* A sidecar once found alone is taken now that its main is here. */
	if (rc == 1 && seen.skipped && mp == NULL) {
		imp->bytes_done += (uint64_t)e->size;
		report(imp, e->path, OUT_SKIPPED, NULL, NULL, NULL, NULL);
		return OUT_SKIPPED;
	}
	if (rc == 1 && !seen.skipped) {
		if ((o = import_seen(imp, e, &seen, out)) != OUT_PENDING) {
			imp->bytes_done += (uint64_t)e->size;
			return o;
		}
		memset(out, 0, sizeof *out);
		strlcpy_sb(out->orig, e->name, sizeof out->orig);
	}
	if (unsettled(imp, e, &age)) {
		imp->bytes_done += (uint64_t)e->size;
		snprintf(err, sizeof err, "still arriving (changed %.0f s ago, "
		    "settle time %.0f s); left for the next run", age,
		    imp->settle);
		if (!log_quiet)
			say(imp, e->path, "%s", err);
		report(imp, e->path, OUT_WAITING, NULL, NULL, NULL, err);
		return OUT_WAITING;
	}

	if ((fd = source_open(imp->sc, e, &sb, err, sizeof err)) < 0) {
		o = fd == -2 ? OUT_WAITING : OUT_FAILED;
		imp->bytes_done += (uint64_t)e->size;
		say(imp, e->path, "%s", err);
		report(imp, e->path, o, NULL, NULL, NULL, err);
		return o;
	}
	rc = meta_probe(fd, e->path, &sb, imp->ctx->cfg, imp->head, &s, &m);
	if (rc == -1) {
		strlcpy_sb(err, m.error, sizeof err);
		goto failed;
	}
	if (mp != NULL) {
		/* A sidecar takes its main file's date and place. */
		m.kind = KIND_SIDECAR;
		m.taken = mp->meta.taken;
		strlcpy_sb(m.date_source, mp->meta.date_source, sizeof m.date_source);
		m.error[0] = '\0';
		rc = 0;
	} else if (m.kind == KIND_OTHER || m.kind == KIND_SIDECAR) {
		/* A sidecar alone is not remembered: its main may come. */
		if (!imp->dry_run && imp->cat != NULL && m.kind == KIND_OTHER &&
		    (txn_need(imp, 1) == -1 || catalog_add_source(imp->cat,
		    abspath, &sb, 0, "skipped") == -1))
			goto failed_catalog;
		close(fd);
		imp->bytes_done += (uint64_t)sb.st_size;
		report(imp, e->path, OUT_SKIPPED, NULL, &m, NULL, NULL);
		return OUT_SKIPPED;
	}
	if (rc == 1) {
		say(imp, e->path, "%s; dated by its %s", m.error,
		    strcmp(m.date_source, "mtime") == 0 ?
		    "modification time" : m.date_source);
		imp->warnings++;
	}
	out->meta = m;

	if (clean_name(e->name, name, sizeof name)) {
		say(imp, e->path, "name is not valid UTF-8 or has control "
		    "characters; filed as %s", name);
		imp->warnings++;
	}
	if (mp != NULL) {
		char	tmp[sizeof name];

		sidecar_name(name, mp, tmp, sizeof tmp);
		strlcpy_sb(name, tmp, sizeof name);
		strlcpy_sb(out->dir, mp->dir, sizeof out->dir);
	} else if (dest_dir(imp->pattern, &m.taken, out->dir,
	    sizeof out->dir) == -1) {
		snprintf(err, sizeof err, "pattern '%s' gives no usable "
		    "directory", imp->pattern);
		goto failed;
	}

	if (imp->dry_run) {
		imp->bytes_done += (uint64_t)sb.st_size;
		o = import_plan(imp, e, fd, &sb, &m, name, out, mp != NULL);
		close(fd);
		return o;
	}

	if ((dirfd = lib_dir(imp, out->dir, err, sizeof err)) == -1)
		goto failed;
	/*
	 * Keep room for the catalogue on the library's filesystem: filled to
	 * the last byte, it could not record what was copied (txn_commit).
	 * Copies of the batch in flight are allocated already, so count.
	 */
	if (fstatvfs(dirfd, &vfs) == 0 && vfs.f_frsize > 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < (uint64_t)sb.st_size +
	    CATALOG_ROOM) {
		snprintf(err, sizeof err, "write to library failed: %s (%llu "
		    "bytes free, %llu needed with room for the catalogue)",
		    strerror(ENOSPC), (unsigned long long)vfs.f_bavail *
		    vfs.f_frsize, (unsigned long long)sb.st_size +
		    CATALOG_ROOM);
		goto failed;
	}
	dest.dirfd = dirfd;
	dest.tmpdir = imp->tmpdir;
	dest.verify = imp->verify;
	if (store_copy_start(&s, &sb, &dest, &f, err, sizeof err) == -1)
		goto failed;
	close(fd);
	fd = -1;
	imp->bytes_done += f.size;
	imp->bytes_copied += f.size;

	p = xcalloc(1, sizeof *p);
	p->e = e;
	p->path = xstrdup(e->path);
	p->abspath = xstrdup(abspath);
	p->sb = sb;
	p->meta = m;
	p->dir = xstrdup(out->dir);
	p->name = xstrdup(name);
	p->dirfd = dirfd;
	p->f = f;
	p->main_id = mp != NULL ? mp->id : 0;
	p->sidecar = mp != NULL;
	if (defer) {
		/* Filed with the rest of the batch by batch_flush(). */
		batch_push(imp, p);
		return OUT_PENDING;
	}
	if (store_copy_finish(&p->f, err, sizeof err) == -1) {
		pending_free(p);
		imp->bytes_done -= f.size;	/* failed: adds it again */
		imp->bytes_copied -= f.size;
		goto failed;
	}
	o = import_finish(imp, p, 1, out);
	pending_free(p);
	return o;

failed_catalog:
	snprintf(err, sizeof err, "could not be recorded in the catalogue");
failed:
	if (fd != -1)
		close(fd);
	imp->bytes_done += (uint64_t)e->size;
	say(imp, e->path, "%s", err);
	report(imp, e->path, OUT_FAILED, NULL, NULL, NULL, err);
	return OUT_FAILED;
}

/*
 * A group (a main file and its sidecars) is done: its --move removals go
 * ahead only if every file of it was filed, so an interruption or a
 * failure never leaves a sidecar behind without its main file.
 */
static void
group_end(struct import *imp, const struct scan_entry *main, int whole)
{
	size_t	i;

	if (whole)
		for (i = 0; i < imp->ngmoves; i++)
			move_push(&imp->moves, &imp->nmoves, &imp->capmoves,
			    &imp->gmoves[i]);
	else if (imp->ngmoves > 0) {
		say(imp, main->path, "kept in the source with its sidecars: "
		    "not all of them were filed");
		imp->warnings++;
	}
	imp->ngmoves = 0;
	imp->group_hold = 0;
}

/* Import a main file, then each of its sidecars beside it. */
static void
import_group(struct import *imp, struct scan *sc, size_t i)
{
	struct placed	*mp, *side;
	enum outcome	 o, so;
	long		 j;
	int		 whole = 1;

	mp = xmalloc(sizeof *mp);
	side = xmalloc(sizeof *side);
	/*
	 * A main file without sidecars joins the batch; one with sidecars is
	 * filed at once (they need its final name), after the batch before it.
	 */
	if (sc->e[i].first != -1) {
		batch_flush(imp);
		imp->group_hold = 1;
	}
	o = import_file(imp, &sc->e[i], NULL, mp, sc->e[i].first == -1);
	for (j = sc->e[i].first; j != -1; j = sc->e[j].next) {
		if (interrupted) {
			whole = 0;
			break;
		}
		if (o == OUT_FAILED || o == OUT_SKIPPED || o == OUT_WAITING ||
		    mp->dir[0] == '\0') {
			imp->bytes_done += (uint64_t)sc->e[j].size;
			if (o == OUT_FAILED)
				say(imp, sc->e[j].path, "not imported: its "
				    "main file %s was not", sc->e[i].name);
			so = o == OUT_FAILED || o == OUT_WAITING ? o :
			    OUT_SKIPPED;
			report(imp, sc->e[j].path, so, NULL, NULL, NULL,
			    o == OUT_FAILED ? "main file failed" : o ==
			    OUT_WAITING ? "main file left for the next run" :
			    NULL);
			whole = 0;
			continue;
		}
		if (o == OUT_ALREADY && mp->meta.date_source[0] == '\0') {
			/* Main not re-read: date sidecars by their place. */
			snprintf(mp->meta.date_source,
			    sizeof mp->meta.date_source, "%s", "main");
		}
		so = import_file(imp, &sc->e[j], mp, side, 0);
		if (so == OUT_FAILED || so == OUT_WAITING)
			whole = 0;
	}
	group_end(imp, &sc->e[i], whole);
	free(mp);
	free(side);
}

/* Wait for (and take) the library's lock, saying so if it is busy. */
static int
import_lock(struct import *imp)
{
	char	path[PATH_MAX], pid[32];
	ssize_t	n;

	snprintf(path, sizeof path, "%s/.shoebox/lock", imp->library);
	if ((imp->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) ==
	    -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(imp->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			log_warn("lock %s", path);
			return -1;
		}
		n = pread(imp->lockfd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_info("another shoebox (pid %s) is importing into %s; "
		    "waiting for it to finish", pid[0] ? pid : "?",
		    imp->library);
		if (flock(imp->lockfd, LOCK_EX) == -1) {
			log_warn("lock %s", path);
			return -1;
		}
	}
	if (ftruncate(imp->lockfd, 0) == 0) {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (pwrite(imp->lockfd, pid, (size_t)n, 0) != n)
			log_debug("could not write pid to %s", path);
	}
	return 0;
}

/* Remove partial copies an interrupted run left in .shoebox/tmp. */
static void
import_clean_tmp(struct import *imp)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	if ((fd = open(imp->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "partial.", 8) == 0)
			unlinkat(fd, de->d_name, 0);
	closedir(d);
}

/* Open the library (or, in a dry run, whatever of it exists). */
static int
import_open(struct import *imp)
{
	char	path[PATH_MAX];

	xasprintf(&imp->tmpdir, "%s/.shoebox/tmp", imp->library);
	if (imp->dry_run) {
		snprintf(path, sizeof path, "%s/.shoebox/catalog.db",
		    imp->library);
		if (access(path, F_OK) == 0 &&
		    (imp->cat = catalog_open(imp->library, 1)) == NULL)
			return -1;
		imp->libfd = open(imp->library, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	} else {
		if (mkdir(imp->library, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", imp->library);
			return -1;
		}
		snprintf(path, sizeof path, "%s/.shoebox", imp->library);
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", path);
			return -1;
		}
		if (import_lock(imp) == -1)
			return -1;
		if ((imp->cat = catalog_open(imp->library, 0)) == NULL)
			return -1;
		if (imp->move)
			catalog_exec(imp->cat, "PRAGMA synchronous = FULL");
		if (mkdir(imp->tmpdir, 0700) == -1 && errno != EEXIST) {
			log_warn("%s", imp->tmpdir);
			return -1;
		}
		import_clean_tmp(imp);
		if ((imp->libfd = open(imp->library, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			log_warn("library %s", imp->library);
			return -1;
		}
	}
	return 0;
}

static void
import_close(struct import *imp)
{
	size_t	i;

	catalog_close(imp->cat);
	imp->cat = NULL;
	if (imp->libfd != -1)
		close(imp->libfd);
	if (imp->lockfd != -1)
		close(imp->lockfd);
	for (i = 0; i < imp->capplanned; i++)
		free(imp->planned[i]);
	free(imp->planned);
	free(imp->moves);
	free(imp->gmoves);
	free(imp->filed);
	free(imp->pending);
	lib_dirs_close(imp);
	free(imp->tmpdir);
	free(imp->head);
}

/* The closing summary: every file seen, accounted for. */
static void
summary(struct import *imp, unsigned long seen)
{
	struct json_object	*o, *s;
	char			 b[32], r[32];
	double			 t = elapsed(&imp->started);
	int			 i;

	progress_clear(imp);
	if (imp->json) {
		o = json_object_new_object();
		s = json_object_new_object();
		json_object_object_add(s, "seen", json_object_new_int64(
		    (int64_t)seen));
		for (i = 0; i <= OUT_FAILED; i++)
			json_object_object_add(s, outcome_names[i],
			    json_object_new_int64((int64_t)imp->count[i]));
		json_object_object_add(s, "warnings",
		    json_object_new_int64((int64_t)imp->warnings));
		json_object_object_add(s, "bytes_copied",
		    json_object_new_int64((int64_t)imp->bytes_copied));
		json_object_object_add(s, "seconds",
		    json_object_new_double(t));
		json_object_object_add(s, "dry_run",
		    json_object_new_boolean(imp->dry_run));
		json_object_object_add(o, "summary", s);
		json_print(o);
		return;
	}
	if (log_quiet)
		return;
	fmt_size(imp->bytes_copied, b, sizeof b);
	fmt_size(t > 0 ? (uint64_t)((double)imp->bytes_copied / t) : 0, r,
	    sizeof r);
	printf("%s%lu files seen: %lu imported, %lu duplicates, %lu sidecars,"
	    " %lu already imported, %lu skipped, %lu failed",
	    imp->dry_run ? "dry run: " : "", seen, imp->count[OUT_IMPORTED],
	    imp->count[OUT_DUPLICATE], imp->count[OUT_SIDECAR],
	    imp->count[OUT_ALREADY], imp->count[OUT_SKIPPED],
	    imp->count[OUT_FAILED]);
	if (imp->count[OUT_WAITING] > 0)
		printf(", %lu left for the next run (still arriving or "
		    "changed)", imp->count[OUT_WAITING]);
	printf("\n");
	if (!imp->dry_run)
		printf("%s copied in %.1f s (%s/s)%s into %s\n", b, t, r,
		    imp->warnings ? ", with warnings" : "", imp->library);
}

/* What the run did, for the runs table and the hooks (run.c). */
static void
import_result(const struct import *imp, unsigned long seen,
    struct run_result *r)
{
	r->seen = seen;
	r->imported = imp->count[OUT_IMPORTED];
	r->duplicates = imp->count[OUT_DUPLICATE];
	r->sidecars = imp->count[OUT_SIDECAR];
	r->already = imp->count[OUT_ALREADY];
	r->skipped = imp->count[OUT_SKIPPED];
	r->waiting = imp->count[OUT_WAITING];
	r->failed = imp->count[OUT_FAILED];
	r->warnings = imp->warnings;
	r->bytes = imp->bytes_copied;
}

/*
 * Import's options as the config sets them: 0, or -1 after saying why (a
 * settle time that is no duration).
 */
int
import_opts_init(struct sb_ctx *ctx, struct import_opts *o)
{
	const char	*v;

	memset(o, 0, sizeof *o);
	o->progress = -1;
	o->sync = config_get_bool(ctx->cfg, "", "auto_sync", 0);
	o->settle = SETTLE_DEFAULT;
	if ((v = config_get(ctx->cfg, "", "settle")) != NULL &&
	    config_parse_duration(v, &o->settle) == -1) {
		log_warnx("config: settle time '%s' is not a duration (such as "
		    "0, 30s, 10m or 1h)", v);
		return -1;
	}
	return 0;
}

static int
cmd_import(struct sb_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run",	 no_argument,	NULL, 'n' },
		{ "move",	 no_argument,	NULL, 'm' },
		{ "json",	 no_argument,	NULL, 'j' },
		{ "progress",	 no_argument,	NULL, 'p' },
		{ "no-progress", no_argument,	NULL, 'P' },
		{ "sync",	 no_argument,	NULL, 's' },
		{ "no-sync",	 no_argument,	NULL, 'S' },
		{ "settle",	 required_argument, NULL, 'T' },
		{ NULL,		 0,		NULL, 0 }
	};
	struct import_opts	 o;
	int			 ch;

	if (import_opts_init(ctx, &o) == -1)
		return EXIT_USAGE;
	while ((ch = getopt_long(argc, argv, "nmjs", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o.dry_run = 1;
			break;
		case 'm':
			o.move = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'p':
			o.progress = 1;
			break;
		case 'P':
			o.progress = 0;
			break;
		case 's':
			o.sync = 1;
			break;
		case 'S':
			o.sync = 0;
			break;
		case 'T':
			if (config_parse_duration(optarg, &o.settle) == -1) {
				log_warnx("import: settle time '%s' is not a "
				    "duration (such as 0, 30s, 10m or 1h)",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			cmd_usage(&cmd_import_entry);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		cmd_usage(&cmd_import_entry);
		return EXIT_USAGE;
	}
	if (o.dry_run && o.move) {
		log_warnx("import: --dry-run and --move together make no sense");
		return EXIT_USAGE;
	}
	return import_run(ctx, &o, argc, argv);
}

/*
 * Import the sources src[0..nsrc-1] with options o: scan, then file each
 * group, then the summary (and, with sync, the upload); r gets the counts.
 * Returns the exit status.
 */
static int
import_sources(struct sb_ctx *ctx, const struct import_opts *o, int nsrc,
    char **src, struct run_result *r)
{
	struct import	 imp;
	struct scan	*sc;
	struct stat	 lsb;
	struct sigaction sa;
	const char	*v;
	char		 probe[PATH_MAX];
	struct sb_time	 t0;
	unsigned long	 seen;
	size_t		 i;
	int		 rc = EXIT_ALLGOOD, sources_bad = 0;

	memset(&imp, 0, sizeof imp);
	imp.ctx = ctx;
	imp.libfd = imp.lockfd = -1;
	imp.library = ctx->library;
	imp.dry_run = o->dry_run;
	imp.move = o->move;
	imp.json = o->json;
	imp.sync = o->sync;
	imp.settle = o->settle;
	imp.json = imp.json || ctx->json;
	imp.progress = o->progress == -1 ? isatty(STDERR_FILENO) &&
	    !imp.json && !log_quiet : o->progress;
	imp.pattern = config_get(ctx->cfg, "", "pattern");
	if (imp.pattern == NULL)
		imp.pattern = "%Y/%m/%d";
	memset(&t0, 0, sizeof t0);
	t0.year = 2001;
	t0.mon = t0.day = 1;
	if (dest_dir(imp.pattern, &t0, probe, sizeof probe) == -1 ||
	    probe[0] == '\0') {
		log_warnx("config: pattern '%s' does not give a relative "
		    "directory (no '..', no empty part, no part starting "
		    "with '.')", imp.pattern);
		return EXIT_USAGE;
	}
	v = config_get(ctx->cfg, "", "verify");
	imp.verify = v == NULL || config_get_bool(ctx->cfg, "", "verify", 1);
	if (getcwd(imp.cwd, sizeof imp.cwd) == NULL)
		snprintf(imp.cwd, sizeof imp.cwd, ".");
	if (identify_open(NULL) == -1)
		return EXIT_USAGE;

	sc = imp.sc = scan_new();
	if (stat(imp.library, &lsb) == 0) {
		sc->skip_dev = lsb.st_dev;
		sc->skip_ino = lsb.st_ino;
	}
	for (i = 0; i < (size_t)nsrc; i++)
		if (scan_add(sc, src[i]) == -1)
			sources_bad++;
	if (sources_bad == nsrc) {
		scan_free(sc);
		return EXIT_SOMEFAILED;
	}
	scan_group(sc);

	if (import_open(&imp) == -1) {
		import_close(&imp);
		scan_free(sc);
		return EXIT_USAGE;
	}
	imp.head = xmalloc(HEAD_SIZE);
	imp.total = (unsigned long)sc->n;
	imp.bytes_total = sc->bytes;
	clock_gettime(CLOCK_MONOTONIC, &imp.started);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (i = 0; i < sc->n && !interrupted; i++) {
		if (sc->e[i].main != -1)
			continue;	/* a sidecar: goes with its main */
		import_group(&imp, sc, i);
	}
	batch_flush(&imp);
	if (!imp.dry_run && txn_commit(&imp) == -1)
		rc = EXIT_SOMEFAILED;
	seen = sc->skipped + sc->failed;
	for (i = 0; i <= OUT_FAILED; i++)
		seen += imp.count[i];
	imp.count[OUT_SKIPPED] += sc->skipped;
	imp.count[OUT_FAILED] += sc->failed + (unsigned long)sources_bad;
	seen += (unsigned long)sources_bad;
	if (interrupted) {
		progress_clear(&imp);
		log_warnx("import interrupted; what was copied is kept and "
		    "catalogued, run it again to finish");
		rc = EXIT_SOMEFAILED;
	}
	summary(&imp, seen);
	if (imp.count[OUT_FAILED] > 0 || imp.warnings > 0)
		rc = EXIT_SOMEFAILED;
	import_result(&imp, seen, r);
	import_close(&imp);
	scan_free(sc);

	if (imp.sync && !imp.dry_run && !interrupted) {
		const char	**names;
		int		  src;

		if (config_sections(ctx->cfg, "remote", &names) == 0)
			log_info("no [remote] in the config: nothing to upload");
		else if ((src = sync_run(ctx, NULL, 0)) > rc)
			rc = src;
	}
	return rc;
}

/*
 * Import the sources src[0..nsrc-1] with options o (import_sources), then
 * record the run and announce it (run.c). The signal handlers in place
 * before are put back, so a caller that imports again and again (watch)
 * keeps its own. Returns the exit status. Used by "import" and by whatever
 * imports unattended.
 */
int
import_run(struct sb_ctx *ctx, const struct import_opts *o, int nsrc,
    char **src)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction	 old[3];
	struct run_result	 r;
	int			 i;

	run_begin(&r, o->origin != NULL ? o->origin : "import", nsrc, src);
	r.dry_run = o->dry_run;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], NULL, &old[i]);
	r.exit_status = import_sources(ctx, o, nsrc, src, &r);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	r.interrupted = interrupted;
	interrupted = 0;
	if (o->result != NULL)
		*o->result = r;
	return run_finish(ctx, &r);
}

const struct cmd_entry cmd_import_entry = {
	"import",
	"[--dry-run] [--move] [--settle DURATION] [--json] "
	"[--progress|--no-progress] [--sync] SOURCE...",
	"copy photos and videos into the library, dated and catalogued",
	CMD_LIBRARY, cmd_import
};
