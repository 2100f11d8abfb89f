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
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <getopt.h>
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

#define CATALOG_ROOM	(512 * 1024)	/* free space kept for the catalogue */
#ifndef SETTLE_DEFAULT
#define SETTLE_DEFAULT	30	/* seconds a file must be left unchanged */
#endif

static const char *outcome_names[] = {
	"imported", "duplicate", "sidecar", "already", "skipped", "waiting",
	"failed"
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
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

/* Record and report the outcome of one source file. */
void
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
