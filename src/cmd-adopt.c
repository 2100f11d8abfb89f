/*
 * cmd-adopt.c: "shoebox adopt [DIR]": catalogue a tree that is already in
 * the library (laid out by hand, by another tool, or restored from a
 * backup) where it lies. Nothing is copied, moved, renamed or written:
 * each file is walked as import walks a source (scan.c: a directory at a
 * time, so memory does not grow with the tree), dated and typed
 * (meta_probe), hashed, and given a files row at its own path, a sources
 * row, and an upload job for every remote. Sidecars are attached to their
 * main file as import pairs them. A second path with content already
 * catalogued is catalogued too (it is a real file of the library) and
 * reported as a duplicate. Files already catalogued at their path with
 * their size and mtime, and files an earlier run found not to be media,
 * are not read again, so an interrupted adopt resumes where it stopped.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define SETTLE_DEFAULT	30	/* as import: seconds left unchanged */

/* What happened to one file. */
enum aout {
	A_ADOPTED, A_DUPLICATE, A_SIDECAR, A_ALREADY, A_SKIPPED, A_WAITING,
	A_FAILED, A_N
};

static const char *const aout_names[A_N] = {
	"adopted", "duplicate", "sidecar", "already", "skipped", "waiting",
	"failed"
};

/* A main file as adopted: its sidecars take its id and date. */
struct amain {
	int64_t		 id;		/* files.id, 0 if not catalogued */
	int		 probed;	/* meta is what the file says */
	struct meta	 meta;
};

struct adopt {
	struct sb_ctx	*ctx;
	struct catalog	*cat;
	struct scan	*sc;
	const char	*library;
	char		*prefix;	/* DIR below the library, "" or "a/b/" */
	uint8_t		*head;
	int		 json;
	double		 settle;
	struct meter	 meter;
	unsigned long	 count[A_N];
	unsigned long	 warnings;
	uint64_t	 files_done;
	uint64_t	 bytes_done;
	uint64_t	 bytes_read;
	int		 in_txn;
	unsigned	 txn_files;
	time_t		 txn_start;
};

/* Count and report one file's outcome (text with -v, or JSON). */
static void
adopt_report(struct adopt *a, const struct scan_entry *e, const char *rel,
    enum aout o, const struct meta *m, const char *sha, const char *other,
    const char *error)
{
	struct json_object	*obj;
	char			 p[PATH_MAX * 2], q[PATH_MAX * 2];

	a->count[o]++;
	a->files_done++;
	a->bytes_done += (uint64_t)e->size;
	if (a->json) {
		obj = m != NULL ? meta_json(rel, m) : json_object_new_object();
		if (m == NULL)
			json_add_str(obj, "path", log_path(rel, p, sizeof p));
		json_add_str(obj, "status", aout_names[o]);
		json_add_str(obj, "sha256", sha);
		json_add_str(obj, "duplicate_of", other != NULL ?
		    log_path(other, q, sizeof q) : NULL);
		json_add_str(obj, "error", error);
		meter_clear(&a->meter);
		json_print(obj);
	} else if (o == A_DUPLICATE || log_verbose > 0) {
		meter_clear(&a->meter);
		printf("%-9s %s%s%s\n", aout_names[o], log_path(rel, p,
		    sizeof p), other != NULL ? ": same content as " : "",
		    other != NULL ? log_path(other, q, sizeof q) : "");
	}
	meter_show(&a->meter, a->files_done, a->bytes_done, 0);
}

/* A per-file message on stderr, clear of the progress line. */
static void
adopt_say(struct adopt *a, const char *rel, const char *what)
{
	char	p[PATH_MAX * 2];

	meter_clear(&a->meter);
	log_warnx("%s/%s: %s", a->library, log_path(rel, p, sizeof p), what);
}

/* Commit the open transaction (when old enough, or force); 0 or -1. */
static int
adopt_commit(struct adopt *a, int force)
{
	if (!a->in_txn || (!force && a->txn_files < TXN_FILES &&
	    time(NULL) - a->txn_start < TXN_SECONDS))
		return 0;
	a->in_txn = 0;
	if (catalog_commit(a->cat) == 0)
		return 0;
	if (!sqlite3_get_autocommit(a->cat->db))
		catalog_rollback(a->cat);
	return -1;
}

/* Make sure a transaction is open, committing one grown old; 0 or -1. */
static int
adopt_txn(struct adopt *a)
{
	if (adopt_commit(a, 0) == -1)
		return -1;
	if (!a->in_txn) {
		if (catalog_begin(a->cat) == -1)
			return -1;
		a->in_txn = 1;
		a->txn_files = 0;
		a->txn_start = time(NULL);
	}
	a->txn_files++;
	return 0;
}

/* Is e still being written: changed less than the settle time ago? */
static int
adopt_unsettled(struct adopt *a, const struct scan_entry *e)
{
	struct timespec	now;
	double		age;

	if (a->settle <= 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	age = (double)(now.tv_sec - e->mtime.tv_sec);
	if (age > -2 && age < a->settle)
		return 1;
	age = (double)(now.tv_sec - e->ctime.tv_sec);
	return age > -2 && age < a->settle;
}

/*
 * A file catalogued at its path already. The same size and mtime: not
 * read. Otherwise its content is read and compared: the same, it is
 * catalogued still (only its mtime moved); else the catalogue and the
 * file disagree, which is verify's to report and not adopt's to settle.
 */
static enum aout
adopt_known(struct adopt *a, const struct scan_entry *e, const char *rel,
    const struct cat_file *f, struct amain *out)
{
	struct stat	 sb;
	char		 hex[65], err[512];
	int		 fd, rc = 0;

	out->id = f->id;
	if (e->size == f->size && catalog_ns(&e->mtime) == f->mtime_ns) {
		adopt_report(a, e, rel, A_ALREADY, NULL, NULL, NULL, NULL);
		return A_ALREADY;
	}
	if (e->size == f->size) {
		if ((fd = source_open(a->sc, e, &sb, err, sizeof err)) >= 0) {
			rc = store_hash_fd(fd, (uint64_t)sb.st_size, hex, err,
			    sizeof err);
			close(fd);
			a->bytes_read += (uint64_t)sb.st_size;
			if (rc == 0 && strcmp(hex, f->sha256) == 0) {
				adopt_report(a, e, rel, A_ALREADY, NULL, NULL,
				    NULL, NULL);
				return A_ALREADY;
			}
		}
		/* Gone since the walk: nothing to adopt. */
		if (fd == -3) {
			adopt_report(a, e, rel, A_SKIPPED, NULL, NULL, NULL,
			    err);
			return A_SKIPPED;
		}
		/* Changed since the walk, or still open for writing. */
		if (fd == -2) {
			adopt_say(a, rel, err);
			adopt_report(a, e, rel, A_WAITING, NULL, NULL, NULL,
			    err);
			return A_WAITING;
		}
		/* Not opened or not read: not known to differ. */
		if (fd == -1 || rc == -1) {
			adopt_say(a, rel, err);
			adopt_report(a, e, rel, A_FAILED, NULL, NULL, NULL,
			    err);
			return A_FAILED;
		}
	}
	snprintf(err, sizeof err, "catalogued already, with other content "
	    "(%lld bytes, SHA-256 %.12s...); left as it is: see shoebox "
	    "verify", (long long)f->size, f->sha256);
	adopt_say(a, rel, err);
	adopt_report(a, e, rel, A_FAILED, NULL, NULL, NULL, err);
	return A_FAILED;
}

/*
 * Adopt one file: a main file (mp NULL) or a sidecar of mp. Fills out
 * (for a main file) with its id and date. Returns its outcome, reported.
 */
static enum aout
adopt_file(struct adopt *a, const struct scan_entry *e,
    const struct amain *mp, struct amain *out)
{
	struct cat_file	 f;
	struct cat_seen	 seen;
	struct stat	 sb;
	struct sb_src	 s;
	struct meta	 m;
	char		*rel, hex[65], err[512];
	const char	*dup = NULL;
	enum aout	 o;
	int64_t		 id;
	int		 fd = -1, rc;

	memset(out, 0, sizeof *out);
	xasprintf(&rel, "%s%s", a->prefix, e->rel);
	if ((rc = catalog_file_at(a->cat, rel, &f)) == 1) {
		o = adopt_known(a, e, rel, &f, out);
		free(rel);
		return o;
	}
	if (rc == -1)
		goto failed_catalog;
	/* Found not to be media by an earlier run (a sidecar: by itself). */
	scan_entry_stat(e, &sb);
	if ((rc = catalog_seen(a->cat, e->path, &sb, &seen)) == -1)
		goto failed_catalog;
	if (rc == 1 && seen.skipped && mp == NULL) {
		adopt_report(a, e, rel, A_SKIPPED, NULL, NULL, NULL, NULL);
		free(rel);
		return A_SKIPPED;
	}
	if (adopt_unsettled(a, e)) {
		snprintf(err, sizeof err, "changed less than %.0f s ago; left "
		    "for the next run", a->settle);
		adopt_say(a, rel, err);
		adopt_report(a, e, rel, A_WAITING, NULL, NULL, NULL, err);
		free(rel);
		return A_WAITING;
	}
	if ((fd = source_open(a->sc, e, &sb, err, sizeof err)) < 0) {
		o = fd == -2 ? A_WAITING : fd == -3 ? A_SKIPPED : A_FAILED;
		if (o != A_SKIPPED)
			adopt_say(a, rel, err);
		adopt_report(a, e, rel, o, NULL, NULL, NULL, err);
		free(rel);
		return o;
	}
	if ((rc = meta_probe(fd, e->path, &sb, a->ctx->cfg, a->head, &s,
	    &m)) == -1) {
		snprintf(err, sizeof err, "%s", m.error);
		goto failed;
	}
	if (mp != NULL) {
		/* A sidecar takes its main file's date, as import files it. */
		m.kind = KIND_SIDECAR;
		if (mp->probed) {
			m.taken = mp->meta.taken;
			strlcpy_sb(m.date_source, mp->meta.date_source,
			    sizeof m.date_source);
		}
		m.error[0] = '\0';
		rc = 0;
	} else if (m.kind == KIND_SIDECAR && a->ctx->rebuild) {
		/*
		 * Rebuilt from a remote: the library had it, under a name
		 * that pairs with no file (its photo's name too long for the
		 * forms that would, or renamed there by hand). Kept in the
		 * catalogue, so that verify checks it and sync knows it.
		 */
		adopt_say(a, rel, "a sidecar whose name pairs with no file "
		    "here; catalogued on its own");
	} else if (m.kind == KIND_OTHER || m.kind == KIND_SIDECAR) {
		/* Remembered, so that the next run does not read it again. */
		if (adopt_txn(a) == -1 || catalog_add_source(a->cat, e->path,
		    &sb, 0, "skipped") == -1)
			goto failed_catalog;
		close(fd);
		adopt_report(a, e, rel, A_SKIPPED, &m, NULL, NULL, NULL);
		free(rel);
		return A_SKIPPED;
	}
	if (rc == 1) {
		snprintf(err, sizeof err, "%s; dated by its %s", m.error,
		    strcmp(m.date_source, "mtime") == 0 ? "modification time" :
		    m.date_source);
		adopt_say(a, rel, err);
		a->warnings++;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = store_hash_fd(fd, (uint64_t)sb.st_size, hex, err, sizeof err);
	a->bytes_read += (uint64_t)sb.st_size;
	if (rc == -1)
		goto failed;
	/* Written to while it was read: its hash describes no real state. */
	if (!source_unchanged(fd, &sb)) {
		close(fd);
		snprintf(err, sizeof err, "changed while it was read; left for "
		    "the next run");
		adopt_say(a, rel, err);
		adopt_report(a, e, rel, A_WAITING, NULL, NULL, NULL, err);
		free(rel);
		return A_WAITING;
	}
	close(fd);
	fd = -1;

	/* Sidecars are often alike (blank XMP): not worth a duplicate line. */
	if (adopt_txn(a) == -1 || (mp == NULL && (rc = catalog_find_sha(a->cat,
	    hex, (uint64_t)sb.st_size, 0, &f)) == -1))
		goto failed_catalog;
	if (mp == NULL && rc == 1)
		dup = f.path;
	if ((id = catalog_add_file(a->cat, rel, hex, (uint64_t)sb.st_size,
	    catalog_ns(&sb.st_mtim), &m, mp != NULL ? mp->id : 0)) == -1 ||
	    catalog_add_source(a->cat, e->path, &sb, id, "adopted") == -1 ||
	    queue_enqueue(a->cat, a->ctx->cfg, id) == -1)
		goto failed_catalog;
	out->id = id;
	out->probed = 1;
	out->meta = m;
	o = dup != NULL ? A_DUPLICATE : mp != NULL ? A_SIDECAR : A_ADOPTED;
	adopt_report(a, e, rel, o, &m, hex, dup, NULL);
	free(rel);
	return o;

failed_catalog:
	snprintf(err, sizeof err, "could not be recorded in the catalogue");
failed:
	if (fd != -1)
		close(fd);
	adopt_say(a, rel, err);
	adopt_report(a, e, rel, A_FAILED, NULL, NULL, NULL, err);
	free(rel);
	return A_FAILED;
}

/* Adopt a main file, then each of its sidecars with it. */
static void
adopt_group(struct adopt *a, size_t i)
{
	struct scan_entry	*e = a->sc->e;
	struct amain		 mp, side;
	enum aout		 o;
	char			*rel;
	long			 j;

	o = adopt_file(a, &e[i], NULL, &mp);
	for (j = e[i].first; j != -1 && !stop_requested; j = e[j].next) {
		if (mp.id == 0) {
			/* As import: a sidecar goes only with its main. */
			xasprintf(&rel, "%s%s", a->prefix, e[j].rel);
			adopt_report(a, &e[j], rel, o == A_FAILED ||
			    o == A_WAITING ? o : A_SKIPPED, NULL, NULL, NULL,
			    o == A_FAILED ? "main file failed" : o ==
			    A_WAITING ? "main file left for the next run" :
			    NULL);
			free(rel);
			continue;
		}
		adopt_file(a, &e[j], &mp, &side);
	}
}

/*
 * Adopt files of one directory, sc->e[from..to), handed over by the walk
 * (scan.c): each main file with its sidecars. -1 stops the walk when asked
 * to stop, or once the catalogue is found damaged (said by catalog_error).
 */
static int
adopt_dir(struct scan *sc, size_t from, size_t to, void *arg)
{
	struct adopt	*a = arg;
	size_t		 i;

	for (i = from; i < to && !stop_requested && !a->cat->damaged; i++)
		if (sc->e[i].main == -1)
			adopt_group(a, i);
	return stop_requested || a->cat->damaged ? -1 : 0;
}

/*
 * Where DIR lies in the library (both resolved): fills a->prefix ("" for
 * the library itself, "2004/03/" below it). -1, having said why, if DIR
 * is not the library or inside it, or is inside a hidden folder (the
 * catalogue's own .shoebox among them).
 */
static int
adopt_where(struct adopt *a, const char *lib, const char *dir, int isdir)
{
	size_t		 n = strlen(lib);
	const char	*rel, *p;
	char		*slash;

	if (strcmp(lib, "/") == 0)
		n = 0;
	if (strncmp(dir, lib, n) != 0 || (dir[n] != '/' && dir[n] != '\0')) {
		log_warnx("adopt: %s is not inside the library %s; import "
		    "copies files into it", dir, lib);
		return -1;
	}
	rel = dir[n] == '/' ? dir + n + 1 : dir + n;
	for (p = rel; *p != '\0'; p = slash != NULL ? slash + 1 : "") {
		if (*p == '.') {
			log_warnx("adopt: %s is in a hidden folder, which "
			    "shoebox leaves alone", dir);
			return -1;
		}
		slash = strchr(p, '/');
	}
	if (*rel == '\0')
		a->prefix = xstrdup("");
	else if (isdir)
		xasprintf(&a->prefix, "%s/", rel);
	else {
		/* A single file: scan gives its name, we need its folder's. */
		a->prefix = xstrdup(rel);
		slash = strrchr(a->prefix, '/');
		if (slash != NULL)
			slash[1] = '\0';
		else
			a->prefix[0] = '\0';
	}
	return 0;
}

/* The closing summary: every file seen, accounted for. */
static void
adopt_summary(struct adopt *a, unsigned long seen)
{
	struct json_object	*o, *s;
	char			 b[32];
	int			 i;

	meter_clear(&a->meter);
	if (a->json) {
		o = json_object_new_object();
		s = json_object_new_object();
		json_object_object_add(s, "seen",
		    json_object_new_int64((int64_t)seen));
		for (i = 0; i < A_N; i++)
			json_object_object_add(s, aout_names[i],
			    json_object_new_int64((int64_t)a->count[i]));
		json_object_object_add(s, "warnings",
		    json_object_new_int64((int64_t)a->warnings));
		json_object_object_add(s, "bytes_read",
		    json_object_new_int64((int64_t)a->bytes_read));
		json_object_object_add(s, "seconds",
		    json_object_new_double(meter_elapsed(&a->meter)));
		json_object_object_add(o, "summary", s);
		json_print(o);
		return;
	}
	if (log_quiet)
		return;
	fmt_size(a->bytes_read, b, sizeof b);
	printf("%lu files seen: %lu adopted, %lu duplicates, %lu sidecars, "
	    "%lu already catalogued, %lu skipped, %lu failed", seen,
	    a->count[A_ADOPTED], a->count[A_DUPLICATE], a->count[A_SIDECAR],
	    a->count[A_ALREADY], a->count[A_SKIPPED], a->count[A_FAILED]);
	if (a->count[A_WAITING] > 0)
		printf(", %lu left for the next run (still changing)",
		    a->count[A_WAITING]);
	printf("\n%s read in %.1f s%s\n", b, meter_elapsed(&a->meter),
	    a->warnings ? ", with warnings" : "");
}

static const struct cmd_option adopt_options[] = {
	{ "settle", 0, "DURATION",
	    "take a file once unchanged this long (default: settle =, 30s)" },
	{ "json", 'j', NULL, "one JSON object per file, and a summary" },
	{ "progress", 0, NULL, "show the progress line (default: on a terminal)" },
	{ "no-progress", 0, NULL, "do not show the progress line" },
	{ NULL, 0, NULL, NULL }
};

static int
cmd_adopt(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct adopt	 a;
	struct stat	 sb;
	const char	*settle, *dir;
	char		*lib = NULL, *real = NULL;
	unsigned long	 seen;
	uint64_t	 files = 0, bytes = 0;
	size_t		 i;
	int		 progress, root, lockfd = -1, rc = EXIT_USAGE;

	memset(&a, 0, sizeof a);
	a.ctx = ctx;
	a.library = ctx->library;
	a.settle = SETTLE_DEFAULT;
	settle = config_get(ctx->cfg, "", "settle");
	if (cmd_get(args, "settle") != NULL)
		settle = cmd_get(args, "settle");
	progress = cmd_flag(args, "progress", "no-progress", -1);
	if (settle != NULL && config_settle("adopt", settle, &a.settle) == -1)
		return EXIT_USAGE;
	a.json = ctx->json;
	dir = args->argc > 0 ? args->argv[0] : a.library;
	if ((lib = realpath(a.library, NULL)) == NULL) {
		log_warn("adopt: library %s", a.library);
		goto out;
	}
	if ((real = realpath(dir, NULL)) == NULL || stat(real, &sb) == -1) {
		log_warn("adopt: %s", dir);
		goto out;
	}
	if (adopt_where(&a, lib, real, S_ISDIR(sb.st_mode)) == -1)
		goto out;
	if (identify_open(NULL) == -1)
		goto out;
	if ((a.cat = catalog_open(lib, 0)) == NULL) {
		if (catalog_open_damaged)
			rc = EXIT_SOMEFAILED;
		goto out;
	}
	/* restore --rebuild holds it from its first file to its last job */
	if (!ctx->locked && (lockfd = lock_library(lib, "adopt")) == -1)
		goto out;

	a.sc = scan_new(adopt_dir, &a);
	if ((root = scan_source(a.sc, real)) == -1) {
		rc = EXIT_SOMEFAILED;
		goto out;
	}
	a.head = xmalloc(HEAD_SIZE);
	if (progress == -1)
		progress = isatty(STDERR_FILENO) && !a.json && !log_quiet;
	stop_catch();
	/* The progress line's totals: a walk that only counts. */
	if (progress)
		scan_count(a.sc, root, &files, &bytes);
	meter_start(&a.meter, progress, files, bytes);
	scan_walk(a.sc, root);
	rc = EXIT_ALLGOOD;
	if (adopt_commit(&a, 1) == -1) {
		/* Lost with the transaction: nothing of the files changed. */
		if (!a.cat->damaged)
			log_warnx("adopt: the catalogue could not record the "
			    "last files; run adopt again");
		rc = EXIT_SOMEFAILED;
	}
	seen = a.sc->skipped + a.sc->failed;
	for (i = 0; i < A_N; i++)
		seen += a.count[i];
	a.count[A_SKIPPED] += a.sc->skipped;
	a.count[A_FAILED] += a.sc->failed;
	if (stop_requested) {
		meter_clear(&a.meter);
		log_warnx("adopt interrupted; what was catalogued is kept, run "
		    "it again to finish");
		rc = EXIT_SOMEFAILED;
	} else if (a.cat->damaged) {
		meter_clear(&a.meter);
		log_warnx("adopt stopped: %s", catalog_stopped(a.cat));
		rc = EXIT_SOMEFAILED;
	}
	adopt_summary(&a, seen);
	if (a.count[A_FAILED] > 0)	/* with warnings: 0, as import */
		rc = EXIT_SOMEFAILED;
out:
	if (a.in_txn)
		catalog_rollback(a.cat);
	catalog_close(a.cat);
	if (lockfd != -1)
		close(lockfd);
	scan_free(a.sc);
	free(a.head);
	free(a.prefix);
	free(lib);
	free(real);
	return rc;
}

const struct cmd_entry cmd_adopt_entry = {
	"adopt", "[DIR]", 0, 1,
	"catalogue files already in the library where they lie",
	adopt_options, CMD_LIBRARY, cmd_adopt
};
