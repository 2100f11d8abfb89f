/*
 * cmd-verify.c: "shoebox verify": read library files again and compare
 * them with the catalogue. A catalogued file gone is missing; one whose
 * size or SHA-256 is not what was catalogued has changed (bit rot, or an
 * editor that saved over it); a file in the library tree the catalogue
 * does not know is untracked. Each file checked records when, and what was
 * found, so that --sample takes a slice of the library each run, those
 * verified longest ago first, and repeated runs go round all of it. The
 * catalogue's own record (sha256) is never changed here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "shoebox.h"
#include "catalog.h"
#include "scan.h"
#include "store.h"
#include "verify-remote.h"

#define TXN_FILES	256	/* record verifications at least this often */
#define TXN_SECONDS	2

/* What a check found. */
enum vstate {
	V_OK, V_MISSING, V_CHANGED, V_UNREADABLE, V_UNTRACKED,
	V_DAMAGED,	/* the catalogue's own file (catalog_check) */
	V_N
};

static const char *const vstate_names[V_N] = {
	"ok", "missing", "changed", "unreadable", "untracked", "damaged"
};

struct verify {
	struct sb_ctx	*ctx;
	struct catalog	*cat;
	const char	*library;
	char		*abslib;
	int		 libfd;
	int		 json;
	struct meter	 meter;
	unsigned long	 count[V_N];
	unsigned long	 folders;	/* not walked for untracked files */
	uint64_t	 bytes;		/* read so far */
	int		 in_txn;
	unsigned	 txn_files;
	time_t		 txn_start;
};

/*
 * Report a file that is not intact (and, with -v, one that is): a line
 * "STATE PATH: why" on stdout, or a JSON object. f is the catalogue's
 * record, or NULL for an untracked file.
 */
static void
verify_report(struct verify *v, enum vstate s, const char *rel,
    const struct cat_file *f, const char *why)
{
	struct json_object	*o;
	char			 p[PATH_MAX * 2], w[PATH_MAX * 2], *abs;

	v->count[s]++;
	if (s == V_OK && log_verbose == 0)
		return;
	meter_clear(&v->meter);
	if (v->json) {
		o = json_object_new_object();
		json_add_str(o, "path", rel);
		xasprintf(&abs, "%s/%s", v->abslib, rel);
		json_add_str(o, "file", abs);
		free(abs);
		json_add_str(o, "status", vstate_names[s]);
		if (f != NULL) {
			json_add_str(o, "sha256", f->sha256);
			json_object_object_add(o, "size",
			    json_object_new_int64(f->size));
		}
		json_add_str(o, "error", why);
		json_print(o);
	} else
		printf("%-10s %s%s%s\n", vstate_names[s],
		    log_path(rel, p, sizeof p), why != NULL ? ": " : "",
		    why != NULL ? log_escape(why, w, sizeof w, 0) : "");
}

/* Commit the verifications recorded, when there are enough (or force). */
static int
verify_commit(struct verify *v, int force)
{
	if (!v->in_txn || (!force && v->txn_files < TXN_FILES &&
	    time(NULL) - v->txn_start < TXN_SECONDS))
		return 0;
	v->in_txn = 0;
	return catalog_commit(v->cat);
}

/* Record what checking file id found; 0 or -1. */
static int
verify_record(struct verify *v, int64_t id, enum vstate s)
{
	if (!v->in_txn) {
		if (catalog_begin(v->cat) == -1)
			return -1;
		v->in_txn = 1;
		v->txn_files = 0;
		v->txn_start = time(NULL);
	}
	v->txn_files++;
	if (catalog_verified(v->cat, id, vstate_names[s]) == -1)
		return -1;
	return verify_commit(v, 0);
}

/*
 * Check one catalogued file: there, a regular file of its size, with its
 * SHA-256. Says why in why when it is not. Never follows a link at its
 * name (one there is not the file catalogued).
 */
static enum vstate
verify_file(struct verify *v, const struct cat_file *f, char *why,
    size_t size)
{
	switch (store_check_at(v->libfd, f->path, f->size, -1, f->sha256,
	    &v->bytes, why, size)) {
	case CHECK_SAME:
		return V_OK;
	case CHECK_MISSING:
		return V_MISSING;
	case CHECK_OTHER:
		return V_CHANGED;
	default:
		return V_UNREADABLE;
	}
}

/* The library's walk for untracked files: its state. */
struct verify_walk {
	struct verify	*v;
	struct cat_file	 f;
	int		 rc;
};

/* Files of the library's walk, sc->e[from..to): those not catalogued. */
static int
verify_untracked_dir(struct scan *sc, size_t from, size_t to, void *arg)
{
	struct verify_walk	*w = arg;
	size_t			 i;
	int			 found;

	for (i = from; i < to && !stop_requested; i++) {
		if ((found = catalog_file_at(w->v->cat, sc->e[i].rel,
		    &w->f)) == -1) {
			w->rc = -1;
			return -1;
		}
		if (found == 0)
			verify_report(w->v, V_UNTRACKED, sc->e[i].rel, NULL,
			    NULL);
	}
	return stop_requested ? -1 : 0;
}

/*
 * Files in the library tree that the catalogue does not know, walked as
 * import and adopt walk a source (scan.c: no link followed; dot-files,
 * .shoebox among them, and temporary names left alone). Under the
 * library's lock, so that an import's copies linked but not yet committed
 * are not taken for strangers. A folder that cannot be read (named by
 * the walk) is counted apart from the files: the summary's counts of
 * files then add up. 0, or -1 if the lock or the catalogue failed.
 */
static int
verify_untracked(struct verify *v)
{
	struct verify_walk	*w;
	struct scan		*sc;
	int			 lockfd, rc;

	if ((lockfd = lock_library(v->library, "verify")) == -1)
		return -1;
	w = xcalloc(1, sizeof *w);
	w->v = v;
	/* A directory at a time, each sorted: the same order every run. */
	sc = scan_new(verify_untracked_dir, w);
	if (scan_add(sc, v->library) == -1)
		v->folders++;
	v->folders += sc->failed;
	scan_free(sc);
	close(lockfd);
	rc = w->rc;
	free(w);
	return rc;
}

#define VERIFY_PAGE	1024	/* file ids taken from the catalogue at once */

/*
 * Check up to limit files (-1: all) catalogued since since (NULL: any
 * time), those verified longest ago first, a page of ids at a time,
 * recording what was found; *checked says how many. 0 or -1.
 */
static int
verify_files(struct verify *v, const char *since, int64_t limit,
    size_t *checked)
{
	struct catalog_vcursor	 c;
	struct cat_file		*f = xmalloc(sizeof *f);
	int64_t			*ids = xreallocarray(NULL, VERIFY_PAGE,
				    sizeof *ids);
	enum vstate		 s;
	char			 why[512];
	size_t			 i, n, max;
	int			 rc = 0;

	*checked = 0;
	if ((rc = catalog_verify_start(v->cat, &c, since)) == -1)
		goto out;
	while (rc == 0 && !stop_requested) {
		max = limit >= 0 && (uint64_t)limit - *checked < VERIFY_PAGE ?
		    (size_t)limit - *checked : VERIFY_PAGE;
		if (max == 0 || (rc = catalog_verify_next(v->cat, &c, ids, max,
		    &n)) == -1 || n == 0)
			break;
		for (i = 0; i < n && !stop_requested; i++) {
			meter_show(&v->meter, *checked, v->bytes, 0);
			if ((rc = catalog_file(v->cat, ids[i], f)) != 1) {
				if (rc == 0)
					continue;	/* gone meanwhile */
				break;
			}
			rc = 0;
			why[0] = '\0';
			s = verify_file(v, f, why, sizeof why);
			if (s == V_UNREADABLE) {
				meter_clear(&v->meter);
				log_warnx("%s/%s: cannot be read: %s",
				    v->library, f->path, why);
			}
			verify_report(v, s, f->path, f, why[0] != '\0' ? why :
			    NULL);
			if ((rc = verify_record(v, f->id, s)) == -1)
				break;
			(*checked)++;
		}
	}
	meter_show(&v->meter, *checked, v->bytes, 1);
	meter_clear(&v->meter);
out:
	free(ids);
	free(f);
	return rc;
}

static void
verify_summary(struct verify *v, size_t checked, const char *how)
{
	char	b[32];

	if (v->json) {
		verify_json_summary(NULL, checked, vstate_names, v->count, V_N,
		    v->bytes, meter_elapsed(&v->meter), -1, how[0] == '\0' ?
		    (int64_t)v->folders : -1);
		return;
	}
	if (log_quiet)
		return;
	fmt_size(v->bytes, b, sizeof b);
	printf("%zu files verified%s: %lu intact, %lu changed, %lu missing, "
	    "%lu unreadable", checked, how, v->count[V_OK],
	    v->count[V_CHANGED], v->count[V_MISSING], v->count[V_UNREADABLE]);
	if (how[0] == '\0')
		printf("; %lu untracked", v->count[V_UNTRACKED]);
	if (v->folders > 0)
		printf(", %lu folder%s not read (named above)", v->folders,
		    v->folders == 1 ? "" : "s");
	printf(" (%s read in %.1f s)\n", b, meter_elapsed(&v->meter));
}

/* A problem catalog_check found in the catalogue's file. */
static void
verify_damage(void *arg, const char *what)
{
	verify_report(arg, V_DAMAGED, ".shoebox/catalog.db", NULL, what);
}

static const struct cmd_option verify_options[] = {
	{ "sample", 0, "PERCENT",
	    "only this share of the library, the longest unverified first" },
	{ "since", 0, "DATE", "only files catalogued on or after DATE" },
	{ "remote", 'r', "NAME",
	    "check the copies on remote NAME instead of the library" },
	{ "download", 0, NULL,
	    "with --remote: read every copy back and hash it" },
	{ "resend", 0, NULL,
	    "with --remote: queue the missing and changed copies again" },
	{ "json", 'j', NULL, "one JSON object per problem, and a summary" },
	{ "progress", 0, NULL, "show the progress line (default: on a terminal)" },
	{ "no-progress", 0, NULL, "do not show the progress line" },
	{ NULL, 0, NULL, NULL }
};

/*
 * With --remote, check that remote's copies (verify-remote.c): the exit
 * status; -1 without --remote.
 */
static int
verify_remote_args(struct sb_ctx *ctx, struct cmd_args *args,
    const char *since, int sample, double pct, int progress)
{
	struct vr_opts	o;

	if ((o.remote = cmd_get(args, "remote")) == NULL) {
		if (!cmd_has(args, "download") && !cmd_has(args, "resend"))
			return -1;
		log_warnx("verify: --%s goes with --remote NAME",
		    cmd_has(args, "download") ? "download" : "resend");
		return EXIT_USAGE;
	}
	o.since = since;
	o.sample = sample;
	o.pct = pct;
	o.full = cmd_has(args, "download");
	o.resend = cmd_has(args, "resend");
	o.progress = progress;
	return verify_remote(ctx, &o);
}

static int
cmd_verify(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct verify	 v;
	struct daterange since;
	char		 how[128], *end;
	const char	*since_from = NULL;
	double		 pct = 100;
	int64_t		 total, limit = -1;
	uint64_t	 n = 0, bytes;
	size_t		 checked = 0;
	const char	*opt;
	int		 progress, sample = 0, rc = EXIT_USAGE, bad;

	memset(&v, 0, sizeof v);
	v.ctx = ctx;
	v.library = ctx->library;
	v.libfd = -1;
	if ((opt = cmd_get(args, "sample")) != NULL) {
		pct = strtod(opt, &end);
		if (end == opt || *end != '\0' || !(pct > 0) || pct > 100) {
			log_warnx("verify: --sample %s: a percentage above 0, "
			    "up to 100", opt);
			return EXIT_USAGE;
		}
		sample = 1;
	}
	if ((opt = cmd_get(args, "since")) != NULL) {
		if (daterange_parse(opt, &since) == -1 ||
		    since.from[0] == '\0') {
			log_warnx("verify: --since %s: a day, month or year "
			    "(2024-06-01, 2024-06, 2024)", opt);
			return EXIT_USAGE;
		}
		since_from = since.from;
	}
	progress = cmd_flag(args, "progress", "no-progress", -1);
	if ((rc = verify_remote_args(ctx, args, since_from, sample, pct,
	    progress)) != -1)
		return rc;
	rc = EXIT_USAGE;
	v.json = ctx->json;
	/* Never create a library or catalogue only to find it empty. */
	if (catalog_present(v.library, "verify") == -1)
		return EXIT_USAGE;
	if ((v.cat = catalog_open(v.library, 0)) == NULL) {
		if (catalog_open_damaged) {
			verify_damage(&v, "damaged where it is first read (its "
			    "header or schema), or emptied");
			rc = EXIT_SOMEFAILED;
		}
		goto out;
	}
	if ((v.libfd = open(v.library, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("library %s", v.library);
		goto out;
	}
	if ((v.abslib = realpath(v.library, NULL)) == NULL)
		v.abslib = xstrdup(v.library);

	/*
	 * The catalogue's own file first: a damaged one is not written to,
	 * and what it lists is not a measure of the library.
	 */
	rc = EXIT_SOMEFAILED;
	if ((bad = catalog_check(v.cat, verify_damage, &v)) == -1)
		goto out;
	if (bad > 0) {
		log_warnx("verify: the catalogue %s/.shoebox/catalog.db is "
		    "damaged; no file was checked (see \"A damaged "
		    "catalogue\" in shoebox(1))", v.library);
		goto out;
	}
	if (sample) {
		if ((total = catalog_count(v.cat, since_from)) == -1)
			goto out;
		limit = (int64_t)ceil((double)total * pct / 100);
	}
	if (catalog_verify_size(v.cat, since_from, limit, &n, &bytes) == -1)
		goto out;

	stop_catch();
	meter_start(&v.meter, progress == -1 ? isatty(STDERR_FILENO) &&
	    !v.json && !log_quiet : progress, n, bytes);

	rc = EXIT_SOMEFAILED;
	/* A partial run checks what it picked; untracked files need it all. */
	if (!sample && since_from == NULL && verify_untracked(&v) == -1) {
		if (!stop_requested)	/* else said by lock_library */
			log_warnx("verify: could not look through all of %s "
			    "for untracked files", v.library);
		goto out;
	}
	if (verify_files(&v, since_from, limit, &checked) == -1 ||
	    verify_commit(&v, 1) == -1)
		goto out;
	if (stop_requested) {
		log_warnx("verify interrupted; what was checked is recorded");
		goto out;
	}
	how[0] = '\0';
	if (sample)
		snprintf(how, sizeof how, " (a %g%% sample, those verified "
		    "longest ago%s%s)", pct, since_from ? ", catalogued since "
		    : "", since_from ? since_from : "");
	else if (since_from != NULL)
		snprintf(how, sizeof how, " (catalogued since %s)", since_from);
	verify_summary(&v, checked, how);
	bad = v.count[V_MISSING] + v.count[V_CHANGED] +
	    v.count[V_UNREADABLE] + v.count[V_UNTRACKED] + v.folders > 0;
	rc = bad ? EXIT_SOMEFAILED : EXIT_ALLGOOD;
out:
	if (v.in_txn)
		catalog_rollback(v.cat);
	meter_clear(&v.meter);
	free(v.abslib);
	if (v.libfd != -1)
		close(v.libfd);
	catalog_close(v.cat);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	"verify", "", 0, 0,
	"read library files again: report missing, changed and untracked",
	verify_options, CMD_LIBRARY, cmd_verify
};
