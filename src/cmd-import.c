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
 *
 * A run goes in stages: import_init (options, config), import_sources_open
 * (the sources checked and opened), import_groups (the sources walked a
 * directory at a time, scan.c; each directory's files grouped with their
 * sidecars, and each file known, read, placed, copied and committed:
 * import-file.c, import-batch.c; or planned in a dry run: import-plan.c),
 * import_tally and summary (every file seen accounted for), then
 * import_sync with --sync. Only a directory's files are held at a time.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "shoebox.h"
#include "import.h"
#include "remote.h"

#ifndef SETTLE_DEFAULT
#define SETTLE_DEFAULT	30	/* seconds a file must be left unchanged */
#endif

static const char *outcome_names[] = {
	"imported", "duplicate", "sidecar", "already", "skipped", "waiting",
	"not_attempted", "failed"
};


volatile sig_atomic_t import_interrupted;	/* SIGINT, SIGTERM, SIGHUP */

static void
on_signal(int sig)
{
	(void)sig;
	import_interrupted = 1;
}

/* Seconds since a CLOCK_MONOTONIC time. */
double
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
	uint64_t	files, bytes;
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
	/* The counting walk's totals, or what the walk found so far. */
	files = imp->sc->files > imp->expect_files ? imp->sc->files :
	    imp->expect_files;
	bytes = imp->sc->bytes > imp->expect_bytes ? imp->sc->bytes :
	    imp->expect_bytes;
	t = elapsed(&imp->started);
	rate = t > 0 ? (double)imp->bytes_done / t : 0;
	fmt_size(imp->bytes_done, b1, sizeof b1);
	fmt_size(bytes, b2, sizeof b2);
	fmt_size((uint64_t)rate, b3, sizeof b3);
	if (rate > 0 && bytes > imp->bytes_done) {
		long s = (long)((double)(bytes - imp->bytes_done) / rate);
		snprintf(left, sizeof left, "%ld:%02ld left", s / 60, s % 60);
	} else
		snprintf(left, sizeof left, "--:-- left");
	fprintf(stderr, "\r%lu/%llu files  %s/%s  %s/s  %s\033[K", done,
	    (unsigned long long)files, b1, b2, b3, left);
	imp->progress_shown = 1;
}

/* Take the progress line off the terminal, for a message. */
void
progress_clear(struct import *imp)
{
	if (imp->progress && imp->progress_shown)
		fprintf(stderr, "\r\033[K");
	imp->progress_shown = 0;
}

/* A per-file message on stderr, clear of the progress line. */
void
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

/*
 * The library's disk is full: stop the run (the files it does not reach
 * are counted as not attempted); library_full_say() says so once the walk
 * has counted them.
 */
void
library_full(struct import *imp)
{
	/* Told now: the copies given up free their inodes before the end. */
	if (!imp->full && !disk_no_inodes(imp->libfd, &imp->inodes))
		imp->inodes = 0;
	imp->full = 1;
}

/*
 * The library's filesystem is read-only (mounted so, or remounted so by
 * the kernel after disk errors): no file can be filed, none is to blame.
 * The run stops as on a full disk, said once (library_full_say).
 */
void
library_read_only(struct import *imp)
{
	imp->readonly = 1;
}

/*
 * Say once that the library's disk filled (the run stopped) or that some
 * files did not fit (the run went on with the others), with what is free
 * and what the files left need.
 */
static void
library_full_say(struct import *imp)
{
	unsigned long	 done = 0, left;
	uint64_t	 avail, need;
	char		 a[32], n[32];
	int		 i;

	if (!imp->full && imp->nofit == 0 && !imp->readonly)
		return;
	for (i = 0; i <= OUT_FAILED; i++)
		done += imp->count[i];
	if (imp->readonly) {
		left = imp->sc->files > done ? imp->sc->files - done : 0;
		progress_clear(imp);
		log_errorx("library %s: %s (mounted read-only, or remounted so "
		    "after disk errors: see dmesg); import stopped, %lu file%s "
		    "not attempted, their sources kept: run it again once the "
		    "disk is checked and writable", log_esc(imp->library),
		    strerror(EROFS), left, left == 1 ? "" : "s");
		return;
	}
	/* Those not attempted, said or not (did not fit, or after). */
	left = (imp->sc->files > done ? imp->sc->files - done : 0) +
	    imp->count[OUT_NOTTRIED];
	if (disk_free(imp->libfd, &avail) == -1)
		avail = 0;
	need = (imp->sc->bytes > imp->bytes_done ? imp->sc->bytes -
	    imp->bytes_done : 0) + imp->nofit_bytes + CATALOG_ROOM;
	fmt_size(avail, a, sizeof a);
	fmt_size(need, n, sizeof n);
	progress_clear(imp);
	if (imp->full && imp->inodes > 0) {
		log_errorx("library %s: %s: no inodes left (all %llu in use), "
		    "though %s is free; %lu file%s left; import stopped: "
		    "delete files there or move the library to a filesystem "
		    "with more inodes, and run it again",
		    log_esc(imp->library), strerror(ENOSPC),
		    (unsigned long long)imp->inodes, a, left,
		    left == 1 ? "" : "s");
		return;
	}
	log_errorx("library %s: %s: %s free, %s needed for the %lu file%s "
	    "left (with room for the catalogue); %s: make room and run it "
	    "again", log_esc(imp->library), strerror(ENOSPC), a, n, left,
	    left == 1 ? "" : "s", imp->full ? "import stopped" :
	    left == 1 ? "it was not attempted, the others were" :
	    "they were not attempted, the others were");
}

/*
 * A file failed with err: say so, naming it; but a full disk is said
 * once for the run (library_full), not for every file.
 */
void
say_failed(struct import *imp, const char *path, const char *err)
{
	if (err_disk_full(err))
		library_full(imp);
	else if (err_read_only(err))
		library_read_only(imp);
	else
		say(imp, path, "%s", err);
}

/*
 * Record and report the outcome of one source file: with --json an object,
 * with -v (or in a dry run) a line. error is what went wrong, or for a file
 * skipped or left, why.
 */
void
report(struct import *imp, const char *src, enum outcome o,
    const char *dest, const struct meta *m, const char *sha,
    const char *error)
{
	struct json_object	*obj;
	char			 p[PATH_MAX * 2], d[PATH_MAX * 2], taken[64];
	int			 why = error != NULL && o != OUT_IMPORTED &&
				    o != OUT_SIDECAR && o != OUT_DUPLICATE;
	int			 reason = o == OUT_SKIPPED || o == OUT_ALREADY;

	imp->count[o]++;
	if (imp->json) {
		obj = m != NULL ? meta_json(src, m) : json_object_new_object();
		if (m == NULL)
			json_add_str(obj, "path", log_path(src, p, sizeof p));
		json_add_str(obj, "status", outcome_names[o]);
		json_add_str(obj, "dest", dest != NULL ? log_path(dest, d,
		    sizeof d) : NULL);
		json_add_str(obj, "sha256", sha);
		json_add_str(obj, reason ? "reason" : "error", error);
		if (imp->dry_run)
			json_object_object_add(obj, "dry_run",
			    json_object_new_boolean(1));
		progress_clear(imp);
		json_print(obj);
	} else if (imp->dry_run || log_verbose > 0) {
		progress_clear(imp);
		if (m != NULL && !why)
			date_format(&m->taken, taken, sizeof taken);
		else
			taken[0] = '\0';
		printf("%s%-9s %s%s%s%s%s%s%s%s%s%s\n",
		    imp->dry_run ? "would: " : "", outcome_names[o],
		    log_path(src, p, sizeof p), dest != NULL ? " -> " : "",
		    dest != NULL ? log_path(dest, d, sizeof d) : "",
		    taken[0] ? " (" : "", taken, taken[0] ? ", " : "",
		    taken[0] ? m->date_source : "", taken[0] ? ")" : "",
		    why ? ": " : "", why ? log_esc(error) : "");
	}
	progress(imp, 0);
}

/*
 * The closing summary on stdout (where every command puts its summary):
 * every file seen, accounted for, then what was copied. -q leaves it out.
 */
static void
summary(struct import *imp, unsigned long seen, int stopped)
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
	if (imp->count[OUT_NOTTRIED] > 0)
		printf(", %lu not attempted (%s)", imp->count[OUT_NOTTRIED],
		    imp->readonly ? "the library is read-only" :
		    imp->full || imp->nofit > 0 ?
		    "the library's disk is full" :
		    imp->cat != NULL && imp->cat->damaged ?
		    catalog_stopped(imp->cat) : imp->sc != NULL &&
		    imp->sc->gone > 0 ?
		    "the card or disk is gone" : stopped ?
		    "interrupted" : "stopped");
	printf("\n");
	if (!imp->dry_run)
		printf("%s copied in %.1f s (%s/s) into %s%s\n", b, t, r,
		    log_esc(imp->library), imp->warnings ?
		    ", with warnings (see above)" : "");
	else if (imp->warnings)
		printf("dry run: with warnings (see above)\n");
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
	r->nottried = imp->count[OUT_NOTTRIED];
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
	    config_settle("config", v, &o->settle) == -1)
		return -1;
	return 0;
}

static int
cmd_import(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct import_opts	 o;
	const char		*v;

	if (import_opts_init(ctx, &o) == -1)
		return EXIT_USAGE;
	o.dry_run = cmd_has(args, "dry-run") > 0;
	o.move = cmd_has(args, "move") > 0;
	o.json = ctx->json;
	o.progress = cmd_flag(args, "progress", "no-progress", -1);
	o.sync = cmd_flag(args, "sync", "no-sync", o.sync);
	if ((v = cmd_get(args, "settle")) != NULL &&
	    config_settle("import", v, &o.settle) == -1)
		return EXIT_USAGE;
	if (o.dry_run && o.move) {
		log_warnx("import: --dry-run and --move together make no sense");
		return EXIT_USAGE;
	}
	return import_run(ctx, &o, args->argc, args->argv);
}

/*
 * Set up a run: imp from the options o and the config (pattern, verify),
 * libmagic opened. 0, or EXIT_USAGE after saying why.
 */
static int
import_init(struct import *imp, struct sb_ctx *ctx,
    const struct import_opts *o)
{
	const char	*v;
	char		 why[200];

	memset(imp, 0, sizeof *imp);
	imp->ctx = ctx;
	imp->libfd = imp->lockfd = -1;
	imp->library = ctx->library;
	imp->dry_run = o->dry_run;
	imp->move = o->move;
	imp->json = o->json;
	imp->sync = o->sync;
	imp->settle = o->settle;
	imp->beneath = o->beneath;
	imp->nbeneath = o->nbeneath;
	imp->arriving_quiet = o->arriving_quiet;
	imp->json = imp->json || ctx->json;
	imp->progress = o->progress == -1 ? isatty(STDERR_FILENO) &&
	    !imp->json && !log_quiet : o->progress;
	imp->pattern = config_get(ctx->cfg, "", "pattern");
	if (imp->pattern == NULL)
		imp->pattern = "%Y/%m/%d";
	imp->names = config_get(ctx->cfg, "", "name");
	if (tmpl_check(imp->pattern, TMPL_DIR, why, sizeof why) != 0 ||
	    (imp->names != NULL && tmpl_check(imp->names, 0, why,
	    sizeof why) != 0)) {
		log_warnx("config: pattern '%s' or name: %s", imp->pattern,
		    why);
		return EXIT_USAGE;
	}
	v = config_get(ctx->cfg, "", "verify");
	imp->verify = v == NULL || config_get_bool(ctx->cfg, "", "verify", 1);
	imp->unrecognised = config_get_bool(ctx->cfg, "", "import_unrecognised",
	    0);
	if (getcwd(imp->cwd, sizeof imp->cwd) == NULL)
		snprintf(imp->cwd, sizeof imp->cwd, ".");
	if (identify_open(NULL) == -1)
		return EXIT_USAGE;
	return 0;
}

static int	import_dir(struct scan *, size_t, size_t, void *);

/*
 * Is source root on a filesystem read-only as a whole (disk_frozen)? Asked
 * once for each device: a shell's IMG_*.JPG gives hundreds of roots.
 */
static int
import_frozen(struct scan *sc, int root)
{
	static dev_t	last;
	static int	known, frozen;
	struct stat	sb;

	if (fstat(sc->roots[root].fd, &sb) == -1)
		return 0;
	if (!known || sb.st_dev != last) {
		frozen = disk_frozen(sc->roots[root].fd);
		last = sb.st_dev;
		known = 1;
	}
	return frozen;
}

/*
 * Each dir remote's folder (a backup disk) is never walked, and with --move
 * never a source: its copies would be found duplicates of the library's
 * and deleted. A drop share can hold it, when the backup disk is mounted
 * below the share; the walk looks for it again at every other filesystem
 * it meets, so a disk mounted there while it runs is fenced too.
 */
static void
import_fence_remotes(struct import *imp, struct scan *sc)
{
	const char	**names;
	char		 *folder, *what;
	int		  i, n;

	n = config_sections(imp->ctx->cfg, "remote", &names);
	for (i = 0; i < n; i++) {
		if ((folder = remote_dir_folder(imp->ctx->cfg, names[i])) ==
		    NULL)
			continue;
		xasprintf(&what, "remote %s's folder", names[i]);
		scan_fence_path(sc, folder, what, imp->move);
		free(what);
		free(folder);
	}
}

/* The sources' real paths, and which are folders (import_covered). */
struct srcreal {
	char		**real;		/* by source; NULL: not there */
	int		 *first;	/* the first source of the same path */
	int		 *dirs;		/* the folders among them */
	int		  ndirs;
	char		 *isdir;	/* by source */
};

/*
 * A source another one given takes anyway: the same path given before
 * (the same card twice, a file named twice), or a folder whose walk
 * reaches it (by real paths; scan_reaches: not through a name the walk
 * leaves alone, a fence, or too deep): "import A A/sub". Each file is
 * taken once, not counted as a duplicate of itself. With roots, only a
 * folder that is walked (roots >= 0) counts, or the same path taken so
 * (-2); with roots NULL, any. Its index, or -1.
 */
static int
import_covered(const struct scan *sc, const struct srcreal *sr,
    const int *roots, int i)
{
	char	**real = sr->real;
	int	  j, k;

	if (real[i] == NULL)
		return -1;
	for (j = sr->first[i]; j < i; j++)
		if (real[j] != NULL && strcmp(real[i], real[j]) == 0 &&
		    (roots == NULL || roots[j] >= 0 || roots[j] == -2))
			return j;
	for (k = 0; k < sr->ndirs; k++) {
		j = sr->dirs[k];
		if (j == i || real[j] == NULL || (roots != NULL &&
		    roots[j] < 0) ||
		    strcmp(real[i], real[j]) == 0 ||
		    !path_below(real[i], real[j]))
			continue;
		if (scan_reaches(sc, real[j], real[i], sr->isdir[i]))
			return j;
	}
	return -1;
}

static const struct srcreal	*srcreal_sorting;

/* By real path, then by place; those not there last. */
static int
srcreal_cmp(const void *a, const void *b)
{
	int		 x = *(const int *)a, y = *(const int *)b, c;
	char *const	*real = srcreal_sorting->real;

	if (real[x] == NULL || real[y] == NULL)
		c = (real[x] == NULL) - (real[y] == NULL);
	else
		c = strcmp(real[x], real[y]);
	return c != 0 ? c : (x > y) - (x < y);
}

/* By the length of the real path: the outer folders first. */
static int
srcreal_outer(const void *a, const void *b)
{
	int		 x = *(const int *)a, y = *(const int *)b;
	char *const	*real = srcreal_sorting->real;
	size_t		 lx = real[x] != NULL ? strlen(real[x]) : 0;
	size_t		 ly = real[y] != NULL ? strlen(real[y]) : 0;

	if (lx != ly)
		return (lx > ly) - (lx < ly);
	return (x > y) - (x < y);
}

/* Fill sr for import_covered: every source's real path, the folders. */
static void
import_srcreal(struct srcreal *sr, int nsrc, char **src)
{
	struct stat	 sb;
	int		*order, i, k;

	memset(sr, 0, sizeof *sr);
	sr->isdir = xcalloc((size_t)nsrc, 1);
	sr->dirs = xcalloc((size_t)nsrc, sizeof *sr->dirs);
	sr->real = xcalloc((size_t)nsrc, sizeof *sr->real);
	sr->first = xcalloc((size_t)nsrc, sizeof *sr->first);
	order = xcalloc((size_t)nsrc, sizeof *order);
	for (i = 0; i < nsrc; i++) {
		if (stat(src[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			sr->dirs[sr->ndirs++] = i;
			sr->isdir[i] = 1;
		}
		sr->real[i] = realpath(src[i], NULL);
		order[i] = i;
	}
	/* The same path given twice: each knows the first of its kind. */
	srcreal_sorting = sr;
	qsort(order, (size_t)nsrc, sizeof *order, srcreal_cmp);
	for (k = 0; k < nsrc; k++)
		sr->first[order[k]] = k > 0 && sr->real[order[k]] != NULL &&
		    strcmp(sr->real[order[k]], sr->real[order[k - 1]]) == 0 ?
		    sr->first[order[k - 1]] : order[k];
	free(order);
}

static void
srcreal_free(struct srcreal *sr, int nsrc)
{
	int	i;

	for (i = 0; sr->real != NULL && i < nsrc; i++)
		free(sr->real[i]);
	free(sr->real);
	free(sr->first);
	free(sr->dirs);
	free(sr->isdir);
}

/* Open the source src for the walk: its root, or -1 after saying why. */
static int
import_source_open(struct import *imp, struct scan *sc, const char *src)
{
	struct statvfs	vfs;
	int		j, root;

	for (j = 0; j < imp->nbeneath && !path_below(src, imp->beneath[j]);
	    j++)
		;
	root = j < imp->nbeneath ? scan_source_below(sc, imp->beneath[j],
	    src) : scan_source(sc, src);
	if (root == -1)
		return -1;
	sc->roots[root].frozen = import_frozen(sc, root);
	if (imp->move && !imp->dry_run && fstatvfs(sc->roots[root].fd,
	    &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		/* Said once, not a failure to remove for each file. */
		sc->roots[root].keep = 1;
		log_warnx("%s: on a read-only filesystem (a write-protected "
		    "card?): its files are filed but not removed (--move)",
		    log_esc(src));
		imp->warnings++;
	}
	return root;
}

/*
 * The sources opened (never the library): roots[i] for src[i], -1 for one
 * that cannot be walked, counted in *bad, -2 for one another source walks
 * (import_covered: opened only if that one could not be). The scan, or
 * NULL when none can be walked.
 */
static struct scan *
import_sources_open(struct import *imp, int nsrc, char **src, int *roots,
    int *bad)
{
	struct scan	*sc;
	struct stat	 lsb;
	struct srcreal	 sr;
	int		*later, nlater = 0, i, j, k;

	sc = imp->sc = scan_new(import_dir, imp);
	if (stat(imp->library, &lsb) == 0)
		scan_fence(sc, &lsb, "the library", 1);
	import_fence_remotes(imp, sc);
	memset(&sr, 0, sizeof sr);
	later = xcalloc((size_t)nsrc, sizeof *later);
	if (nsrc > 1)
		import_srcreal(&sr, nsrc, src);
	/* Those no other source takes first; then the others, outer first. */
	*bad = 0;
	for (i = 0; i < nsrc; i++)
		roots[i] = -1;
	for (i = 0; i < nsrc; i++)
		if (nsrc > 1 && import_covered(sc, &sr, NULL, i) != -1)
			later[nlater++] = i;
		else if ((roots[i] = import_source_open(imp, sc, src[i])) ==
		    -1)
			(*bad)++;
	if (nlater > 0) {
		srcreal_sorting = &sr;
		qsort(later, (size_t)nlater, sizeof *later, srcreal_outer);
	}
	for (k = 0; k < nlater; k++) {
		i = later[k];
		if ((j = import_covered(sc, &sr, roots, i)) != -1) {
			log_info("%s: %s %s; taken from there, once",
			    log_esc(src[i]), strcmp(sr.real[i],
			    sr.real[j]) == 0 ? "the same as" : "inside",
			    log_esc(src[j]));
			roots[i] = -2;
		} else if ((roots[i] = import_source_open(imp, sc, src[i])) ==
		    -1)
			(*bad)++;	/* refused as the other was */
	}
	srcreal_free(&sr, nsrc);
	free(later);
	if (*bad == nsrc) {
		scan_free(sc);
		imp->sc = NULL;
		return NULL;
	}
	return sc;
}

/*
 * Import files of one directory, sc->e[from..to), handed over by the walk
 * (scan.c): each group read, placed, copied and committed. Once the run stops
 * (interrupted, the library's disk full, the catalogue damaged) the rest
 * of the walk only counts what it finds, as not attempted (import_tally).
 * Always 0: the walk goes on, so that every file is accounted for.
 */
static int
import_dir(struct scan *sc, size_t from, size_t to, void *arg)
{
	struct import	*imp = arg;
	unsigned long	 failed;
	size_t		 i;

	for (i = from; i < to && !import_interrupted && !import_halted(imp);
	    i++) {
		if (sc->e[i].main != -1)
			continue;	/* a sidecar: goes with its main */
		if (scan_dev_gone(sc, sc->e[i].dev))
			break;		/* the rest: not tried */
		failed = imp->count[OUT_FAILED];
		import_group(imp, sc, i);
		if (imp->count[OUT_FAILED] > failed)
			scan_gone(sc, sc->e[i].dev, sc->e[i].path);
	}
	read_end(imp);
	return 0;
}

/*
 * The scan and import stages: walk the sources a directory at a time,
 * importing each directory's groups as it is read, until done or
 * interrupted; then file the last batch and commit. With a progress line,
 * a first walk that only counts gives its totals (a stat of each file:
 * cheap beside reading them). Returns the exit status so far.
 */
static int
import_groups(struct import *imp, int nsrc, const int *roots)
{
	struct sigaction sa;
	struct scan	*sc = imp->sc;
	uint64_t	 files, bytes;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &imp->started);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (i = 0; imp->progress && i < nsrc && !import_interrupted; i++)
		if (roots[i] >= 0) {
			scan_count(sc, roots[i], &files, &bytes);
			imp->expect_files += files;
			imp->expect_bytes += bytes;
		}
	for (i = 0; i < nsrc; i++)
		if (roots[i] >= 0)
			scan_walk(sc, roots[i]);
	batch_flush(imp);
	store_hash_end();	/* the unnamed file made ahead for a next copy */
	if (!imp->dry_run && txn_commit(imp) == -1)
		return EXIT_SOMEFAILED;
	return EXIT_ALLGOOD;
}

/*
 * Every file seen, accounted for: those the run did not reach, what the
 * scan skipped or could not read, and bad sources, are added to the
 * counts. Returns how many.
 */
static unsigned long
import_tally(struct import *imp, int bad)
{
	unsigned long	seen;
	int		i;

	/* Every file is reported once; those the run did not reach are not. */
	for (i = 0, seen = 0; i <= OUT_FAILED; i++)
		seen += imp->count[i];
	if (seen < imp->sc->files)
		imp->count[OUT_NOTTRIED] += imp->sc->files - seen;
	seen = imp->sc->skipped + imp->sc->failed;
	for (i = 0; i <= OUT_FAILED; i++)
		seen += imp->count[i];
	imp->count[OUT_SKIPPED] += imp->sc->skipped;
	imp->count[OUT_FAILED] += imp->sc->failed + (unsigned long)bad;
	return seen + (unsigned long)bad;
}

/* import --sync: upload what the queue holds; the worse exit status. */
static int
import_sync(struct sb_ctx *ctx, int rc)
{
	const char	**names;
	int		  src;

	if (config_sections(ctx->cfg, "remote", &names) == 0)
		log_info("no [remote] in the config: nothing to upload");
	else if ((src = sync_run(ctx, NULL, 0)) == EXIT_UNREACHABLE ?
	    rc == EXIT_ALLGOOD : src > rc)
		rc = src;
	return rc;
}

/*
 * Import the sources src[0..nsrc-1] with options o, stage by stage: scan,
 * then each group read, placed, copied and committed (a dry run plans
 * instead), then the report (and, with sync, the upload); r gets the
 * counts. Returns the exit status.
 */
static int
import_sources(struct sb_ctx *ctx, const struct import_opts *o, int nsrc,
    char **src, struct run_result *r)
{
	struct import	 imp;
	struct scan	*sc;
	unsigned long	 seen;
	int		 rc, bad, *roots;

	if ((rc = import_init(&imp, ctx, o)) != 0)
		return rc;
	roots = xreallocarray(NULL, (size_t)nsrc, sizeof *roots);
	if ((sc = import_sources_open(&imp, nsrc, src, roots, &bad)) == NULL) {
		free(roots);
		return EXIT_USAGE;	/* nothing to import from */
	}
	if (import_open(&imp) == -1) {
		import_close(&imp);
		scan_free(sc);
		free(roots);
		return catalog_open_damaged ? EXIT_SOMEFAILED : EXIT_USAGE;
	}
	imp.head = xmalloc(HASH_SLOT);	/* a small file whole: import_read */
	rc = import_groups(&imp, nsrc, roots);
	free(roots);
	library_full_say(&imp);
	seen = import_tally(&imp, bad);
	if (import_interrupted) {
		progress_clear(&imp);
		log_warnx("import interrupted; what was copied is kept and "
		    "catalogued, run it again to finish");
		rc = EXIT_SOMEFAILED;
	}
	summary(&imp, seen, import_interrupted);
	/* Warnings alone (damaged headers, odd names) are a good run. */
	if (imp.count[OUT_FAILED] > 0 || imp.count[OUT_NOTTRIED] > 0)
		rc = EXIT_SOMEFAILED;
	if (bad > 0)
		rc = EXIT_USAGE;	/* a source given that is not there */
	import_result(&imp, seen, r);
	r->cat_stopped = imp.cat != NULL && imp.cat->damaged;
	import_close(&imp);
	scan_free(sc);
	if (imp.sync && !imp.dry_run && !import_interrupted)
		rc = import_sync(ctx, rc);
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
	r.interrupted = import_interrupted;
	import_interrupted = 0;
	if (o->result != NULL)
		*o->result = r;
	return run_finish(ctx, &r);
}

static const struct cmd_option import_options[] = {
	{ "dry-run", 'n', NULL,
	    "say what would happen, file by file, and write nothing at all" },
	{ "move", 'm', NULL,
	    "delete each source once its copy is verified and catalogued" },
	{ "settle", 0, "DURATION",
	    "take only files unchanged this long (default: settle =, 30s)" },
	{ "json", 'j', NULL, "one JSON object per file, then a summary object" },
	{ "progress", 0, NULL,
	    "show the progress line (default: when stderr is a terminal)" },
	{ "no-progress", 0, NULL, "do not show the progress line" },
	{ "sync", 's', NULL, "upload the new files at the end (shoebox sync)" },
	{ "no-sync", 0, NULL, "do not upload at the end, whatever auto_sync says" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_import_entry = {
	"import", "SOURCE...", 1, -1,
	"copy photos and videos into the library, dated and catalogued",
	import_options, CMD_LIBRARY, cmd_import
};
